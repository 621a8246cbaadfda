package io.tally.pipeline.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.tally.connectors.kafka.ParsedRecord;
import io.tally.connectors.postgres.JdbcUrls;
import io.tally.connectors.postgres.LocalPostgres;
import io.tally.connectors.testing.KafkaBrokerExtension;
import io.tally.pipeline.app.KafkaSources;
import io.tally.pipeline.app.Preflight;
import io.tally.pipeline.app.ProductionSinks;
import io.tally.pipeline.app.TallyJob;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.testing.ChatStream;
import io.tally.pipeline.testing.Db;
import io.tally.pipeline.testing.FlinkTestCluster;
import io.tally.pipeline.testing.JobRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 9, SPEC §1.8: PostgreSQL stopped for 20 s (three times the retry budget the sink used to
 * have) in the middle of a chat run and started again costs nothing. The job (restarts off, so a
 * failure fails the test) waits for the database, catches up by itself, and every chat table ends
 * row by row as a failure-free run of the same input leaves it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ChatDatabaseOutageTest {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create();
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final Duration OUTAGE = Duration.ofSeconds(20);

    // A server of its own: the test stops it.
    private static LocalPostgres pg;

    @BeforeAll
    static void startServer() throws Exception {
        assumeThat(LocalPostgres.available()).as("PostgreSQL server binaries installed").isTrue();
        pg = LocalPostgres.start(Path.of("target", "pg-outage"));
    }

    @AfterAll
    static void stopServer() {
        if (pg != null) {
            pg.close();
        }
    }

    /** Slows the input so that it is still flowing when the database goes away. */
    static final class Paced
            implements MapFunction<ParsedRecord<ChatMessage>, ParsedRecord<ChatMessage>> {
        @Override
        public ParsedRecord<ChatMessage> map(ParsedRecord<ChatMessage> r) throws Exception {
            Thread.sleep(2);
            return r;
        }
    }

    @Test
    void aDatabaseDownFor20SecondsEndsWithTheRowsOfAFailureFreeRun() throws Exception {
        ChatStream stream =
                ChatStream.generate(
                        11, 3_000, 5, Instant.parse("2026-11-01T00:00:00Z").toEpochMilli());
        String suffix = "outage" + System.nanoTime();
        // Every message waits for the end of input in the achievements operator (as in
        // ChatAnyKafkaKeyTest), so all nine tables are independent of arrival timing.
        Map<String, String> settings = Map.of("max-out-of-orderness", "30d");
        TallyConfig baseline = config(suffix, "baseline", settings);
        TallyConfig outage = config(suffix, "outage", settings);
        KAFKA.createTopics(4, baseline.chatTopic, baseline.deadLetterTopic);
        KAFKA.produce(baseline.chatTopic, stream.lines);

        JobRunner.runBoundedWithoutRestarts(baseline);

        Preflight.migrate(outage);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TallyJob.configure(env, outage);
        TallyJob.define(env, outage, paced(outage), new ProductionSinks(outage));
        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        env.configure(noRestarts);
        JobClient job = env.executeAsync("tally-outage");

        Db.awaitCount(outage.jdbcUrl, "SELECT count(*) FROM user_stats", 1, Duration.ofSeconds(60));
        long readBefore =
                Db.count(
                        outage.jdbcUrl, "SELECT coalesce(sum(records_in), 0) FROM pipeline_status");
        pg.stopServer();
        long stoppedAt = System.nanoTime();
        Thread.sleep(OUTAGE.toMillis());
        assertThat(job.getJobStatus().get())
                .as("the job waits for the database instead of failing")
                .isEqualTo(JobStatus.RUNNING);
        pg.startServer();
        job.getJobExecutionResult().get(); // fails the test if any task failed
        long recoverySeconds =
                (System.nanoTime() - stoppedAt) / 1_000_000_000L - OUTAGE.toSeconds();

        assertThat(readBefore).as("the outage began mid-stream").isLessThan(stream.lines.size());
        assertThat(Db.count(outage.jdbcUrl, "SELECT records_in FROM pipeline_status"))
                .as("every record counted once")
                .isEqualTo(stream.lines.size());
        Map<String, List<List<String>>> expected = tables(baseline.jdbcUrl);
        Map<String, List<List<String>>> actual = tables(outage.jdbcUrl);
        assertThat(expected.get("user_stats")).isNotEmpty();
        for (String table : expected.keySet()) {
            assertThat(actual.get(table))
                    .as(
                            "%s after a %d s outage (caught up %d s later)",
                            table, OUTAGE.toSeconds(), recoverySeconds)
                    .isEqualTo(expected.get(table));
        }
    }

    private static TallyConfig config(String suffix, String database, Map<String, String> settings)
            throws Exception {
        Db.execute(pg.jdbcUrl(), "CREATE DATABASE " + database);
        return JobRunner.config(
                        KAFKA.bootstrapServers(),
                        JdbcUrls.withDatabase(pg.jdbcUrl(), database),
                        suffix,
                        settings)
                .with(Map.of("group-id", "test-" + database + suffix));
    }

    private static KafkaSources paced(TallyConfig config) {
        return new KafkaSources(config) {
            @Override
            public DataStream<ParsedRecord<ChatMessage>> chatMessages(
                    StreamExecutionEnvironment env) {
                return super.chatMessages(env)
                        .map(new Paced())
                        .returns(ParsedRecord.typeInfo(Types.POJO(ChatMessage.class)))
                        .name("Pace the input");
            }
        };
    }

    /** Every chat table without updated_at (wall clock), rows sorted. */
    private static Map<String, List<List<String>>> tables(String jdbcUrl) throws Exception {
        Map<String, List<List<String>>> tables = new LinkedHashMap<>();
        for (String table : ChatAnyKafkaKeyTest.CHAT_TABLES) {
            List<List<String>> columns =
                    Db.rows(
                            jdbcUrl,
                            "SELECT column_name FROM information_schema.columns WHERE table_name = '"
                                    + table
                                    + "' AND column_name <> 'updated_at' ORDER BY ordinal_position");
            String list = String.join(", ", columns.stream().map(c -> c.get(0)).toList());
            List<List<String>> rows =
                    new ArrayList<>(Db.rows(jdbcUrl, "SELECT " + list + " FROM " + table));
            rows.sort(Comparator.comparing(List::toString));
            tables.put(table, rows);
        }
        return tables;
    }
}
