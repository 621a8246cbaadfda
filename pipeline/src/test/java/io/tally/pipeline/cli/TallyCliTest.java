package io.tally.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.connectors.testing.KafkaBrokerExtension;
import io.tally.connectors.testing.PostgresExtension;
import io.tally.pipeline.testing.Db;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as a user meets it (SPEC §5.2): misconfiguration is one clear line and a
 * non-zero exit, {@code migrate} is idempotent (§1.11), {@code produce} feeds a file to a topic.
 */
class TallyCliTest {
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @TempDir Path dir;

    static CliRunner.Result tally(String... args) {
        return CliRunner.tally(args);
    }

    @Test
    void unreachableKafkaIsOneLineAndExitThreeWithin30Seconds() {
        long start = System.nanoTime();
        CliRunner.Result r =
                tally("run", "--bootstrap-servers", "127.0.0.1:1", "--jdbc-url", PG.jdbcUrl());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err().strip().lines())
                .containsExactly(
                        "tally: cannot reach Kafka at 127.0.0.1:1 within 10 s (is a broker running there? set --bootstrap-servers)");
    }

    @Test
    void unreachablePostgresIsOneLineAndExitThree() {
        CliRunner.Result r =
                tally(
                        "run",
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--jdbc-url",
                        "jdbc:postgresql://127.0.0.1:1/tally");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err())
                .startsWith(
                        "tally: cannot reach PostgreSQL at jdbc:postgresql://127.0.0.1:1/tally: ");
    }

    @Test
    void badOptionsAreOneLineAndExitTwo() {
        CliRunner.Result zone =
                tally("migrate", "--jdbc-url", PG.jdbcUrl(), "--timezone", "Mars/Base");
        assertThat(zone.exit()).isEqualTo(2);
        assertThat(zone.err().strip())
                .isEqualTo(
                        "tally: --timezone: unknown time zone 'Mars/Base' (an IANA zone such as Australia/Sydney, or an offset such as +10:00)");
        CliRunner.Result missing = tally("migrate");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("--jdbc-url is required");
        CliRunner.Result unknown = tally("run", "--no-such-flag");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown option: '--no-such-flag'");
    }

    @Test
    void migrateTwiceIsANoOp() throws Exception {
        CliRunner.Result first = tally("migrate", "--jdbc-url", PG.jdbcUrl());
        assertThat(first.exit()).isZero();
        assertThat(first.out()).startsWith("Applied ");
        CliRunner.Result second = tally("migrate", "--jdbc-url", PG.jdbcUrl());
        assertThat(second.exit()).isZero();
        assertThat(second.out().strip()).isEqualTo("Schema is up to date.");
        assertThat(Db.rows(PG.jdbcUrl(), "SELECT table_name FROM cache_freshness"))
                .extracting(r -> r.get(0))
                .containsExactlyInAnyOrder(
                        "user_stats",
                        "user_daily_activity",
                        "user_chat_streaks",
                        "user_active_hours",
                        "user_activity_summary",
                        "message_analysis_cache",
                        "user_vocabulary",
                        "chat_achievements",
                        "achievement_progress",
                        "leaderboard_entries",
                        "r4r_alerts",
                        "import_jobs",
                        "email_contacts",
                        "email_audiences",
                        "import_stats_daily");
        assertThat(Db.count(PG.jdbcUrl(), "SELECT count(*) FROM achievement_definitions"))
                .isEqualTo(12);
    }

    /**
     * Issue 13: a record the broker refuses is reported and the exit is non-zero; "Sent N" counts
     * only acknowledged records. Here the refusal is the producer's size limit, lowered with a
     * pass-through Kafka property (SPEC §5.2), so a record of 2 KB is too large.
     */
    @Test
    void produceReportsRecordsThatFailedToSendAndExitsNonZero() throws Exception {
        Path file = dir.resolve("mixed.jsonl");
        String big = "x".repeat(2048);
        Files.writeString(
                file,
                "{\"id\":\"1\",\"username\":\"Alice\",\"text\":\"hi\",\"ts\":1}\n"
                        + "{\"id\":\"2\",\"username\":\"Bob\",\"text\":\""
                        + big
                        + "\",\"ts\":2}\n");
        String topic = KAFKA.uniqueTopic("produce-fail");
        CliRunner.Result r =
                tally(
                        "produce",
                        "chat",
                        "--file",
                        file.toString(),
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--topic-chat",
                        topic,
                        "--kafka-property",
                        "max.request.size=1024");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err())
                .contains("1 of 2 record(s) could not be sent to " + topic)
                .contains("RecordTooLargeException")
                .contains("1 sent");
    }

    @Test
    void produceSendsEveryLineKeyedByUserKey() throws Exception {
        Path file = dir.resolve("chat.jsonl");
        Files.writeString(
                file,
                "{\"id\":\"1\",\"username\":\"Alice\",\"text\":\"hi\",\"ts\":1}\n"
                        + "\n"
                        + "not json, still sent\n"
                        + "{\"id\":\"2\",\"username\":\"Chloé\",\"text\":\"salut\",\"ts\":2}\n");
        String topic = KAFKA.uniqueTopic("produce");
        CliRunner.Result r =
                tally(
                        "produce",
                        "chat",
                        "--file",
                        file.toString(),
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--topic-chat",
                        topic);
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Sent 3 record(s) to " + topic);
        List<ConsumerRecord<byte[], byte[]>> records =
                KAFKA.consume(topic, 3, Duration.ofSeconds(20));
        assertThat(records)
                .extracting(
                        c -> c.key() == null ? null : new String(c.key(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("alice", null, "chloé");
    }

    @Test
    void statusShowsWhatItReachesAndSaysWhatItDoesNot() {
        assertThat(tally("migrate", "--jdbc-url", PG.jdbcUrl()).exit()).isZero();
        CliRunner.Result r =
                tally(
                        "status",
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--jdbc-url",
                        PG.jdbcUrl(),
                        "--flink-rest",
                        "http://127.0.0.1:1");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("Flink: no cluster answers at http://127.0.0.1:1")
                .contains("Consumer lag")
                .contains("nothing committed by group tally-chat")
                .contains("cache_freshness")
                .contains("user_stats")
                .contains("pipeline_status");
    }

    @Test
    void serveSaysInOneLineThatItCannotReachTheDatabase() {
        CliRunner.Result r =
                tally("serve", "--jdbc-url", "jdbc:postgresql://127.0.0.1:1/tally", "--port", "0");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err().strip())
                .startsWith("tally: cannot reach PostgreSQL at")
                .doesNotContain("\n");
    }

    @Test
    void everyCommandHasHelp() {
        for (String command :
                List.of(
                        "demo",
                        "run",
                        "migrate",
                        "produce",
                        "export",
                        "import-dazza",
                        "bench",
                        "status",
                        "serve")) {
            CliRunner.Result r = tally(command, "--help");
            assertThat(r.exit()).as(command).isZero();
            assertThat(r.out()).as(command).contains("Usage: tally " + command);
        }
    }
}
