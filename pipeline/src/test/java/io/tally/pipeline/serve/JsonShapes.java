package io.tally.pipeline.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Compares an answer with a SPEC §6 example: the same names in the same order, the same types. */
final class JsonShapes {
    private JsonShapes() {}

    /**
     * Every object has exactly the example's keys in its order; every value has the example's JSON
     * type (a number stays a number, a string a string), except that fields named in {@code
     * nullable} may also be null; an array's elements all have the shape of the example's first.
     * Integral example numbers must be integral in the answer (epoch ms, counts).
     */
    static void assertSameShape(
            String where, JsonNode example, JsonNode actual, Set<String> nullable) {
        String name = where.substring(where.lastIndexOf('.') + 1).replaceAll("\\[\\d+]$", "");
        if (actual.isNull() && (example.isNull() || nullable.contains(name))) {
            return;
        }
        assertThat(actual.getNodeType()).as(where + " type").isEqualTo(example.getNodeType());
        if (example.isObject()) {
            assertThat(fieldNames(actual)).as(where + " keys").isEqualTo(fieldNames(example));
            for (Iterator<Map.Entry<String, JsonNode>> it = example.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                assertSameShape(
                        where + "." + f.getKey(), f.getValue(), actual.get(f.getKey()), nullable);
            }
        } else if (example.isArray() && example.size() > 0) {
            for (int i = 0; i < actual.size(); i++) {
                assertSameShape(where + "[" + i + "]", example.get(0), actual.get(i), nullable);
            }
        } else if (example.isIntegralNumber()) {
            assertThat(actual.isIntegralNumber()).as(where + " is an integer: " + actual).isTrue();
        }
    }

    static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** Each column of a table row (as text from the database) equals the same-named JSON field. */
    static void assertMatchesRow(String where, JsonNode object, Map<String, String> row) {
        for (Map.Entry<String, String> col : row.entrySet()) {
            JsonNode v = object.get(col.getKey());
            assertThat(v).as(where + "." + col.getKey() + " present").isNotNull();
            if (col.getValue() == null) {
                assertThat(v.isNull()).as(where + "." + col.getKey() + " null").isTrue();
            } else if (v.isNumber()) {
                assertThat(v.decimalValue())
                        .as(where + "." + col.getKey())
                        .isEqualByComparingTo(new BigDecimal(col.getValue()));
            } else {
                assertThat(v.asText()).as(where + "." + col.getKey()).isEqualTo(col.getValue());
            }
        }
    }
}
