package io.tally.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.connectors.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.runtime.operators.sink.SinkWriterOperatorFactory;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * When the sink's writer flushes (SPEC §1.9), and that its writes run off the task thread (issue
 * 12), checked in Flink's own operator test harness, which runs the real sink writer operator and
 * lets the test drive processing time, the task's mailbox and checkpoints.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
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
            awaitScores(harness, "ada|2026-03-30|2|null|2");
            // Nothing buffered, so no timer: an idle sink does not wake up.
            assertThat(harness.getProcessingTimeService().getActiveTimerTimestamps()).isEmpty();

            harness.processElement(ScoreRow.upsert("ada", DAY, 3, null, 3), 0);
            assertThat(harness.getProcessingTimeService().getActiveTimerTimestamps())
                    .containsExactly(START + 1000);
            harness.setProcessingTime(START + 1000);
            awaitScores(harness, "ada|2026-03-30|3|null|3");
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

            awaitScores(
                    harness,
                    "ada|2026-03-30|10|null|10",
                    "bob|2026-03-30|1|null|1",
                    "cy|2026-03-30|1|null|1");
        }
    }

    @Test
    void aSlowDatabaseDoesNotHoldUpTheTaskThreadAndRowsCoalesceMeanwhile() throws Exception {
        try (var harness = harness(settings().flushInterval(Duration.ofMillis(500)));
                Connection locker = PG.connect()) {
            locker.setAutoCommit(false);
            locker.createStatement().execute("LOCK TABLE " + table + " IN EXCLUSIVE MODE");
            harness.setProcessingTime(START);
            harness.processElement(ScoreRow.upsert("ada", DAY, 1, null, 1), 0);
            // The first batch goes to the writer thread, which waits for the lock ...
            harness.setProcessingTime(START + 500);
            awaitUpsertsWaitingForALock(1);

            // ... while the task thread goes on: records, a second due flush, more records.
            for (int version = 2; version <= 5; version++) {
                harness.processElement(ScoreRow.upsert("ada", DAY, version, null, version), 0);
            }
            harness.setProcessingTime(START + 1000);
            harness.processElement(ScoreRow.upsert("bob", DAY, 1, null, 1), 0);
            runMails(harness);
            assertThat(Rows.scores(PG, table)).isEmpty();

            // Once the first batch commits, the flush that fell due meanwhile writes the rest,
            // coalesced (ada's four later versions are one row), with no timer of its own.
            locker.rollback();
            awaitScores(harness, "ada|2026-03-30|5|null|5", "bob|2026-03-30|1|null|1");
            assertThat(harness.getProcessingTimeService().getActiveTimerTimestamps()).isEmpty();
        }
    }

    @Test
    void aFullBufferWaitsForTheBatchInFlight() throws Exception {
        try (var harness = harness(settings().maxBufferedRows(2));
                Connection locker = PG.connect()) {
            locker.setAutoCommit(false);
            locker.createStatement().execute("LOCK TABLE " + table + " IN EXCLUSIVE MODE");
            harness.setProcessingTime(START);
            harness.processElement(ScoreRow.upsert("ada", DAY, 1, null, 1), 0);
            harness.processElement(ScoreRow.upsert("bob", DAY, 1, null, 1), 0);
            awaitUpsertsWaitingForALock(1);
            harness.processElement(ScoreRow.upsert("cy", DAY, 1, null, 1), 0);

            // The buffer is full again with a batch still in flight: backpressure.
            CompletableFuture<Void> full =
                    CompletableFuture.runAsync(
                            () -> {
                                try {
                                    harness.processElement(
                                            ScoreRow.upsert("dee", DAY, 1, null, 1), 0);
                                } catch (Exception e) {
                                    throw new CompletionException(e);
                                }
                            });
            Thread.sleep(300);
            assertThat(full).isNotDone();

            locker.rollback();
            full.get(1, TimeUnit.MINUTES);
            harness.prepareSnapshotPreBarrier(1);
            assertThat(Rows.scores(PG, table))
                    .containsExactly(
                            "ada|2026-03-30|1|null|1",
                            "bob|2026-03-30|1|null|1",
                            "cy|2026-03-30|1|null|1",
                            "dee|2026-03-30|1|null|1");
        }
    }

    @Test
    void aWriteThatFailsFailsTheTaskFromTheMailboxAndAgainAtTheBarrier() throws Exception {
        try (var harness = harness(settings().flushInterval(Duration.ofMillis(500)))) {
            // A column the sink writes is gone: not the data's fault, so the job must fail.
            PG.execute("ALTER TABLE " + table + " DROP COLUMN score");
            harness.setProcessingTime(START);
            harness.processElement(ScoreRow.upsert("ada", DAY, 1, null, 1), 0);
            harness.setProcessingTime(START + 500);

            assertThatThrownBy(
                            () -> {
                                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                                while (System.nanoTime() < deadline) {
                                    runMails(harness);
                                    Thread.sleep(10);
                                }
                            })
                    .hasMessageContaining("upsert into " + table + " failed (SQLState 42703)");

            harness.processElement(ScoreRow.upsert("bob", DAY, 1, null, 1), 0);
            assertThatThrownBy(() -> harness.prepareSnapshotPreBarrier(1))
                    .hasStackTraceContaining("failed (SQLState 42703)");
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

    /**
     * Runs the task's mails (the writes' completions) until the table holds exactly {@code
     * expected}; a failed write's exception comes out of its mail.
     */
    private void awaitScores(
            OneInputStreamOperatorTestHarness<ScoreRow, CommittableMessage<Void>> harness,
            String... expected)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> scores;
        do {
            runMails(harness);
            scores = Rows.scores(PG, table);
            if (scores.equals(List.of(expected))) {
                // And the mail that collects the last write, so the writer is idle again.
                Thread.sleep(20);
                runMails(harness);
                return;
            }
            Thread.sleep(10);
        } while (System.nanoTime() < deadline);
        assertThat(scores).containsExactly(expected);
    }

    private static void runMails(
            OneInputStreamOperatorTestHarness<ScoreRow, CommittableMessage<Void>> harness)
            throws Exception {
        TaskMailbox mailbox = harness.getTaskMailbox();
        Optional<Mail> mail;
        while ((mail = mailbox.tryTake(TaskMailbox.MIN_PRIORITY)).isPresent()) {
            mail.get().run();
        }
    }

    private void awaitUpsertsWaitingForALock(int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> waiting;
        do {
            waiting =
                    Rows.query(
                            PG,
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                    + " AND application_name = 'tally-upsert "
                                    + table
                                    + "'");
            if (waiting.equals(List.of(Integer.toString(n)))) {
                return;
            }
            Thread.sleep(10);
        } while (System.nanoTime() < deadline);
        assertThat(waiting).containsExactly(Integer.toString(n));
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
