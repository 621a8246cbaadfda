package io.tally.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.connectors.testing.PostgresExtension;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.runtime.operators.sink.SinkWriterOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * When the sink's writer flushes (SPEC §1.9), checked in Flink's own operator test harness, which
 * runs the real sink writer operator and lets the test drive processing time and checkpoints.
 */
class UpsertWriterTest {
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final AtomicInteger TABLES = new AtomicInteger();
    private static final LocalDate DAY = LocalDate.of(2026, 3, 30);
    private static final long START = 1_000_000L;

    private String table;

    @BeforeEach
    void createTable() throws SQLException {
        table = "scores_" + TABLES.incrementAndGet();
        PG.execute(ScoreRow.ddl(table));
    }

    @Test
    void bufferedRowsAreWrittenOnceTheFlushIntervalHasPassed() throws Exception {
        try (var harness = harness(settings().flushInterval(Duration.ofMillis(500)))) {
            harness.setProcessingTime(START);
            harness.processElement(ScoreRow.upsert("ada", DAY, 1, null, 1), 0);
            harness.setProcessingTime(START + 200);
            harness.processElement(ScoreRow.upsert("ada", DAY, 2, null, 2), 0);

            harness.setProcessingTime(START + 499);
            assertThat(Rows.scores(PG, table)).isEmpty();

            // The interval counts from the first row buffered, so no row waits longer than it.
            harness.setProcessingTime(START + 500);
            assertThat(Rows.scores(PG, table)).containsExactly("ada|2026-03-30|2|null|2");
            // Nothing buffered, so no timer: an idle sink does not wake up.
            assertThat(harness.getProcessingTimeService().getActiveTimerTimestamps()).isEmpty();

            harness.processElement(ScoreRow.upsert("ada", DAY, 3, null, 3), 0);
            assertThat(harness.getProcessingTimeService().getActiveTimerTimestamps())
                    .containsExactly(START + 1000);
            harness.setProcessingTime(START + 1000);
            assertThat(Rows.scores(PG, table)).containsExactly("ada|2026-03-30|3|null|3");
        }
    }

    @Test
    void aFullBufferIsFlushedWithoutWaitingForTheInterval() throws Exception {
        try (var harness = harness(settings().maxBufferedRows(3))) {
            harness.setProcessingTime(START);
            // Updates of one key take one buffer slot: no early flush.
            for (int version = 1; version <= 10; version++) {
                harness.processElement(ScoreRow.upsert("ada", DAY, version, null, version), 0);
            }
            harness.processElement(ScoreRow.upsert("bob", DAY, 1, null, 1), 0);
            assertThat(Rows.scores(PG, table)).isEmpty();

            harness.processElement(ScoreRow.upsert("cy", DAY, 1, null, 1), 0);

            assertThat(Rows.scores(PG, table))
                    .containsExactly(
                            "ada|2026-03-30|10|null|10",
                            "bob|2026-03-30|1|null|1",
                            "cy|2026-03-30|1|null|1");
        }
    }

    @Test
    void everyCheckpointBarrierAndTheEndOfInputFlushFirst() throws Exception {
        try (var harness = harness(settings().flushInterval(Duration.ofHours(1)))) {
            harness.setProcessingTime(START);
            harness.processElement(ScoreRow.upsert("ada", DAY, 1, null, 1), 0);

            // Before the barrier: a completed checkpoint implies its rows are committed, which is
            // why the buffer is not part of the snapshot.
            harness.prepareSnapshotPreBarrier(1);
            assertThat(Rows.scores(PG, table)).containsExactly("ada|2026-03-30|1|null|1");

            harness.processElement(ScoreRow.delete("ada", DAY, 2), 0);
            harness.processElement(ScoreRow.upsert("bob", DAY, 1, null, 1), 0);
            harness.endInput();
            assertThat(Rows.scores(PG, table)).containsExactly("bob|2026-03-30|1|null|1");
        }
    }

    private JdbcSettings.Builder settings() {
        return JdbcSettings.builder(PG.jdbcUrl());
    }

    private OneInputStreamOperatorTestHarness<ScoreRow, CommittableMessage<Void>> harness(
            JdbcSettings.Builder settings) throws Exception {
        UpsertSink<ScoreRow> sink = UpsertSink.of(ScoreRow.table(table), settings.build());
        var harness =
                new OneInputStreamOperatorTestHarness<ScoreRow, CommittableMessage<Void>>(
                        new SinkWriterOperatorFactory<ScoreRow, Void>(sink));
        harness.open();
        return harness;
    }
}
