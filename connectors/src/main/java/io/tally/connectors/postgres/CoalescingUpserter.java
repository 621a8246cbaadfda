package io.tally.connectors.postgres;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of an {@link UpsertSink} that knows nothing of Flink: it keeps the latest row per
 * primary key (SPEC §1.9) and writes them all in one transaction when asked, retrying transient
 * failures and setting aside rows the database refuses for their data (SPEC §1.6).
 *
 * <p>Two threads may share it, each with its own half: one buffers ({@link #add}, {@link #take}),
 * the other writes what was taken ({@link #write}, the only user of the connection). The sink's
 * writer buffers on the task thread and writes on a thread of its own, one batch at a time; {@link
 * #flush} does both on the caller's thread.
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
    private LinkedHashMap<List<Object>, Pending> pending = new LinkedHashMap<>();
    private final String applicationName;
    private final List<String> columns;
    // Null when rejected rows are not recorded in a ledger table (Rejections.countedIn).
    private final String ledgerSql;
    private final CopyMerge copyMerge;

    private Connection connection;
    // Rows the current flush attempt wrote through COPY (CopyMerge) rather than INSERT batches.
    private int copied;

    /** One buffered row: its column values, and whether it deletes the key. */
    private record Pending(Object[] values, boolean delete) {}

    /** Rows taken from the buffer for one write: the upserts, then the deletes. */
    static final class Batch {
        private final List<Pending> upserts;
        private final List<Pending> deletes;

        private Batch(Iterable<Pending> rows, int size) {
            upserts = new ArrayList<>(size);
            deletes = new ArrayList<>();
            for (Pending p : rows) {
                (p.delete ? deletes : upserts).add(p);
            }
        }

        int size() {
            return upserts.size() + deletes.size();
        }
    }

    /** What a flush did. */
    record FlushResult(
            int upserts,
            int deletes,
            List<RejectedRow> rejected,
            int retries,
            long millis,
            int copied) {
        static final FlushResult NOTHING = new FlushResult(0, 0, List.of(), 0, 0, 0);

        /** Rows committed: upserts and deletes, less the rejected ones. */
        int rows() {
            return upserts + deletes - rejected.size();
        }
    }

    CoalescingUpserter(UpsertTable<T> table, JdbcSettings settings) {
        this(table, settings, Rejections.logOnly());
    }

    CoalescingUpserter(UpsertTable<T> table, JdbcSettings settings, Rejections rejections) {
        this.table = table;
        this.settings = settings;
        List<String> all = new ArrayList<>(table.keyColumns());
        all.addAll(table.valueColumns());
        this.columns = List.copyOf(all);
        this.ledgerSql =
                rejections
                        .ledgerTable()
                        .map(
                                ledger ->
                                        "INSERT INTO "
                                                + UpsertTable.quoteTable(ledger)
                                                + " (table_name, row_key, version, error,"
                                                + " row_json, rejected_at) VALUES (?, ?, ?, ?, ?,"
                                                + " now()) ON CONFLICT DO NOTHING")
                        .orElse(null);
        this.keyCount = table.keyColumns().size();
        this.versionIndex = table.versionIndex();
        this.applicationName = "tally-upsert " + table.name();
        this.copyMerge = new CopyMerge(table, columns);
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
     * <p>SPEC §1.6, last line of defence: when PostgreSQL refuses a batch for its data ({@link
     * DataErrors}), the flush is rolled back and written again with a SAVEPOINT around each batch;
     * a refused batch is rolled back to its savepoint and split in halves until the refused rows
     * stand alone. They are returned as {@link FlushResult#rejected()} (and recorded in the ledger
     * table, when there is one); every other row commits in the flush's one transaction. The first
     * attempt uses no savepoints, so a flush with nothing to reject costs what it did.
     *
     * @throws IOException for an error that is neither transient nor about the rows' data (a
     *     missing table, a permission), or when transient errors outlast {@code retryTimeout}
     */
    FlushResult flush() throws IOException, InterruptedException {
        if (pending.isEmpty()) {
            return FlushResult.NOTHING;
        }
        // The buffer is cleared only on commit: a flush that throws leaves the rows in it.
        FlushResult result = write(new Batch(pending.values(), pending.size()));
        pending.clear();
        return result;
    }

    /**
     * Takes every buffered row out for a {@link #write} on another thread; the buffer starts empty.
     * Rows of a key buffered afterwards go to the next batch, so batches of one writer must be
     * written in the order they were taken.
     */
    Batch take() {
        Batch batch = new Batch(pending.values(), pending.size());
        pending = new LinkedHashMap<>();
        return batch;
    }

    /** Writes a batch as {@link #flush} does, but not from the buffer. */
    FlushResult write(Batch batch) throws IOException, InterruptedException {
        if (batch.size() == 0) {
            return FlushResult.NOTHING;
        }
        List<Pending> upserts = batch.upserts;
        List<Pending> deletes = batch.deletes;
        long start = System.nanoTime();
        int retries = 0;
        long firstFailure = 0; // System.nanoTime() of the first transient failure, if retries > 0
        boolean isolate = false;
        List<RejectedRow> rejected;
        while (true) {
            rejected = new ArrayList<>();
            copied = 0;
            try {
                if (connection == null) {
                    connection = settings.connect(applicationName);
                }
                write(table.upsertSql(), upserts, false, isolate, rejected);
                if (!deletes.isEmpty()) {
                    write(table.deleteSql().orElseThrow(), deletes, true, isolate, rejected);
                }
                if (!rejected.isEmpty() && ledgerSql != null) {
                    recordInLedger(rejected);
                }
                connection.commit();
                break;
            } catch (SQLException e) {
                discardConnection();
                SQLException cause = TransientErrors.mostSpecific(e);
                boolean transientError = TransientErrors.isTransient(e);
                if (!transientError && !isolate && DataErrors.isDataError(e)) {
                    // Which rows? Only a second pass under savepoints can tell (see above).
                    LOG.info(
                            "Upsert into {} refused for its data ({}); writing it again batch by"
                                    + " batch to isolate the refused rows",
                            table.name(),
                            DataErrors.describe(e));
                    isolate = true;
                    continue;
                }
                if (!transientError) {
                    throw new IOException(describe("failed", cause), e);
                }
                // Issue 9: a database that is down (a restart, a failover, a network partition)
                // is waited for, with capped exponential back-off, up to retryTimeout counted from
                // this flush's first failure; only then does the job fail (and restart from its
                // checkpoint). Retrying is always safe: the same absolute, version-guarded rows
                // are written again (SPEC §1.8), and nothing leaves the buffer before a commit.
                long now = System.nanoTime();
                if (retries == 0) {
                    firstFailure = now;
                }
                long waitedMillis = (now - firstFailure) / 1_000_000;
                long leftMillis = settings.retryTimeout().toMillis() - waitedMillis;
                if (leftMillis <= 0) {
                    throw new IOException(
                            describe(
                                    "failed: PostgreSQL unavailable for "
                                            + waitedMillis / 1000
                                            + " s, longer than the sink retry timeout of "
                                            + settings.retryTimeout().toSeconds()
                                            + " s ("
                                            + retries
                                            + " retries)",
                                    cause),
                            e);
                }
                long backoff = Math.min(backoff(retries), leftMillis);
                retries++;
                LOG.warn(
                        "Upsert into {} failed transiently (SQLState {}: {}); retry {} in {} ms on"
                                + " a new connection ({} s of the {} s retry timeout used)",
                        table.name(),
                        cause.getSQLState(),
                        DataErrors.firstLine(cause.getMessage()),
                        retries,
                        backoff,
                        waitedMillis / 1000,
                        settings.retryTimeout().toSeconds());
                Thread.sleep(backoff);
            }
        }
        return new FlushResult(
                upserts.size(),
                deletes.size(),
                List.copyOf(rejected),
                retries,
                (System.nanoTime() - start) / 1_000_000,
                copied);
    }

    /** {@code retryBackoff} doubled {@code retries} times, capped at {@code maxRetryBackoff}. */
    private long backoff(int retries) {
        long initial = Math.max(1, settings.retryBackoff().toMillis());
        long cap = settings.maxRetryBackoff().toMillis();
        return Math.min(cap, initial << Math.min(retries, 30));
    }

    private void write(
            String sql,
            List<Pending> rows,
            boolean delete,
            boolean isolate,
            List<RejectedRow> rejected)
            throws SQLException {
        // Issue 12: a large flush goes through COPY into a staging table and one merge (1.1-1.5x
        // at catch-up flush sizes, README). Not while isolating refused rows: that needs the
        // batches and their savepoints.
        if (!isolate && rows.size() >= settings.copyMinRows()) {
            List<Object[]> values = new ArrayList<>(rows.size());
            for (Pending p : rows) {
                values.add(p.values);
            }
            if (delete
                    ? copyMerge.delete(connection, values)
                    : copyMerge.upsert(connection, values)) {
                copied += rows.size();
                return;
            }
        }
        int maxBatchRows = settings.maxBatchRows();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int from = 0; from < rows.size(); from += maxBatchRows) {
                List<Pending> batch =
                        rows.subList(from, Math.min(rows.size(), from + maxBatchRows));
                if (isolate) {
                    writeIsolating(statement, batch, delete, rejected);
                } else {
                    executeBatch(statement, batch, delete);
                }
            }
        }
    }

    /**
     * Writes {@code rows} under a savepoint; if PostgreSQL refuses them for their data, rolls back
     * to it and bisects, so k refused rows of n cost about 2k·log2(n) small statements. A single
     * refused row is rejected. Two rows that collide only inside one statement (21000) both succeed
     * once split, and nothing is rejected.
     */
    private void writeIsolating(
            PreparedStatement statement,
            List<Pending> rows,
            boolean delete,
            List<RejectedRow> rejected)
            throws SQLException {
        Savepoint savepoint = connection.setSavepoint();
        try {
            executeBatch(statement, rows, delete);
            // Released at once: a transaction with many open subtransactions slows every query
            // on the server (the subtransaction cache holds 64 per backend).
            connection.releaseSavepoint(savepoint);
            return;
        } catch (SQLException e) {
            if (TransientErrors.isTransient(e) || !DataErrors.isDataError(e)) {
                throw e;
            }
            connection.rollback(savepoint);
            connection.releaseSavepoint(savepoint);
            if (rows.size() == 1) {
                rejected.add(reject(rows.get(0), e));
                return;
            }
        }
        int half = rows.size() / 2;
        writeIsolating(statement, rows.subList(0, half), delete, rejected);
        writeIsolating(statement, rows.subList(half, rows.size()), delete, rejected);
    }

    private void executeBatch(PreparedStatement statement, List<Pending> rows, boolean delete)
            throws SQLException {
        statement.clearBatch();
        for (Pending p : rows) {
            Object[] params = delete ? deleteParameters(p.values) : p.values;
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            statement.addBatch();
        }
        statement.executeBatch();
    }

    private RejectedRow reject(Pending p, SQLException e) {
        long version = -1;
        if (versionIndex >= 0 && p.values[versionIndex] instanceof Number n) {
            version = n.longValue();
        }
        RejectedRow row =
                new RejectedRow(
                        table.name(),
                        RowJson.of(columns, p.values, keyCount),
                        RowJson.of(columns, p.values, columns.size()),
                        version,
                        DataErrors.describe(e));
        LOG.warn(
                "PostgreSQL refused a row of {} for its data (SPEC 1.6, rejected-by-database):"
                        + " key {}: {}",
                table.name(),
                abbreviate(row.keyJson()),
                row.error());
        return row;
    }

    /**
     * One ledger row per rejection, in the flush's transaction: committed exactly when the good
     * rows are, and {@code ON CONFLICT DO NOTHING} keeps a replay of the same rows (after a
     * restore) from counting them again. Every text is {@link RowJson}-escaped or a server message,
     * so the ledger cannot refuse it.
     */
    private void recordInLedger(List<RejectedRow> rejected) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(ledgerSql)) {
            for (RejectedRow r : rejected) {
                statement.setString(1, r.table());
                statement.setString(2, r.keyJson());
                statement.setLong(3, r.version());
                statement.setString(4, r.error());
                statement.setString(5, r.rowJson());
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "… (" + s.length() + " chars)";
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

    private void discardConnection() {
        copyMerge.reset();
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
