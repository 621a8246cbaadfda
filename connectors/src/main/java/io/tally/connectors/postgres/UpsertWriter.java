package io.tally.connectors.postgres;

import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

/**
 * The Flink side of an {@link UpsertSink}: decides when to flush the {@link CoalescingUpserter} and
 * reports metrics (SPEC §5.4). Flushes happen on a processing-time timer {@code flushInterval}
 * after the first row buffered since the last one, when {@code maxBufferedRows} keys wait, and in
 * {@link #flush} (Flink calls it before every checkpoint barrier and at the end of input). Timer
 * callbacks run on the task thread, like {@link #write}, so nothing here is locked.
 *
 * <p>Rows PostgreSQL refuses for their data (SPEC §1.6) leave a flush as rejected rows; the writer
 * counts them ({@code rejectedRows}) and, when {@link Rejections#toTopic} is set, sends them as
 * dead letters, waiting for Kafka's acknowledgements in {@link #flush} so that a completed
 * checkpoint implies its dead letters were sent (at least once).
 */
final class UpsertWriter<T> implements SinkWriter<T> {
    private final CoalescingUpserter<T> upserter;
    private final long flushIntervalMillis;
    private final int maxBufferedRows;
    private final ProcessingTimeService time;

    private final Counter rowsWritten;
    private final Counter flushRetries;
    private final Counter rejectedRows;
    // Null when rejected rows are only logged (Rejections.logOnly).
    private final DeadLetterProducer deadLetters;
    private final Counter recordsSent;
    private volatile long lastFlushLatencyMillis;

    private ScheduledFuture<?> flushTimer;
    private boolean closed;

    UpsertWriter(
            CoalescingUpserter<T> upserter,
            JdbcSettings settings,
            ProcessingTimeService time,
            SinkWriterMetricGroup metrics,
            String tableName,
            Rejections rejections,
            int subtask) {
        this.upserter = upserter;
        this.flushIntervalMillis = settings.flushInterval().toMillis();
        this.maxBufferedRows = settings.maxBufferedRows();
        this.time = time;
        // A `table` sub-group, so several sinks in one job (one per cache table) report apart and
        // a reporter can label the series by table.
        var group = metrics.addGroup("table", tableName);
        this.rowsWritten = group.counter("rowsWritten");
        this.flushRetries = group.counter("flushRetries");
        // SPEC §5.4 (dead letters by reason): rows refused by the database, per table.
        this.rejectedRows = group.counter("rejectedRows");
        group.gauge("lastFlushLatencyMs", () -> lastFlushLatencyMillis);
        group.gauge("bufferedRows", upserter::pending);
        // Flink's standard sink metric too, so the web UI shows records sent for the operator.
        this.recordsSent = metrics.getNumRecordsSendCounter();
        this.deadLetters =
                rejections.topic().isPresent()
                        ? new DeadLetterProducer(
                                rejections, "tally-rejected-" + tableName + "-" + subtask)
                        : null;
    }

    @Override
    public void write(T row, Context context) throws IOException, InterruptedException {
        upserter.add(row);
        if (upserter.pending() >= maxBufferedRows) {
            flushNow();
        } else if (flushTimer == null) {
            // One timer per buffering period rather than a fixed tick: an idle sink (most of the
            // per-table sinks, most of the time) then never wakes up.
            flushTimer =
                    time.registerTimer(
                            time.getCurrentProcessingTime() + flushIntervalMillis,
                            this::onFlushTimer);
        }
    }

    private void onFlushTimer(long timestamp) throws IOException, InterruptedException {
        flushTimer = null;
        if (!closed) {
            flushNow();
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        // Before a checkpoint barrier (SPEC §1.9): once the checkpoint completes, every row it
        // covers is committed, so the buffer never has to be part of the snapshot.
        flushNow();
        if (deadLetters != null) {
            // SPEC §1.6: the dead letters of every committed flush are in Kafka before the
            // barrier passes; if not, this throws, the checkpoint fails and the rows replay.
            deadLetters.flush();
        }
    }

    private void flushNow() throws IOException, InterruptedException {
        CoalescingUpserter.FlushResult result = upserter.flush();
        if (!result.rejected().isEmpty()) {
            rejectedRows.inc(result.rejected().size());
            if (deadLetters != null) {
                Instant now = Instant.now();
                for (RejectedRow r : result.rejected()) {
                    deadLetters.send(r.toDeadLetter(now));
                }
            }
        }
        if (result.rows() == 0 && result.rejected().isEmpty()) {
            return;
        }
        rowsWritten.inc(result.rows());
        recordsSent.inc(result.rows());
        flushRetries.inc(result.retries());
        lastFlushLatencyMillis = result.millis();
    }

    @Override
    public void close() {
        closed = true;
        if (flushTimer != null) {
            flushTimer.cancel(false);
            flushTimer = null;
        }
        upserter.close();
        if (deadLetters != null) {
            deadLetters.close();
        }
    }
}
