package io.tally.pipeline.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * JSON as JavaScript's {@code JSON.stringify} writes it (SPEC §6.1.3): compact, keys in insertion
 * order, non-ASCII raw, integers without {@code .0}; and the value formats of the two API families.
 */
final class Json {
    static final ObjectMapper MAPPER =
            new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    /** SPEC §6.1.3: {@code updated_at} under {@code /api/v1}, as the chat bot's SQLite gave it. */
    private static final DateTimeFormatter V1_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    /** JavaScript's {@code Date.toISOString()}: always milliseconds, always Z. */
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Json() {}

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static byte[] bytes(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a response", e);
        }
    }

    static String iso(Instant t) {
        return t == null ? null : ISO_MILLIS.format(t);
    }

    static String v1Time(Instant t) {
        return t == null ? null : V1_TIME.format(t);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static void text(ObjectNode o, String name, ResultSet rs) throws SQLException {
        o.put(name, rs.getString(name));
    }

    static void integer(ObjectNode o, String name, ResultSet rs) throws SQLException {
        long v = rs.getLong(name);
        if (rs.wasNull()) {
            o.putNull(name);
        } else {
            o.put(name, v);
        }
    }

    /** A NUMERIC column as the JavaScript number it was: 41.0 is {@code 41}, 6.30 is 6.3. */
    static void number(ObjectNode o, String name, ResultSet rs) throws SQLException {
        o.set(name, number(rs.getBigDecimal(name)));
    }

    static com.fasterxml.jackson.databind.JsonNode number(BigDecimal v) {
        if (v == null) {
            return MAPPER.nullNode();
        }
        BigDecimal s = v.stripTrailingZeros();
        if (s.scale() <= 0) {
            return MAPPER.getNodeFactory().numberNode(s.longValueExact());
        }
        return MAPPER.getNodeFactory().numberNode(s);
    }

    /** A DATE column as {@code "YYYY-MM-DD"} (SPEC §6.1.3). */
    static void date(ObjectNode o, String name, ResultSet rs) throws SQLException {
        Date d = rs.getDate(name);
        o.put(name, d == null ? null : rs.getObject(name, java.time.LocalDate.class).toString());
    }

    static void v1Time(ObjectNode o, String name, ResultSet rs) throws SQLException {
        o.put(name, v1Time(instant(rs, name)));
    }

    static void isoTime(ObjectNode o, String name, ResultSet rs) throws SQLException {
        o.put(name, iso(instant(rs, name)));
    }
}
