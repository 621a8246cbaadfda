package io.tally.connectors.postgres;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.core.BaseConnection;
import org.postgresql.jdbc.TimestampUtils;

/**
 * The fast path of a large flush (issue 12): the rows are sent with {@code COPY … FROM STDIN} into
 * a session-local staging table, then written with one statement, {@link
 * UpsertTable#mergeSql(String)} ({@code INSERT … SELECT … ON CONFLICT …}, with the same guard and
 * {@code now()}) or {@link UpsertTable#deleteUsingSql(String)}. It saves the server parsing and
 * planning the batches' statements and the driver binding parameters one by one; the tuple work of
 * the upsert itself stays, so the gain measured here is 1.1–1.5× at 5000–20 000 rows, and a loss
 * below ~1000 rows (connectors/README.md), not the 4–5× STACK.md reports.
 *
 * <p><b>The same rows as the INSERT path, exactly.</b> A staging column has the type PgJDBC gives
 * the parameter the INSERT path binds for the column's Java values ({@code String} → {@code
 * varchar}, {@code Long} → {@code int8}, {@code Double} → {@code float8}, {@code BigDecimal} →
 * {@code numeric}, {@code OffsetDateTime} → {@code timestamptz}…), and the value is spelled as
 * PgJDBC spells it (dates and times by PgJDBC's own {@link TimestampUtils}); the merge then assigns
 * staging columns to the target's as the server assigns parameters, with the same casts, rounding
 * and errors. A column whose values in this flush are all null takes the target column's own type
 * (PgJDBC sends a null untyped, so the server takes the target's type too); so do strings under
 * {@code stringtype=unspecified}. When that cannot be done — a Java type not in {@link
 * ColumnValue}'s list, two types in one column, a target column not found — {@link #upsert}/{@link
 * #delete} write nothing and return false, and the caller uses the INSERT path.
 *
 * <p>Staging tables are {@code TEMP … ON COMMIT DELETE ROWS}: private to the connection, never
 * WAL-logged, emptied by the flush's commit and gone with the connection. One per shape (the column
 * types, upserts or deletes), created the first time a connection needs it, at most {@value
 * #MAX_STAGING_TABLES} per connection; a flush is one transaction, so a staging table is always
 * empty when a flush starts to fill it (a rolled-back flush rolls back its COPY, and the sink
 * closes the connection after any error anyway).
 *
 * <p>Errors are the caller's: a data error (SPEC §1.6) in the COPY or the merge fails the whole
 * statement, and the caller writes the flush again on the savepoint path, which finds the refused
 * rows. A COPY that fails is cancelled before the exception leaves, so the connection is never left
 * inside a COPY.
 */
final class CopyMerge {
    /** Staging tables per connection: one per shape, and shapes differ only in all-null columns. */
    static final int MAX_STAGING_TABLES = 16;

    /** Characters buffered before they are sent as one piece of COPY data. */
    private static final int CHUNK_CHARS = 1 << 16;

    private final UpsertTable<?> table;
    private final List<String> columns;
    private final int[] upsertColumns;
    // Key columns, then the version column when the table is guarded: the DELETE's parameters.
    private final int[] deleteColumns;

    // Valid for `connection` only (reset() when the caller drops it).
    private Connection connection;
    private Map<String, String> targetTypes;
    private final Map<String, String> stagingByShape = new HashMap<>();

    CopyMerge(UpsertTable<?> table, List<String> columns) {
        this.table = table;
        this.columns = columns;
        this.upsertColumns = new int[columns.size()];
        for (int i = 0; i < upsertColumns.length; i++) {
            upsertColumns[i] = i;
        }
        int keys = table.keyColumns().size();
        int versionIndex = table.versionIndex();
        this.deleteColumns = new int[versionIndex < 0 ? keys : keys + 1];
        for (int i = 0; i < keys; i++) {
            deleteColumns[i] = i;
        }
        if (versionIndex >= 0) {
            deleteColumns[keys] = versionIndex;
        }
    }

    /** Forgets the connection: its staging tables and the target's column types. */
    void reset() {
        connection = null;
        targetTypes = null;
        stagingByShape.clear();
    }

    /**
     * Upserts {@code rows} (each all columns: keys, then values) through COPY and one merge, or
     * returns false, having written nothing, when they need the INSERT path.
     */
    boolean upsert(Connection c, List<Object[]> rows) throws SQLException {
        return write(c, rows, upsertColumns, false);
    }

    /** Deletes the keys of {@code rows} (guarded by their version) in one statement, or false. */
    boolean delete(Connection c, List<Object[]> rows) throws SQLException {
        return write(c, rows, deleteColumns, true);
    }

    private boolean write(Connection c, List<Object[]> rows, int[] staged, boolean delete)
            throws SQLException {
        if (c != connection) {
            reset();
            connection = c;
        }
        BaseConnection pg = c.unwrap(BaseConnection.class);
        String[] types = new String[staged.length];
        for (int j = 0; j < staged.length; j++) {
            types[j] = stagingType(pg, rows, staged[j]);
            if (types[j] == null) {
                return false;
            }
        }
        String shape = (delete ? "delete " : "upsert ") + String.join(",", types);
        String staging = stagingByShape.get(shape);
        if (staging == null) {
            if (stagingByShape.size() >= MAX_STAGING_TABLES) {
                return false;
            }
            String name = "tally_staging_" + (stagingByShape.size() + 1);
            List<String> defs = new ArrayList<>();
            for (int j = 0; j < staged.length; j++) {
                defs.add(UpsertTable.quote(columns.get(staged[j])) + " " + types[j]);
            }
            try (Statement s = c.createStatement()) {
                s.execute(
                        "CREATE TEMP TABLE "
                                + UpsertTable.quote(name)
                                + " ("
                                + String.join(", ", defs)
                                + ") ON COMMIT DELETE ROWS");
            }
            staging = "pg_temp." + UpsertTable.quote(name);
            stagingByShape.put(shape, staging);
        }
        copy(pg, staging, rows, staged);
        try (Statement s = c.createStatement()) {
            s.executeUpdate(delete ? table.deleteUsingSql(staging) : table.mergeSql(staging));
        }
        return true;
    }

    /**
     * The staging type of one column for these rows (see the class comment), or null when only the
     * INSERT path can write them.
     */
    private String stagingType(BaseConnection pg, List<Object[]> rows, int column)
            throws SQLException {
        Class<?> type = null;
        for (Object[] row : rows) {
            Object v = row[column];
            if (v == null) {
                continue;
            }
            if (type == null) {
                type = v.getClass();
            } else if (type != v.getClass()) {
                return null;
            }
        }
        if (type == null || (type == String.class && !pg.getStringVarcharFlag())) {
            return targetType(columns.get(column));
        }
        return bindType(type);
    }

    /** The type of the parameter PgJDBC's {@code setObject} binds for a value of this class. */
    static String bindType(Class<?> type) {
        if (type == String.class) {
            return "varchar";
        } else if (type == Long.class) {
            return "int8";
        } else if (type == Integer.class) {
            return "int4";
        } else if (type == Short.class) {
            return "int2";
        } else if (type == Double.class) {
            return "float8";
        } else if (type == Float.class) {
            return "float4";
        } else if (type == BigDecimal.class) {
            return "numeric";
        } else if (type == Boolean.class) {
            return "bool";
        } else if (type == LocalDate.class) {
            return "date";
        } else if (type == LocalDateTime.class) {
            return "timestamp";
        } else if (type == OffsetDateTime.class) {
            return "timestamptz";
        }
        return null;
    }

    /** The declared type of a column of the target table, or null when there is no such column. */
    private String targetType(String column) throws SQLException {
        if (targetTypes == null) {
            Map<String, String> types = new HashMap<>();
            try (PreparedStatement s =
                    connection.prepareStatement(
                            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
                                    + " WHERE attrelid = to_regclass(?) AND attnum > 0"
                                    + " AND NOT attisdropped")) {
                s.setString(1, UpsertTable.quoteTable(table.name()));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        types.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            targetTypes = types;
        }
        return targetTypes.get(column);
    }

    private static void copy(BaseConnection pg, String staging, List<Object[]> rows, int[] staged)
            throws SQLException {
        TimestampUtils timestamps = pg.getTimestampUtils();
        CopyIn copy =
                pg.unwrap(PGConnection.class)
                        .getCopyAPI()
                        .copyIn("COPY " + staging + " FROM STDIN");
        try {
            StringBuilder text = new StringBuilder(CHUNK_CHARS + 4096);
            for (Object[] row : rows) {
                for (int j = 0; j < staged.length; j++) {
                    if (j > 0) {
                        text.append('\t');
                    }
                    appendValue(text, row[staged[j]], timestamps);
                }
                text.append('\n');
                // Whole rows only, so a surrogate pair is never cut between two pieces.
                if (text.length() >= CHUNK_CHARS) {
                    send(copy, text);
                }
            }
            send(copy, text);
            copy.endCopy();
        } finally {
            // An error (the server's, or the connection's) leaves the COPY open: end it, so the
            // connection is usable (or at least closable) by the caller.
            if (copy.isActive()) {
                try {
                    copy.cancelCopy();
                } catch (SQLException ignored) {
                    // The original error is the one to report; the caller closes the connection.
                }
            }
        }
    }

    private static void send(CopyIn copy, StringBuilder text) throws SQLException {
        if (text.length() == 0) {
            return;
        }
        // Java's UTF-8 encoder turns an unpaired surrogate into '?', as PgJDBC's does.
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        text.setLength(0);
    }

    /**
     * One value in COPY's text format, spelled as PgJDBC spells the parameter (numbers by their
     * {@code toString}, which the server's input functions read back exactly: shortest round-trip
     * doubles, {@code NaN}, {@code Infinity}, {@code 1E+3} numerics).
     */
    static void appendValue(StringBuilder out, Object v, TimestampUtils timestamps) {
        if (v == null) {
            out.append("\\N");
        } else if (v instanceof String s) {
            appendText(out, s);
        } else if (v instanceof Boolean b) {
            out.append(b ? 't' : 'f');
        } else if (v instanceof OffsetDateTime t) {
            appendText(out, timestamps.toString(t));
        } else if (v instanceof LocalDate d) {
            appendText(out, timestamps.toString(d));
        } else if (v instanceof LocalDateTime t) {
            appendText(out, timestamps.toString(t));
        } else {
            // Long, Integer, Short, Double, Float, BigDecimal (bindType refused anything else).
            out.append(v);
        }
    }

    /**
     * Text-format escaping: backslash, newline, carriage return and tab (the delimiter) are the
     * only characters COPY reads specially; everything else, quotes and U+2028 included, is
     * literal. A U+0000 is passed through: the server refuses it (22021) as it refuses the
     * parameter, and the caller's savepoint path rejects that row (SPEC §1.6).
     */
    static void appendText(StringBuilder out, String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(ch);
            }
        }
    }
}
