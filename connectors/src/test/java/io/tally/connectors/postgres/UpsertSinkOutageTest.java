package io.tally.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 9: PostgreSQL going away for a while is ridden through. A real server process (a throwaway
 * cluster of its own, since the test stops it) is stopped while a job at parallelism 2 is writing,
 * stays down for 20 s — longer than the sink's old retry budget of about 6 s — and is started
 * again. Restarts are off, so a job failure fails the test; every row must land exactly as a run
 * without the outage leaves it.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class UpsertSinkOutageTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final int KEYS = 2000;
    private static final int VERSIONS = 2;
    private static final LocalDate DAY = LocalDate.of(2026, 3, 30);
    private static final Duration OUTAGE = Duration.ofSeconds(20);

    private static LocalPostgres pg;

    @BeforeAll
    static void startServer() throws Exception {
        assumeThat(LocalPostgres.available()).as("PostgreSQL server binaries installed").isTrue();
        pg = LocalPostgres.start(Path.of("target", "pg-outage"));
        execute(ScoreRow.ddl("scores_outage"));
    }

    @AfterAll
    static void stopServer() {
        if (pg != null) {
            pg.close();
        }
    }

    /** Record i is key i mod KEYS at version i / KEYS + 1; paced so the input spans the outage. */
    static final class Paced implements MapFunction<Long, ScoreRow> {
        @Override
        public ScoreRow map(Long i) throws Exception {
            Thread.sleep(4);
            return ScoreRow.upsert(
                    "usér-" + (i % KEYS), DAY, i, i % 3 == 0 ? null : i / 8.0, i / KEYS + 1);
        }
    }

    @Test
    void rowsWrittenWhileTheDatabaseIsDownLandWhenItIsBackWithoutAJobFailure() throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        // Checkpoints during the outage: their pre-barrier flushes wait too (and must not time
        // out).
        env.enableCheckpointing(500);
        env.fromSequence(0, (long) KEYS * VERSIONS - 1)
                .map(new Paced())
                .name("paced rows")
                .keyBy(ScoreRow::key)
                // The sink's defaults (retry timeout 5 min): the outage is ridden through as is.
                .sinkTo(
                        UpsertSink.of(
                                ScoreRow.table("scores_outage"),
                                JdbcSettings.builder(pg.jdbcUrl()).maxBatchRows(200).build()))
                .name("upsert scores_outage")
                .uid("upsert-scores-outage");
        JobClient job = env.executeAsync("upsert through an outage");

        awaitRows(1, Duration.ofSeconds(30));
        pg.stopServer();
        long stoppedAt = System.nanoTime();
        Thread.sleep(OUTAGE.toMillis());
        assertThat(job.getJobStatus().get())
                .as("the job keeps running while the database is down")
                .isEqualTo(JobStatus.RUNNING);
        pg.startServer();
        // Fails (restarts are off) if any flush gave up.
        job.getJobExecutionResult().get();
        long recoveredSeconds = (System.nanoTime() - stoppedAt) / 1_000_000_000L;

        List<String> expected = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            long last = (long) (VERSIONS - 1) * KEYS + k;
            expected.add(
                    ScoreRow.upsert(
                                    "usér-" + k,
                                    DAY,
                                    last,
                                    last % 3 == 0 ? null : last / 8.0,
                                    VERSIONS)
                            .asRow());
        }
        assertThat(query("SELECT name, day, count, score, version FROM scores_outage"))
                .as("every key at its last version, after %d s", recoveredSeconds)
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    private static void awaitRows(long atLeast, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (Long.parseLong(query("SELECT count(*) FROM scores_outage").get(0)) < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no rows written within " + timeout);
            }
            Thread.sleep(50);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl());
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static List<String> query(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    Object value = rs.getObject(i);
                    row.append(i > 1 ? "|" : "")
                            .append(value instanceof Double ? value.toString() : rs.getString(i));
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }
}
