package io.tally.connectors.postgres;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of an {@link UpsertSink} that knows nothing of Flink: it keeps the latest row per
 * primary key (SPEC §1.9) and writes them all in one transaction when asked, retrying transient
 * failures. Not thread-safe: the sink's writer calls it from the task thread only.
 *
 * <p>Rows are kept as their extracted column values, not as {@code T}: values are taken at {@link
 * #add} time, so a job with object reuse may recycle the row object afterwards, and the buffer
 * never needs a copy or a serializer of {@code T}.
 */
final class CoalescingUpserter<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoalescingUpserter.class);

    private final UpsertTable<T> table;
    private final JdbcSettings settings;
    private final int keyCount;
    private final int versionIndex;
    private final LinkedHashMap<List<Object>, Pending> pending = new LinkedHashMap<>();
    private final String applicationName;

    private Connection connection;

    /** One buffered row: its column values, and whether it deletes the key. */
    private record Pending(Object[] values, boolean delete) {}

    /** What a flush did. */
    record FlushResult(int upserts, int deletes, int retries, long millis) {
        static final FlushResult NOTHING = new FlushResult(0, 0, 0, 0);

        int rows() {
            return upserts + deletes;
        }
    }

    CoalescingUpserter(UpsertTable<T> table, JdbcSettings settings) {
        this.table = table;
        this.settings = settings;
        this.keyCount = table.keyColumns().size();
        this.versionIndex = table.versionIndex();
        this.applicationName = "tally-upsert " + table.name();
    }

    /** Buffers a row, replacing what is buffered for its key unless that is newer. */
    void add(T row) {
        Object[] values = table.valuesOf(row);
        boolean delete = table.isDelete(row);
        List<Object> key = Arrays.asList(Arrays.copyOf(values, keyCount));
        if (versionIndex < 0) {
            // Insert-only tables: the database keeps the first row (DO NOTHING), so the buffer
            // does too; for unguarded upserts the latest row wins, as it would row by row.
            if (table.insertOnly()) {
                pending.putIfAbsent(key, new Pending(values, false));
            } else {
                pending.put(key, new Pending(values, delete));
            }
            return;
        }
        if (values[versionIndex] == null) {
            // A NULL version never passes the SQL guard; fail loudly instead of dropping updates.
            throw new IllegalArgumentException(
                    "version column "
                            + table.versionColumn().orElseThrow()
                            + " of "
                            + table.name()
                            + " must not be null");
        }
        Pending buffered = pending.get(key);
        // The in-memory twin of the `version <=` guard (SPEC §1.8): rows of one key can arrive
        // out of version order (a replay, or upstream subtasks interleaving); a flush must then
        // send the newest, not the last arrived, or the newer one would be lost in coalescing.
        if (buffered == null
                || compareVersions(values[versionIndex], buffered.values[versionIndex]) >= 0) {
            pending.put(key, new Pending(values, delete));
        }
    }

    /** Rows waiting for the next flush (one per key). */
    int pending() {
        return pending.size();
    }

    /**
     * Writes every buffered row in one transaction: upserts, then deletes, in batches of at most
     * {@code maxBatchRows} (each key once per flush, so once per batch). Transient failures roll
     * back and retry the whole flush on a new connection; the buffer is cleared only on commit.
     *
     * @throws IOException for a non-transient failure, or when the retries are used up
     */
    FlushResult flush() throws IOException, InterruptedException {
        if (pending.isEmpty()) {
            return FlushResult.NOTHING;
        }
        List<Object[]> upserts = new ArrayList<>(pending.size());
        List<Object[]> deletes = new ArrayList<>();
        for (Pending p : pending.values()) {
            if (p.delete) {
                deletes.add(deleteParameters(p.values));
            } else {
                upserts.add(p.values);
            }
        }
        long start = System.nanoTime();
        int retries = 0;
        while (true) {
            try {
                if (connection == null) {
                    connection = settings.connect(applicationName);
                }
                executeBatches(table.upsertSql(), upserts);
                if (!deletes.isEmpty()) {
                    executeBatches(table.deleteSql().orElseThrow(), deletes);
                }
                connection.commit();
                break;
            } catch (SQLException e) {
                discardConnection();
                SQLException cause = TransientErrors.mostSpecific(e);
                if (!TransientErrors.isTransient(e)) {
                    throw new IOException(describe("failed", cause), e);
                }
                if (retries >= settings.maxRetries()) {
                    throw new IOException(
                            describe("failed after " + retries + " retries", cause), e);
                }
                long backoff = settings.retryBackoff().toMillis() << Math.min(retries, 20);
                retries++;
                LOG.warn(
                        "Upsert into {} failed transiently (SQLState {}: {}); retry {} of {} in {}"
                                + " ms on a new connection",
                        table.name(),
                        cause.getSQLState(),
                        firstLine(cause.getMessage()),
                        retries,
                        settings.maxRetries(),
                        backoff);
                Thread.sleep(backoff);
            }
        }
        pending.clear();
        return new FlushResult(
                upserts.size(), deletes.size(), retries, (System.nanoTime() - start) / 1_000_000);
    }

    private void executeBatches(String sql, List<Object[]> rows) throws SQLException {
        int maxBatchRows = settings.maxBatchRows();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            int inBatch = 0;
            for (Object[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    statement.setObject(i + 1, row[i]);
                }
                statement.addBatch();
                if (++inBatch == maxBatchRows) {
                    statement.executeBatch();
                    inBatch = 0;
                }
            }
            if (inBatch > 0) {
                statement.executeBatch();
            }
        }
    }

    /** The key values, then the version for the guard when the table has one. */
    private Object[] deleteParameters(Object[] values) {
        if (versionIndex < 0) {
            return Arrays.copyOf(values, keyCount);
        }
        Object[] params = Arrays.copyOf(values, keyCount + 1);
        params[keyCount] = values[versionIndex];
        return params;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private int compareVersions(Object incoming, Object buffered) {
        if (isIntegral(incoming) && isIntegral(buffered)) {
            return Long.compare(((Number) incoming).longValue(), ((Number) buffered).longValue());
        }
        return ((Comparable) incoming).compareTo(buffered);
    }

    private static boolean isIntegral(Object o) {
        return o instanceof Long || o instanceof Integer || o instanceof Short;
    }

    private String describe(String what, SQLException e) {
        return "upsert into "
                + table.name()
                + " "
                + what
                + " (SQLState "
                + e.getSQLState()
                + "): "
                + e.getMessage();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private void discardConnection() {
        if (connection == null) {
            return;
        }
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // The connection is usually broken already; closing it is all that matters.
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Same: nothing left to release.
        }
        connection = null;
    }

    /** Closes the connection; rows still buffered are dropped (a restore replays them). */
    @Override
    public void close() {
        if (!pending.isEmpty()) {
            LOG.info(
                    "Closing the upsert writer for {} with {} unflushed rows",
                    table.name(),
                    pending.size());
        }
        discardConnection();
    }
}
