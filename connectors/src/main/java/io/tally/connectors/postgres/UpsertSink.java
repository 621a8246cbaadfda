package io.tally.connectors.postgres;

import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A Flink sink that upserts rows into one PostgreSQL table, coalescing them per primary key (SPEC
 * §1.8, §1.9). Every row it receives is an absolute, versioned value; the sink keeps the newest per
 * key and writes them every {@code flushInterval}, when {@code maxBufferedRows} keys are waiting,
 * and before every checkpoint barrier, so a completed checkpoint implies its rows are committed and
 * nothing needs to be in checkpointed state.
 *
 * <p>For the "each key written by one subtask" half of §1.8, {@code keyBy} the stream by the
 * table's primary key before {@code sinkTo}.
 *
 * <p>Rows PostgreSQL refuses for their data never fail the job (SPEC §1.6): the sink isolates them,
 * commits the rest, and hands them to its {@link Rejections} (dead-letter topic, ledger table; by
 * default they are only logged).
 *
 * <p>The sink never serializes {@code T}: the input type is whatever the job gives, and the buffer
 * holds extracted column values in memory only.
 */
public final class UpsertSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    private final UpsertTable<T> table;
    private final JdbcSettings settings;
    private final Rejections rejections;

    private UpsertSink(UpsertTable<T> table, JdbcSettings settings, Rejections rejections) {
        this.table = Objects.requireNonNull(table, "table");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.rejections = Objects.requireNonNull(rejections, "rejections");
    }

    /** A sink whose rejected rows are only logged ({@link Rejections#logOnly()}). */
    public static <T> UpsertSink<T> of(UpsertTable<T> table, JdbcSettings settings) {
        return new UpsertSink<>(table, settings, Rejections.logOnly());
    }

    public static <T> UpsertSink<T> of(
            UpsertTable<T> table, JdbcSettings settings, Rejections rejections) {
        return new UpsertSink<>(table, settings, rejections);
    }

    public UpsertTable<T> table() {
        return table;
    }

    public JdbcSettings settings() {
        return settings;
    }

    public Rejections rejections() {
        return rejections;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        return new UpsertWriter<>(
                new CoalescingUpserter<>(table, settings, rejections),
                settings,
                context.getProcessingTimeService(),
                context.getMailboxExecutor(),
                context.metricGroup(),
                table.name(),
                rejections,
                context.getTaskInfo().getIndexOfThisSubtask());
    }
}
