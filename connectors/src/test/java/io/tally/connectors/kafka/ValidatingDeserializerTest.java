package io.tally.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.apache.flink.api.common.typeinfo.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SPEC §1.2 and §1.6: every bad-record class, its reason, its order, and the dead-letter shape. */
class ValidatingDeserializerTest {
    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    /** A minimal event: id (string) and ts. */
    public static class Ping {
        public String id;
        public long ts;
    }

    static final RecordValidator<Ping> PING =
            json -> {
                Ping p = new Ping();
                p.id = json.requireString("id");
                Long ts = json.requireTimestamp("ts");
                p.ts = ts == null ? 0 : ts;
                if (p.id != null && p.id.isEmpty()) {
                    json.problem(BadRecordReason.BAD_VALUE, "id: must not be empty");
                }
                return p;
            };

    final ValidatingDeserializer<Ping> deserializer =
            new ValidatingDeserializer<>(
                    PING,
                    p -> p.ts,
                    Types.POJO(Ping.class),
                    200,
                    Duration.ofDays(1),
                    Clock.fixed(NOW, ZoneOffset.UTC));

    ParsedRecord<Ping> parse(byte[] value) {
        return deserializer.parse("t", 1, 42, "k".getBytes(StandardCharsets.UTF_8), value);
    }

    ParsedRecord<Ping> parse(String value) {
        return parse(value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void validRecordCarriesItsEventTime() {
        ParsedRecord<Ping> r = parse("{\"id\":\"a\",\"ts\":1719800000123}");
        assertThat(r.isValid()).isTrue();
        assertThat(r.value.id).isEqualTo("a");
        assertThat(r.eventTime).isEqualTo(1719800000123L);
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"id\":\"a\",\"ts\":\"2026-11-22T10:00:00Z\"}|1795341600000",
                "{\"id\":\"a\",\"ts\":\"2026-11-22T20:00:00+10:00\"}|1795341600000",
                "{\"id\":\"a\",\"ts\":0}|0",
            })
    void timestampsAreEpochMillisOrIsoInstantsWithOffset(String json, long expected) {
        assertThat(parse(json).eventTime).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{1}: {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "not json at all|not-json",
                "{\"id\":\"a\",\"ts\":1} trailing|not-json",
                "|not-json",
                "[1,2,3]|not-object",
                "\"a string\"|not-object",
                "{\"ts\":1}|missing-field",
                "{\"id\":null,\"ts\":1}|missing-field",
                "{\"id\":\"a\"}|missing-field",
                "{\"id\":7,\"ts\":1}|wrong-type",
                "{\"id\":\"a\",\"ts\":true}|wrong-type",
                "{\"id\":\"\",\"ts\":1}|bad-value",
                "{\"id\":\"a\",\"ts\":\"yesterday\"}|bad-timestamp",
                "{\"id\":\"a\",\"ts\":\"2026-11-22T10:00:00\"}|bad-timestamp",
                "{\"id\":\"a\",\"ts\":1.5}|bad-timestamp",
                "{\"id\":\"a\",\"ts\":\"2026-11-24T10:00:00Z\"}|future-timestamp",
            })
    void badRecordsGoToDeadLettersWithTheirReason(String json, String reason) {
        ParsedRecord<Ping> r = parse(json == null ? "" : json);
        assertThat(r.isValid()).isFalse();
        assertThat(r.deadLetter.reason).isEqualTo(reason);
        assertThat(r.deadLetter.error).isNotBlank();
        assertThat(r.eventTime).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void theFirstReasonInSpecOrderWinsWhateverTheFieldOrder() {
        // A bad timestamp and a missing id: missing-field comes first in SPEC §1.6.
        assertThat(parse("{\"ts\":\"yesterday\"}").deadLetter.reason).isEqualTo("missing-field");
        // A wrong type and a future timestamp: wrong-type first.
        assertThat(parse("{\"ts\":\"2027-01-01T00:00:00Z\",\"id\":5}").deadLetter.reason)
                .isEqualTo("wrong-type");
    }

    @Test
    void errorSaysWhatWasWrongAndWhere() {
        DeadLetter d = parse("{\"id\":\"a\",\"ts\":\"yesterday\"}").deadLetter;
        assertThat(d.error)
                .isEqualTo("ts: expected epoch millis or ISO-8601 instant, got \"yesterday\"");
        assertThat(d.sourceTopic).isEqualTo("t");
        assertThat(d.partition).isEqualTo(1);
        assertThat(d.offset).isEqualTo(42);
        assertThat(d.key).isEqualTo("k");
        assertThat(d.value).isEqualTo("{\"id\":\"a\",\"ts\":\"yesterday\"}");
        assertThat(d.valueEncoding).isNull();
        assertThat(d.at).isEqualTo(NOW.toString());
    }

    @Test
    void tooLargeComesBeforeEverythingElse() {
        byte[] big = new byte[201];
        big[0] = (byte) 0xff; // also invalid UTF-8, but too-large wins
        assertThat(parse(big).deadLetter.reason).isEqualTo("too-large");
    }

    @Test
    void invalidUtf8IsKeptAsBase64() {
        byte[] bad = {'{', '"', (byte) 0xc3, (byte) 0x28, '"', '}'};
        DeadLetter d = parse(bad).deadLetter;
        assertThat(d.reason).isEqualTo("invalid-utf8");
        assertThat(d.valueEncoding).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(d.value)).isEqualTo(bad);
    }

    @Test
    void nonAsciiValuesSurviveIntoTheDeadLetter() {
        String v = "{\"id\":\"café 😀\",\"ts\":\"demain\"}";
        DeadLetter d = parse(v).deadLetter;
        assertThat(d.reason).isEqualTo("bad-timestamp");
        assertThat(d.value).isEqualTo(v);
    }

    @Test
    void deadLetterJsonHasTheSpecFields() throws Exception {
        DeadLetter d = parse("nope").deadLetter;
        var node =
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(DeadLetterSerializer.toJson(d));
        assertThat(node.fieldNames())
                .toIterable()
                .containsExactly(
                        "source_topic",
                        "partition",
                        "offset",
                        "key",
                        "value",
                        "reason",
                        "error",
                        "at");
        assertThat(node.get("reason").asText()).isEqualTo("not-json");
    }
}
