package io.tally.pipeline.app;

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
import java.util.Properties;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing a producer sends can stop Tally (SPEC §1.6, issue 8), end to end at parallelism 2 with a
 * real Kafka broker and PostgreSQL, Flink's restarts switched off so that any task failure fails
 * the test: good records of all three pipelines, produced compressed (lz4, zstd, snappy, gzip),
 * mixed with one record of every bad class — not UTF-8, not JSON, not an object, missing and
 * mistyped fields, NUL bytes, {@code \ud800} escapes, 5 KB rooms, userkeys and audience ids,
 * timestamps in year 0, 10000 and the day after tomorrow, a self-review, a record of almost 1 MiB
 * and one over {@code max-record-bytes}, a 3 KB word (counted, no vocabulary row, §2.8), and a row
 * only the database refuses (a CHECK constraint the validator does not know). The bounded job
 * finishes, every good record counts, every bad one is a dead letter with its reason and an error
 * that names the field, and large dead letters are cut so the broker takes them. Also SPEC §4.1:
 * API members with a NUL or overlong email are invalid, NUL is removed from their other fields.
 */
class PoisonInputTest {
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
                                "topic-alerts", "alerts-" + suffix));
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
            // SPEC §4.1: the credential may go to the local members API only.
            config = config.withCredential("whop-main", secret.toString(), List.of(api.baseUrl()));

            Map<String, Expected> bad = new LinkedHashMap<>();
            produceChat(config, bad);
            produceReviews(config, bad);
            produceImports(config, url, bad);

            Preflight.migrate(config);
            // SPEC §1.6 last line of defence: a rule the validator does not know, so only
            // PostgreSQL can refuse this sender's user_stats row.
            Db.execute(
                    PG.jdbcUrl(),
                    "ALTER TABLE user_stats ADD CONSTRAINT no_refused_user"
                            + " CHECK (username <> 'db-refuses-me')");
            JobRunner.runBoundedWithoutRestarts(config);

            List<ConsumerRecord<byte[], byte[]>> dead =
                    KAFKA.consume(config.deadLetterTopic, bad.size(), Duration.ofSeconds(30));
            Map<String, JsonNode> byKey = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                assertThat(r.serializedValueSize()).isLessThan(1 << 20);
                JsonNode n = MAPPER.readTree(r.value());
                String key = n.get("key").asText();
                // A row the database refused is keyed by its primary key, as JSON.
                byKey.put(key.startsWith("{") ? "db-" + n.get("source_topic").asText() : key, n);
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
                            // 10 × "hello world" and the 3 KB word message ("see" + the word)
                            List.of("alice", "11", "22"),
                            List.of("bob", "10", "30")); // SPEC §2.3: "café naïve" counts 3
            // SPEC §2.8: the 3 KB word counts in vocabulary_size but has no user_vocabulary row.
            assertThat(
                            Db.rows(
                                    db,
                                    "SELECT vocabulary_size FROM message_analysis_cache"
                                            + " WHERE username = 'alice'"))
                    .containsExactly(List.of("4"));
            assertThat(
                            Db.rows(
                                    db,
                                    "SELECT word FROM user_vocabulary WHERE username = 'alice'"
                                            + " ORDER BY word"))
                    .containsExactly(List.of("hello"), List.of("see"), List.of("world"));
            JsonNode refused = byKey.get("db-user_stats");
            assertThat(refused.get("key").asText()).contains("db-refuses-me");
            assertThat(refused.get("error").asText()).contains("23514");
            assertThat(refused.get("partition").asInt()).isEqualTo(-1);
            JsonNode tooLarge = byKey.get("chat-too-large");
            assertThat(tooLarge.get("value_truncated").asBoolean()).isTrue();
            assertThat(tooLarge.get("value_bytes").asLong()).isEqualTo(1_100_000);
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
                    .containsEntry("chat", count(bad, "chat-") + count(bad, "db-"))
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
        // A good message with a 3 KB "word" (a pasted blob): counted, but no vocabulary row.
        send(
                config.chatTopic,
                "alice",
                chat("a-blob", "Alice", "fatpizza", "see " + "k".repeat(3000), TS + 20));
        // Valid, but the database refuses its user_stats row (a CHECK the validator ignores).
        bad.put("db-user_stats", new Expected("rejected-by-database", "SQLSTATE 23514"));
        send(config.chatTopic, "db-refuses-me", chat("z1", "db-refuses-me", "fatpizza", "hi", TS));
        rawBad(
                config.chatTopic,
                bad,
                "chat-invalid-utf8",
                new byte[] {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xc3, (byte) 0x28, '"', '}'},
                "invalid-utf8",
                "value is not valid UTF-8");
        bad(
                config.chatTopic,
                bad,
                "chat-not-json",
                "alice: hello",
                "not-json",
                "value is not JSON");
        bad(
                config.chatTopic,
                bad,
                "chat-not-object",
                "[\"alice\",\"hello\"]",
                "not-object",
                "expected a JSON object, got array");
        bad(
                config.chatTopic,
                bad,
                "chat-missing-text",
                "{\"id\":\"m1\",\"username\":\"alice\",\"ts\":" + TS + "}",
                "missing-field",
                "text: required field is missing");
        bad(
                config.chatTopic,
                bad,
                "chat-wrong-type",
                "{\"id\":\"m2\",\"username\":\"alice\",\"text\":\"hi\",\"ts\":true}",
                "wrong-type",
                "ts: expected epoch millis or ISO-8601 instant, got boolean");
        bad(
                config.chatTopic,
                bad,
                "chat-empty-id",
                chat("", "alice", "r", "hi", TS),
                "bad-value",
                "id: must not be empty");
        bad(
                config.chatTopic,
                bad,
                "chat-future",
                chat("x9", "alice", "r", "hi", System.currentTimeMillis() + 2 * 86_400_000L),
                "future-timestamp",
                "ts: ");
        bad(
                config.chatTopic,
                bad,
                "chat-5k-id",
                chat("i".repeat(5000), "alice", "r", "hi", TS),
                "bad-value",
                "id: at most 256 characters, got 5000");
        // Over max-record-bytes (1 MiB), yet the broker takes it: compressed, it is tiny.
        String over = chat("x10", "alice", "r", "", TS);
        bad(
                config.chatTopic,
                bad,
                "chat-too-large",
                chat("x10", "alice", "r", "z".repeat(1_100_000 - over.length()), TS),
                "too-large",
                "record is 1100000 bytes, more than max-record-bytes 1048576");
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
                "review-self",
                review("x6", "k:a", "alice", "k:a", "alice", "\"ts\":" + TS),
                "self-review",
                "");
        bad(
                topic,
                bad,
                "review-bad-sentiment",
                review("x7", "k:a", "alice", "k:b", "bob", "\"ts\":" + TS)
                        .replace("positive", "meh"),
                "bad-value",
                "sentiment: ");
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
                "import-missing-url",
                request("job-u", "good", url, "\"ts\":" + TS).replace("\"url\":", "\"uri\":"),
                "missing-field",
                "source.url: required field is missing");
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

    private static void rawBad(
            String topic,
            Map<String, Expected> bad,
            String key,
            byte[] value,
            String reason,
            String error) {
        bad.put(key, new Expected(reason, error));
        send(topic, key, value);
    }

    private static void send(String topic, String key, String json) {
        send(topic, key, json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Every record goes out compressed, as production producers send them: one codec per topic (lz4
     * for chat, zstd for reviews, snappy for imports) and gzip for the oversized records.
     */
    private static void send(String topic, String key, byte[] value) {
        String codec =
                value.length > 500_000
                        ? "gzip"
                        : topic.startsWith("chat-")
                                ? "lz4"
                                : topic.startsWith("reviews-") ? "zstd" : "snappy";
        try {
            PRODUCERS
                    .computeIfAbsent(codec, PoisonInputTest::producer)
                    .send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value))
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot send " + key + " to " + topic, e);
        }
    }

    private static final Map<String, KafkaProducer<byte[], byte[]>> PRODUCERS = new HashMap<>();

    private static KafkaProducer<byte[], byte[]> producer(String codec) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // The uncompressed 1.1 MB record must pass the producer's own size check; the broker
        // sees the compressed batch.
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 16L << 20);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    @AfterAll
    static void closeProducers() {
        PRODUCERS.values().forEach(KafkaProducer::close);
    }
}
