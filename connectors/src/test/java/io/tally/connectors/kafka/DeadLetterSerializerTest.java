package io.tally.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SPEC §1.6 "dead letters fit the topic": value and key cut to dead-letter-max-value-bytes. */
class DeadLetterSerializerTest {
    static final ObjectMapper MAPPER = new ObjectMapper();

    static DeadLetter letter(String key, String value) {
        DeadLetter d = new DeadLetter();
        d.sourceTopic = "chat-messages";
        d.partition = 1;
        d.offset = 7;
        d.key = key;
        d.value = value;
        d.reason = "bad-value";
        d.error = "text: at most 64 KiB, got 1000000 bytes";
        d.at = "2026-11-22T10:00:00Z";
        return d;
    }

    static JsonNode json(DeadLetter d, int max) throws Exception {
        return MAPPER.readTree(DeadLetterSerializer.toJson(d, max));
    }

    @ParameterizedTest(name = "[{0}] within {1} bytes → [{2}], truncated {3}, {4} bytes")
    @CsvSource(
            delimiter = '|',
            value = {
                "hello|5|hello|false|0",
                "hello|4|hell|true|5",
                "Chloé|5|Chlo|true|6",
                "李雷😀|7|李雷|true|10",
                "李雷😀|5|李|true|10",
                "李雷😀|10|李雷😀|false|0",
            })
    void valueIsCutOnAUtf8Boundary(
            String value, int max, String expected, boolean truncated, long bytes)
            throws Exception {
        JsonNode n = json(letter("k", value), max);
        assertThat(n.get("value").asText()).isEqualTo(expected);
        assertThat(n.has("value_truncated")).isEqualTo(truncated);
        if (truncated) {
            assertThat(n.get("value_truncated").asBoolean()).isTrue();
            assertThat(n.get("value_bytes").asLong()).isEqualTo(bytes);
        } else {
            assertThat(n.has("value_bytes")).isFalse();
        }
    }

    @Test
    void base64ValuesAreCutInWholeQuadsAndReportTheirDecodedSize() throws Exception {
        byte[] raw = new byte[1000];
        raw[0] = (byte) 0xff;
        DeadLetter d = letter(null, Base64.getEncoder().encodeToString(raw));
        d.valueEncoding = "base64";
        JsonNode n = json(d, 102);
        assertThat(n.get("value").asText()).hasSize(100);
        assertThat(Base64.getDecoder().decode(n.get("value").asText()))
                .containsExactly(java.util.Arrays.copyOf(raw, 75));
        assertThat(n.get("value_encoding").asText()).isEqualTo("base64");
        assertThat(n.get("value_bytes").asLong()).isEqualTo(1000);
        assertThat(n.get("value_truncated").asBoolean()).isTrue();
    }

    @Test
    void theKeyIsCutTooInTheJsonAndInTheKafkaRecord() throws Exception {
        DeadLetter d = letter("k".repeat(100_000), "{}");
        JsonNode n = MAPPER.readTree(DeadLetterSerializer.toJson(d));
        assertThat(n.get("key").asText()).hasSize(DeadLetterSerializer.DEFAULT_MAX_VALUE_BYTES);
        assertThat(n.get("key_truncated").asBoolean()).isTrue();
        assertThat(n.get("key_bytes").asLong()).isEqualTo(100_000);
        ProducerRecord<byte[], byte[]> record =
                new DeadLetterSerializer("dead", 1000).serialize(d, null, null);
        assertThat(record.key()).hasSize(1000);
        assertThat(record.topic()).isEqualTo("dead");
    }

    @Test
    void theDefaultOverloadCutsAt64KiB() throws Exception {
        String value = "é".repeat(100_000); // 200 000 bytes
        JsonNode n = MAPPER.readTree(DeadLetterSerializer.toJson(letter("k", value)));
        assertThat(n.get("value").asText().getBytes(StandardCharsets.UTF_8)).hasSize(65_536);
        assertThat(n.get("value_bytes").asLong()).isEqualTo(200_000);
        assertThat(n.get("key").asText()).isEqualTo("k");
        assertThat(n.has("key_truncated")).isFalse();
    }

    @Test
    void aHugeErrorIsShortenedAndUnpairedSurrogatesStillMakeValidJson() throws Exception {
        DeadLetter d = letter("k", "v");
        d.error = "sentiment: got \"\ud800" + "x".repeat(1_000_000) + "\"";
        byte[] bytes = DeadLetterSerializer.toJson(d);
        assertThat(bytes.length).isLessThan(10_000);
        assertThat(MAPPER.readTree(bytes).get("error").asText()).startsWith("sentiment: got");
    }

    @ParameterizedTest(name = "max {0} bytes")
    @CsvSource({"65536", "524288"})
    void worstCaseDeadLetterStaysUnderOneMebibyte(int max) throws Exception {
        // Control characters are escaped as six bytes each in JSON: the worst case for the budget.
        String nasty = "\u0001".repeat(1_000_000);
        DeadLetter d = letter(nasty, nasty);
        d.error = nasty;
        ProducerRecord<byte[], byte[]> r =
                new DeadLetterSerializer("dead", max).serialize(d, null, null);
        assertThat(r.value().length + r.key().length).isLessThan(1_000_001);
        JsonNode n = MAPPER.readTree(r.value());
        assertThat(n.get("value_truncated").asBoolean()).isTrue();
        assertThat(n.get("value_bytes").asLong()).isEqualTo(1_000_000);
    }
}
