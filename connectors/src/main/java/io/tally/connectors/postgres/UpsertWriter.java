package io.tally.connectors.postgres;

import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Flink side of an {@link UpsertSink}: decides when to flush the {@link CoalescingUpserter},
 * writes its batches off the task thread, and reports metrics (SPEC §5.4).
 *
 * <p>When. A flush is due on a processing-time timer {@code flushInterval} after the first row
 * buffered since the last one, when {@code maxBufferedRows} keys wait, and in {@link #flush} (Flink
 * calls it before every checkpoint barrier and at the end of input).
 *
 * <p>Where. A due flush takes the buffer and hands it to this writer's own thread, which writes it
 * in one transaction (retries, refused rows and all) while the task thread goes on processing
 * records: a job's freshness no longer waits on PostgreSQL round trips for every table in a chain
 * (issue 12). One batch is in flight at a time, so batches commit in the order they were taken. A
 * flush that falls due while one is in flight waits for it, and meanwhile the rows keep coalescing
 * in the buffer. Backpressure: a buffer that reaches {@code maxBufferedRows} with a batch in flight
 * waits for that batch. {@link #flush} waits until everything buffered has committed, so a
 * completed checkpoint still implies its rows are committed (SPEC §1.8) and nothing is in the
 * snapshot.
 *
 * <p>A failed write (an error that is not the data's, or PostgreSQL down longer than the retry
 * timeout) fails the task from the mailbox as soon as it is known, or at the latest in the next
 * {@link #flush}.
 *
 * <p>Rows PostgreSQL refuses for their data (SPEC §1.6) leave a write as rejected rows; the task
 * thread counts them ({@code rejectedRows}) and, when {@link Rejections#toTopic} is set, sends them
 * as dead letters, waiting for Kafka's acknowledgements in {@link #flush} so that a completed
 * checkpoint implies its dead letters were sent (at least once).
 */
final class UpsertWriter<T> implements SinkWriter<T> {
    private static final Logger LOG = LoggerFactory.getLogger(UpsertWriter.class);
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final CoalescingUpserter<T> upserter;
    private final long flushIntervalMillis;
    private final int maxBufferedRows;
    private final ProcessingTimeService time;
    private final MailboxExecutor mailbox;
    private final ExecutorService writerThread;
    private final String tableName;

    private final Counter rowsWritten;
    private final Counter flushRetries;
    private final Counter rejectedRows;
    // Null when rejected rows are only logged (Rejections.logOnly).
    private final DeadLetterProducer deadLetters;
    private final Counter recordsSent;
    private volatile long lastFlushLatencyMillis;

    private ScheduledFuture<?> flushTimer;
    // The batch being written, or null; set and cleared on the task thread only.
    private CompletableFuture<CoalescingUpserter.FlushResult> inFlight;
    // A flush fell due while a batch was in flight: the next one starts when it commits.
    private boolean flushWanted;
    private boolean closed;

    UpsertWriter(
            CoalescingUpserter<T> upserter,
            JdbcSettings settings,
            ProcessingTimeService time,
            MailboxExecutor mailbox,
            SinkWriterMetricGroup metrics,
            String tableName,
            Rejections rejections,
            int subtask) {
        this.upserter = upserter;
        this.flushIntervalMillis = settings.flushInterval().toMillis();
        this.maxBufferedRows = settings.maxBufferedRows();
        this.time = time;
        this.mailbox = mailbox;
        this.tableName = tableName;
        String threadName = "tally-upsert " + tableName + " (" + subtask + ")";
        this.writerThread =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, threadName);
                            t.setDaemon(true);
                            return t;
                        });
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
            awaitInFlight();
            startFlush();
        } else if (flushTimer == null && !flushWanted) {
            // One timer per buffering period rather than a fixed tick: an idle sink (most of the
            // per-table sinks, most of the time) then never wakes up.
            flushTimer =
                    time.registerTimer(
                            time.getCurrentProcessingTime() + flushIntervalMillis,
                            this::onFlushTimer);
        }
    }

    private void onFlushTimer(long timestamp) {
        flushTimer = null;
        if (closed) {
            return;
        }
        if (inFlight != null) {
            flushWanted = true;
        } else {
            startFlush();
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        // Before a checkpoint barrier (SPEC §1.9): once the checkpoint completes, every row it
        // covers is committed, so the buffer never has to be part of the snapshot.
        awaitInFlight();
        flushWanted = false;
        startFlush();
        awaitInFlight();
        if (deadLetters != null) {
            // SPEC §1.6: the dead letters of every committed flush are in Kafka before the
            // barrier passes; if not, this throws, the checkpoint fails and the rows replay.
            deadLetters.flush();
        }
    }

    /** Hands the buffer to the writer thread; none may be in flight. */
    private void startFlush() {
        if (upserter.pending() == 0) {
            return;
        }
        CoalescingUpserter.Batch batch = upserter.take();
        CompletableFuture<CoalescingUpserter.FlushResult> write =
                CompletableFuture.supplyAsync(() -> writeOffTask(batch), writerThread);
        inFlight = write;
        write.whenComplete(
                (result, error) -> {
                    try {
                        mailbox.execute(
                                () -> onWritten(write), "upsert into " + tableName + " written");
                    } catch (RejectedExecutionException e) {
                        // The task is shutting down; close() or flush() sees the result.
                    }
                });
    }

    private CoalescingUpserter.FlushResult writeOffTask(CoalescingUpserter.Batch batch) {
        try {
            return upserter.write(batch);
        } catch (IOException e) {
            throw new CompletionException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    /** In the mailbox, once a write has finished: its result, then the flush that waited. */
    private void onWritten(CompletableFuture<CoalescingUpserter.FlushResult> write)
            throws IOException, InterruptedException {
        if (closed || write != inFlight) {
            return; // collected already, by flush() or a full buffer
        }
        awaitInFlight();
        if (flushWanted) {
            flushWanted = false;
            startFlush();
        }
    }

    /** Waits for the batch in flight, if any, and takes in its result or its failure. */
    private void awaitInFlight() throws IOException, InterruptedException {
        CompletableFuture<CoalescingUpserter.FlushResult> write = inFlight;
        if (write == null) {
            return;
        }
        CoalescingUpserter.FlushResult result;
        try {
            result = write.get();
        } catch (ExecutionException e) {
            inFlight = null;
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw new IOException(io.getMessage(), io);
            }
            if (cause instanceof InterruptedException) {
                throw new IOException("upsert into " + tableName + " was interrupted", cause);
            }
            throw new IOException("upsert into " + tableName + " failed: " + cause, cause);
        }
        inFlight = null;
        record(result);
    }

    private void record(CoalescingUpserter.FlushResult result) {
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
        // A batch still in flight is abandoned (its checkpoint never completed, so a restore
        // writes its rows again): interrupt its retries and wait a little for it to let go of
        // the connection before closing that.
        writerThread.shutdownNow();
        try {
            if (!writerThread.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.warn(
                        "The upsert into {} still runs {} ms after close; closing its connection",
                        tableName,
                        CLOSE_WAIT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        upserter.close();
        if (deadLetters != null) {
            deadLetters.close();
        }
    }
}
