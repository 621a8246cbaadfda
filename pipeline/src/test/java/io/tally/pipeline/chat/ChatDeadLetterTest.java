package io.tally.pipeline.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.connectors.testing.KafkaBrokerExtension;
import io.tally.connectors.testing.PostgresExtension;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.testing.Db;
import io.tally.pipeline.testing.FlinkTestCluster;
import io.tally.pipeline.testing.JobRunner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SPEC §1.6 end to end: every bad-record class reaching the chat topic lands in the dead-letter
 * topic with its reason and a precise error, is counted, and never stops the job; the good records
 * around them still count.
 */
class ChatDeadLetterTest {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create();
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final long TS = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();

    @Test
    void everyBadRecordClassIsDeadLetteredWhileGoodRecordsStillCount() throws Exception {
        String suffix = "dl" + System.nanoTime();
        TallyConfig config =
                JobRunner.config(
                        KAFKA.bootstrapServers(),
                        PG.jdbcUrl(),
                        suffix,
                        Map.of("max-record-bytes", "2048"));
        KAFKA.createTopics(2, config.chatTopic, config.deadLetterTopic);

        Map<String, byte[]> bad = new HashMap<>();
        bad.put(
                "too-large",
                good("big", "alice", "x".repeat(3000), TS).getBytes(StandardCharsets.UTF_8));
        bad.put(
                "invalid-utf8",
                new byte[] {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xc3, (byte) 0x28, '"', '}'});
        bad.put("not-json", "alice: hello".getBytes(StandardCharsets.UTF_8));
        bad.put("not-object", "[\"alice\",\"hello\"]".getBytes(StandardCharsets.UTF_8));
        bad.put(
                "missing-field",
                ("{\"id\":\"m1\",\"username\":\"alice\",\"ts\":" + TS + "}")
                        .getBytes(StandardCharsets.UTF_8));
        bad.put(
                "wrong-type",
                ("{\"id\":\"m2\",\"username\":\"alice\",\"text\":42,\"ts\":" + TS + "}")
                        .getBytes(StandardCharsets.UTF_8));
        bad.put(
                "bad-value",
                good("m3", "u".repeat(101), "hi", TS).getBytes(StandardCharsets.UTF_8));
        bad.put(
                "bad-timestamp",
                "{\"id\":\"m4\",\"username\":\"alice\",\"text\":\"hi\",\"ts\":\"yesterday\"}"
                        .getBytes(StandardCharsets.UTF_8));
        long future = System.currentTimeMillis() + Duration.ofDays(2).toMillis();
        bad.put(
                "future-timestamp",
                good("m5", "alice", "hi", future).getBytes(StandardCharsets.UTF_8));

        KAFKA.produce(
                config.chatTopic,
                "alice",
                good("g1", "Alice", "hello world", TS).getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            KAFKA.produce(config.chatTopic, "alice", e.getValue());
        }
        KAFKA.produce(
                config.chatTopic,
                "bob",
                good("g2", "bob", "café naïve", TS + 1).getBytes(StandardCharsets.UTF_8));
        KAFKA.produce(
                config.chatTopic,
                "alice",
                good("g3", "alice", "one-two-three", TS + 2).getBytes(StandardCharsets.UTF_8));

        JobRunner.runBounded(config);

        List<ConsumerRecord<byte[], byte[]>> dead =
                KAFKA.consume(config.deadLetterTopic, bad.size(), Duration.ofSeconds(30));
        Map<String, JsonNode> byReason = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            JsonNode n = MAPPER.readTree(r.value());
            byReason.put(n.get("reason").asText(), n);
            assertThat(n.get("source_topic").asText()).isEqualTo(config.chatTopic);
            assertThat(n.get("error").asText()).isNotBlank();
            assertThat(n.get("key").asText()).isEqualTo("alice");
            assertThat(n.has("partition") && n.has("offset") && n.has("at")).isTrue();
        }
        assertThat(byReason).containsOnlyKeys(bad.keySet());
        assertThat(dead).hasSize(bad.size());
        assertThat(byReason.get("bad-timestamp").get("error").asText())
                .isEqualTo("ts: expected epoch millis or ISO-8601 instant, got \"yesterday\"");
        assertThat(byReason.get("missing-field").get("error").asText())
                .isEqualTo("text: required field is missing");
        assertThat(byReason.get("not-json").get("value").asText()).isEqualTo("alice: hello");
        assertThat(byReason.get("invalid-utf8").get("value_encoding").asText()).isEqualTo("base64");

        assertThat(
                        Db.rows(
                                PG.jdbcUrl(),
                                "SELECT username, message_count, total_words FROM user_stats ORDER BY username"))
                .containsExactly(List.of("alice", "2", "5"), List.of("bob", "1", "3"));
        List<String> status =
                Db.rows(
                                PG.jdbcUrl(),
                                "SELECT records_in, records_out, dead_letters, late_dropped FROM pipeline_status WHERE pipeline = 'chat'")
                        .get(0);
        assertThat(status).containsExactly("12", "3", "9", "0");
    }

    static String good(String id, String user, String text, long ts) {
        var n = MAPPER.createObjectNode();
        n.put("id", id);
        n.put("username", user);
        n.put("text", text);
        n.put("ts", ts);
        return n.toString();
    }
}
