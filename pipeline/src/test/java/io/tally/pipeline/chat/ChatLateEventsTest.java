package io.tally.pipeline.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.connectors.testing.KafkaBrokerExtension;
import io.tally.connectors.testing.PostgresExtension;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.runtime.UserKey;
import io.tally.pipeline.testing.Db;
import io.tally.pipeline.testing.FlinkTestCluster;
import io.tally.pipeline.testing.JobRunner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Out-of-order and late events on a running job (SPEC §1.4, §1.5, §2.5, §1.10): a message later
 * than the 5 s watermark bound still updates its own day, across a day boundary; a repeat is
 * counted once; when the watermark passes a day's retention window the day row is deleted; and a
 * message older than the horizon is dead-lettered as {@code too-late} and counted in {@code
 * late_dropped}.
 */
class ChatLateEventsTest {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create();
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(60);

    /** Named instants, UTC. Retention is 3 days in this test. */
    static final long NOV1_1000 = at("2026-11-01T10:00:00Z");

    static final long NOV1_1500 = at("2026-11-01T15:00:00Z");
    static final long NOV1_LAST_MS = at("2026-11-01T23:59:59.999Z");
    static final long NOV2_MIDNIGHT = at("2026-11-02T00:00:00Z");
    static final long NOV2_1200 = at("2026-11-02T12:00:00Z");
    static final long NOV3_1000 = at("2026-11-03T10:00:00Z");
    static final long NOV6_1200 = at("2026-11-06T12:00:00Z");

    @Test
    void lateEventsUpdateTheirDayAndOldOnesAreDeadLettered() throws Exception {
        String suffix = "late" + System.nanoTime();
        TallyConfig config =
                JobRunner.config(
                        KAFKA.bootstrapServers(),
                        PG.jdbcUrl(),
                        suffix,
                        Map.of("retention-days", "3"));
        KAFKA.createTopics(2, config.chatTopic, config.deadLetterTopic);
        String url = PG.jdbcUrl();
        JobClient job = JobRunner.start(config);
        try {
            // Phase 1: in order, across the Nov 1 → Nov 2 boundary.
            send(config, "a1", "alice", "morning all", NOV1_1000);
            send(config, "a2", "Alice", "last one today", NOV1_LAST_MS);
            send(config, "a3", "alice", "first one tomorrow", NOV2_MIDNIGHT);
            send(config, "b1", "bob", "noon", NOV2_1200);
            Db.awaitCount(
                    url,
                    "SELECT count(*) FROM pipeline_status WHERE watermark >= '2026-11-02T11:59:00Z'",
                    1,
                    WAIT);

            // Phase 2: 21 hours late (far beyond the 5 s bound), and a repeat of a1.
            send(config, "a4", "ALICE", "remembered this", NOV1_1500);
            send(config, "a1", "alice", "morning all", NOV1_1000);
            Db.awaitCount(url, "SELECT records_in FROM pipeline_status", 6, WAIT);
            Db.awaitExactly(
                    url,
                    "SELECT message_count FROM user_daily_activity WHERE username = 'alice' AND date = '2026-11-01'",
                    3,
                    WAIT);
            assertThat(Db.dailyActivity(url))
                    .extracting(r -> r.subList(0, 6))
                    .containsExactly(
                            List.of(
                                    "alice",
                                    "2026-11-01",
                                    "3",
                                    "7",
                                    "" + NOV1_1000,
                                    "" + NOV1_LAST_MS),
                            List.of(
                                    "alice",
                                    "2026-11-02",
                                    "1",
                                    "3",
                                    "" + NOV2_MIDNIGHT,
                                    "" + NOV2_MIDNIGHT),
                            List.of("bob", "2026-11-02", "1", "1", "" + NOV2_1200, "" + NOV2_1200));
            Db.awaitExactly(
                    url, "SELECT message_count FROM user_stats WHERE username = 'alice'", 4, WAIT);

            // Phase 3: time moves to Nov 6; with 3 days of retention, Nov 1 and Nov 2 leave the
            // window
            // (date < Nov 6 − 3 = Nov 3) and their rows are deleted; Nov 3 stays.
            send(config, "a5", "alice", "still here", NOV3_1000);
            send(config, "c1", "carol", "hello from the future", NOV6_1200);
            Db.awaitExactly(
                    url,
                    "SELECT count(*) FROM user_daily_activity WHERE date < '2026-11-03'",
                    0,
                    WAIT);
            Db.awaitCount(
                    url,
                    "SELECT count(*) FROM pipeline_status WHERE watermark >= '2026-11-06T11:59:00Z'",
                    1,
                    WAIT);

            // Phase 4: a message for Nov 2 is now older than the horizon: too-late, not counted.
            send(config, "a6", "alice", "way too late", NOV2_1200);
            Db.awaitCount(url, "SELECT late_dropped FROM pipeline_status", 1, WAIT);
            // The splitter counts records once a second; the dedupe counts drops at once.
            Db.awaitCount(url, "SELECT records_in FROM pipeline_status", 9, WAIT);

            assertThat(Db.dailyActivity(url))
                    .extracting(r -> r.subList(0, 3))
                    .containsExactly(
                            List.of("alice", "2026-11-03", "1"),
                            List.of("carol", "2026-11-06", "1"));
            // All-time counters are kept (SPEC §1.10): alice's 5 counted messages, not the too-late
            // one.
            assertThat(
                            Db.rows(
                                    url,
                                    "SELECT message_count FROM user_stats WHERE username = 'alice'"))
                    .containsExactly(List.of("5"));
            assertThat(
                            Db.rows(
                                    url,
                                    "SELECT records_in, records_out, dead_letters, late_dropped FROM pipeline_status"))
                    .containsExactly(List.of("9", "7", "1", "1"));

            var dead = KAFKA.consume(config.deadLetterTopic, 1, WAIT);
            assertThat(dead).hasSize(1);
            JsonNode letter = MAPPER.readTree(dead.get(0).value());
            assertThat(letter.get("reason").asText()).isEqualTo("too-late");
            assertThat(letter.get("value").asText()).contains("\"id\":\"a6\"");
            assertThat(letter.get("source_topic").asText()).isEqualTo(config.chatTopic);
        } finally {
            job.cancel().get();
        }
    }

    private static void send(TallyConfig config, String id, String user, String text, long ts) {
        var n = MAPPER.createObjectNode();
        n.put("id", id);
        n.put("username", user);
        n.put("text", text);
        n.put("ts", ts);
        KAFKA.produce(
                config.chatTopic, UserKey.of(user), n.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }
}
