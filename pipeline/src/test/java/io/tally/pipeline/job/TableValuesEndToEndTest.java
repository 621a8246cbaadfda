package io.tally.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.connectors.members.LocalMembersApi;
import io.tally.connectors.members.MembersPage.Member;
import io.tally.connectors.testing.KafkaBrokerExtension;
import io.tally.connectors.testing.PostgresExtension;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.testing.Db;
import io.tally.pipeline.testing.FlinkTestCluster;
import io.tally.pipeline.testing.JobRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §1.6 "values no table can hold", end to end at parallelism 2 with real Kafka and PostgreSQL:
 * good records of all three pipelines mixed with NUL bytes, {@code \ud800} escapes, 5 KB rooms,
 * userkeys and audience ids, timestamps in year 0 and 10000, and a record of almost 1 MiB. Before,
 * any of these made the sink fail and the job restart forever (issue 8). Now the bounded job
 * finishes, every good record counts, every bad one is a dead letter whose error names the field,
 * and the large one's dead letter is cut so the broker takes it. Also SPEC §4.1: API members with a
 * NUL or overlong email are invalid, NUL is removed from their other fields.
 */
class TableValuesEndToEndTest {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create();
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final long TS = Instant.parse("2025-06-20T10:00:00Z").toEpochMilli();
    static final String SECRET = "s3cr3t-edge";

    @TempDir Path dir;

    /** What a bad record's dead letter must say: its reason and how its error starts. */
    record Expected(String reason, String errorStart) {}

    @Test
    void badValuesAreDeadLetteredAndGoodRecordsOfEveryPipelineCount() throws Exception {
        String suffix = "edge" + System.nanoTime();
        Path secret = dir.resolve("secret");
        Files.writeString(secret, SECRET);
        TallyConfig config =
                JobRunner.config(
                                KAFKA.bootstrapServers(),
                                PG.jdbcUrl(),
                                suffix,
                                Map.of(
                                        "pipelines", "chat,reviews,members",
                                        "topic-reviews", "reviews-" + suffix,
                                        "topic-members", "imports-" + suffix,
                                        "topic-alerts", "alerts-" + suffix))
                        .withCredentialFile("whop-main", secret.toString());
        KAFKA.createTopics(
                2,
                config.chatTopic,
                config.reviewsTopic,
                config.membersTopic,
                config.deadLetterTopic,
                config.alertsTopic);

        try (LocalMembersApi api = LocalMembersApi.start(0)) {
            api.requireSecret(SECRET);
            api.addAudience(
                    "good",
                    List.of(
                            new Member("m1", "ada@example.com", "Ada Lovelace", "ada"),
                            new Member(
                                    "m2", "chloe@example.com", "Chlo\u0000é Dupont", "ch\u0000loe"),
                            new Member("m3", "nul\u0000@example.com", "Nul", "nul"),
                            new Member("m4", "x".repeat(243) + "@example.com", "Long", "long"),
                            new Member("m5", "ADA@example.com", "Ada Again", "ada2"),
                            new Member("id\u00006", "li@example.com", "李 雷 x", "li")));
            String url = api.audienceUrl("good");

            Map<String, Expected> bad = new LinkedHashMap<>();
            produceChat(config, bad);
            produceReviews(config, bad);
            produceImports(config, url, bad);

            JobRunner.runBounded(config);

            List<ConsumerRecord<byte[], byte[]>> dead =
                    KAFKA.consume(config.deadLetterTopic, bad.size(), Duration.ofSeconds(30));
            Map<String, JsonNode> byKey = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                assertThat(r.serializedValueSize()).isLessThan(1 << 20);
                JsonNode n = MAPPER.readTree(r.value());
                byKey.put(n.get("key").asText(), n);
            }
            assertThat(byKey).containsOnlyKeys(bad.keySet());
            assertThat(dead).hasSize(bad.size());
            bad.forEach(
                    (key, expected) -> {
                        JsonNode n = byKey.get(key);
                        assertThat(n.get("reason").asText()).as(key).isEqualTo(expected.reason);
                        assertThat(n.get("error").asText()).as(key).startsWith(expected.errorStart);
                    });
            JsonNode huge = byKey.get("chat-huge");
            assertThat(huge.get("value_truncated").asBoolean()).isTrue();
            assertThat(huge.get("value_bytes").asLong()).isEqualTo(1_000_000);
            assertThat(huge.get("value").asText().getBytes(StandardCharsets.UTF_8).length)
                    .isLessThanOrEqualTo(65_536);

            String db = PG.jdbcUrl();
            assertThat(
                            Db.rows(
                                    db,
                                    "SELECT username, message_count, total_words FROM user_stats"
                                            + " ORDER BY username"))
                    .containsExactly(
                            List.of("alice", "10", "20"),
                            List.of("bob", "10", "30")); // SPEC §2.3: "café naïve" counts 3
            assertThat(Db.rows(db, "SELECT DISTINCT room_id FROM user_active_hours ORDER BY 1"))
                    .containsExactly(List.of("fatpizza"));
            assertThat(
                            Db.rows(
                                    db,
                                    "SELECT userkey, username, reviews_given, reviews_received,"
                                            + " reciprocal_reviews FROM leaderboard_scores"
                                            + " ORDER BY userkey"))
                    .containsExactly(
                            List.of("k:a", "alice", "1", "2", "1"),
                            List.of("k:b", "bob", "1", "1", "1"),
                            List.of("k:c", "carol", "1", "0", "0"));
            assertThat(
                            Db.rows(
                                    db,
                                    "SELECT job_id, status, members_seen, contacts_new,"
                                            + " duplicates, invalid FROM import_jobs"))
                    .containsExactly(List.of("job-good", "completed", "6", "3", "1", "2"));
            assertThat(
                            Db.rows(
                                    db,
                                    "SELECT email, member_id, first_name, last_name, username"
                                            + " FROM email_contacts ORDER BY email"))
                    .containsExactly(
                            List.of("ada@example.com", "m1", "Ada", "Lovelace", "ada"),
                            List.of("chloe@example.com", "m2", "Chloé", "Dupont", "chloe"),
                            List.of("li@example.com", "id6", "李", "雷 x", "li"));
            assertThat(Db.rows(db, "SELECT member_count FROM email_audiences"))
                    .containsExactly(List.of("3"));
            Map<String, Long> deadByPipeline = new HashMap<>();
            for (List<String> row :
                    Db.rows(db, "SELECT pipeline, dead_letters FROM pipeline_status")) {
                deadByPipeline.put(row.get(0), Long.parseLong(row.get(1)));
            }
            assertThat(deadByPipeline)
                    .containsEntry("chat", count(bad, "chat-"))
                    .containsEntry("reviews", count(bad, "review-"))
                    .containsEntry("members", count(bad, "import-"));
        }
    }

    private static long count(Map<String, Expected> bad, String prefix) {
        return bad.keySet().stream().filter(k -> k.startsWith(prefix)).count();
    }

    /** 10 good messages each from alice and bob, and the chat poison. */
    private static void produceChat(TallyConfig config, Map<String, Expected> bad) {
        for (int i = 0; i < 10; i++) {
            send(
                    config.chatTopic,
                    "alice",
                    chat("a" + i, "Alice", "fatpizza", "hello world", TS + i));
            send(config.chatTopic, "bob", chat("b" + i, "bob", "fatpizza", "café naïve", TS + i));
        }
        String bad1 = "bad-value";
        bad(
                config.chatTopic,
                bad,
                "chat-nul-username",
                chat("x1", "ali\\u0000ce", "r", "hi", TS),
                bad1,
                "username: contains U+0000 (NUL)");
        bad(
                config.chatTopic,
                bad,
                "chat-nul-room",
                chat("x2", "alice", "fat\\u0000pizza", "hi", TS),
                bad1,
                "room: contains U+0000 (NUL)");
        bad(
                config.chatTopic,
                bad,
                "chat-surrogate-room",
                chat("x3", "alice", "\\ud800", "hi", TS),
                bad1,
                "room: contains an unpaired surrogate (U+D800)");
        bad(
                config.chatTopic,
                bad,
                "chat-5k-room",
                chat("x4", "alice", "r".repeat(5000), "hi", TS),
                bad1,
                "room: at most 100 characters, got 5000");
        bad(
                config.chatTopic,
                bad,
                "chat-surrogate-text",
                chat("x5", "alice", "r", "a\\udc00b", TS),
                bad1,
                "text: contains an unpaired surrogate (U+DC00)");
        bad(
                config.chatTopic,
                bad,
                "chat-year-0",
                chat("x6", "alice", "r", "hi", "\"0000-01-01T00:00:00Z\""),
                "bad-timestamp",
                "ts: expected an instant from 1970-01-01T00:00:00Z");
        bad(
                config.chatTopic,
                bad,
                "chat-year-10000",
                chat("x7", "alice", "r", "hi", "\"+10000-01-01T00:00:00Z\""),
                "bad-timestamp",
                "ts: expected an instant from 1970-01-01T00:00:00Z");
        // Valid JSON of exactly 1 000 000 bytes (under max-record-bytes) whose text is too long.
        String head = chat("x8", "alice", "r", "", TS);
        String huge = chat("x8", "alice", "r", "y".repeat(1_000_000 - head.length()), TS);
        assertThat(huge.length()).isEqualTo(1_000_000);
        bad(config.chatTopic, bad, "chat-huge", huge, bad1, "text: at most 64 KiB");
    }

    /** Three good reviews (a and b reciprocal, c to a) and the reviews poison. */
    private static void produceReviews(TallyConfig config, Map<String, Expected> bad) {
        long hour = Duration.ofHours(1).toMillis();
        String topic = config.reviewsTopic;
        send(topic, "r1", review("r1", "k:a", "alice", "k:b", "bob", "\"ts\":" + TS));
        send(topic, "r2", review("r2", "k:b", "bob", "k:a", "alice", "\"ts\":" + (TS + hour)));
        send(
                topic,
                "r3",
                review("r3", "k:c", "carol", "k:a", "alice", "\"ts\":" + (TS + 2 * hour)));
        bad(
                topic,
                bad,
                "review-nul-userkey",
                review("x1", "k:\\u0000a", "alice", "k:b", "bob", "\"ts\":" + TS),
                "bad-value",
                "author.userkey: contains U+0000 (NUL)");
        bad(
                topic,
                bad,
                "review-5k-userkey",
                review("x2", "k:a", "alice", "k".repeat(5000), "bob", "\"ts\":" + TS),
                "bad-value",
                "subject.userkey: at most 256 characters, got 5000");
        bad(
                topic,
                bad,
                "review-surrogate-username",
                review("x3", "k:a", "ali\\ud800", "k:b", "bob", "\"ts\":" + TS),
                "bad-value",
                "author.username: contains an unpaired surrogate (U+D800)");
        bad(
                topic,
                bad,
                "review-year-0",
                review(
                        "x4",
                        "k:a",
                        "alice",
                        "k:b",
                        "bob",
                        "\"createdAt\":\"0000-01-01T00:00:00Z\""),
                "bad-timestamp",
                "createdAt: expected an instant from 1970-01-01T00:00:00Z");
        bad(
                topic,
                bad,
                "review-year-10000",
                review("x5", "k:a", "alice", "k:b", "bob", "\"ts\":253402300800000"),
                "bad-timestamp",
                "ts: expected an instant from 1970-01-01T00:00:00Z");
    }

    /** One good import job and the member-imports poison. */
    private static void produceImports(TallyConfig config, String url, Map<String, Expected> bad) {
        String topic = config.membersTopic;
        send(topic, "job-good", request("job-good", "good", url, "\"ts\":" + TS));
        bad(
                topic,
                bad,
                "import-nul-job",
                request("job\\u0000x", "good", url, "\"ts\":" + TS),
                "bad-value",
                "job_id: contains U+0000 (NUL)");
        bad(
                topic,
                bad,
                "import-surrogate-audience",
                request("job-s", "aud\\ud800", url, "\"ts\":" + TS),
                "bad-value",
                "audience_id: contains an unpaired surrogate (U+D800)");
        bad(
                topic,
                bad,
                "import-5k-audience",
                request("job-l", "a".repeat(5000), url, "\"ts\":" + TS),
                "bad-value",
                "audience_id: at most 256 characters, got 5000");
        bad(
                topic,
                bad,
                "import-year-10000",
                request("job-t", "good", url, "\"ts\":\"+10000-01-01T00:00:00Z\""),
                "bad-timestamp",
                "ts: expected an instant from 1970-01-01T00:00:00Z");
    }

    // Records are written as raw JSON text so that "\\u0000" and "\\ud800" stay JSON escapes.

    static String chat(String id, String username, String room, String text, long ts) {
        return chat(id, username, room, text, Long.toString(ts));
    }

    static String chat(String id, String username, String room, String text, String ts) {
        return "{\"id\":\""
                + id
                + "\",\"username\":\""
                + username
                + "\",\"room\":\""
                + room
                + "\",\"text\":\""
                + text
                + "\",\"ts\":"
                + ts
                + "}";
    }

    static String review(
            String id,
            String authorKey,
            String authorName,
            String subjectKey,
            String subjectName,
            String time) {
        return "{\"id\":\""
                + id
                + "\",\"author\":{\"userkey\":\""
                + authorKey
                + "\",\"username\":\""
                + authorName
                + "\"},\"subject\":{\"userkey\":\""
                + subjectKey
                + "\",\"username\":\""
                + subjectName
                + "\"},\"sentiment\":\"positive\","
                + time
                + "}";
    }

    static String request(String jobId, String audience, String url, String time) {
        return "{\"job_id\":\""
                + jobId
                + "\",\"audience_id\":\""
                + audience
                + "\",\"list_name\":\"List\",\"source\":{\"url\":\""
                + url
                + "\",\"credential\":\"whop-main\"},\"priority\":0,"
                + time
                + "}";
    }

    private static void bad(
            String topic,
            Map<String, Expected> bad,
            String key,
            String json,
            String reason,
            String error) {
        bad.put(key, new Expected(reason, error));
        send(topic, key, json);
    }

    private static void send(String topic, String key, String json) {
        KAFKA.produce(topic, key, json.getBytes(StandardCharsets.UTF_8));
    }
}
