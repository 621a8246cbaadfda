package io.tally.connectors.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.List;

/**
 * A row (or its key) as a JSON object, column → value, for a {@code rejected-by-database} dead
 * letter (SPEC §1.6). The text must survive exactly the trips the rejected row did not: into a
 * PostgreSQL {@code text} column and through a UTF-8 Kafka record. So U+0000 and other control
 * characters are escaped (Jackson does that), and so are unpaired surrogates, which Jackson would
 * copy as they are and which neither UTF-8 nor PgJDBC can carry (U+D800 alone becomes the six ASCII
 * characters backslash, u, d, 8, 0, 0, which a JSON reader turns back into the original).
 */
final class RowJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RowJson() {}

    /** The first {@code count} of {@code columns} with their {@code values}. */
    static String of(List<String> columns, Object[] values, int count) {
        ObjectNode node = MAPPER.createObjectNode();
        for (int i = 0; i < count; i++) {
            put(node, columns.get(i), values[i]);
        }
        try {
            return escapeUnpairedSurrogates(MAPPER.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a row as JSON", e);
        }
    }

    private static void put(ObjectNode node, String column, Object value) {
        if (value == null) {
            node.putNull(column);
        } else if (value instanceof String s) {
            node.put(column, s);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            node.put(column, ((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
            // NaN and infinities come out as JSON strings (Jackson's default), still valid JSON.
            node.put(column, ((Number) value).doubleValue());
        } else if (value instanceof BigDecimal d) {
            node.put(column, d);
        } else if (value instanceof Boolean b) {
            node.put(column, b);
        } else {
            // LocalDate, OffsetDateTime…: their ISO-8601 forms, as PostgreSQL would print them.
            node.put(column, value.toString());
        }
    }

    /** Replaces each unpaired UTF-16 surrogate with its six-character JSON escape. */
    static String escapeUnpairedSurrogates(String json) {
        StringBuilder out = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            boolean paired =
                    Character.isHighSurrogate(c)
                            && i + 1 < json.length()
                            && Character.isLowSurrogate(json.charAt(i + 1));
            if (paired) {
                if (out != null) {
                    out.append(c).append(json.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (out == null) {
                    out = new StringBuilder(json.length() + 16).append(json, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? json : out.toString();
    }
}
