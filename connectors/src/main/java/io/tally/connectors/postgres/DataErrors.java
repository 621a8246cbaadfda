package io.tally.connectors.postgres;

import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Which database errors reject rows for their data (SPEC §1.6, "last line of defence"): the same
 * rows would fail again on every retry and every restart, so the sink isolates them instead of
 * failing the job. Everything else is either transient ({@link TransientErrors}, retried) or a
 * fault of the job or the schema (a missing table or column, a permission), which still fails
 * loudly.
 */
final class DataErrors {
    private DataErrors() {}

    /**
     * True for SQLState class 22 (data exception: U+0000 in text is 22021, a value out of range
     * 22003…), class 23 (integrity constraint: a CHECK the validator does not know, NOT NULL…),
     * 54000 (program limit: a btree index row over 2704 bytes) and 21000 (cardinality: two keys the
     * buffer held apart that PgJDBC made equal, e.g. unpaired surrogates sent as {@code ?}). Judged
     * on the server's own error behind a {@code BatchUpdateException}.
     */
    static boolean isDataError(SQLException e) {
        String state = TransientErrors.mostSpecific(e).getSQLState();
        if (state == null || state.length() != 5) {
            return false;
        }
        return state.startsWith("22")
                || state.startsWith("23")
                || state.equals("54000")
                || state.equals("21000");
    }

    /**
     * {@code SQLSTATE 23514: new row for relation "t" violates check constraint "c"}: the state and
     * the first line of the server's message, without PgJDBC's {@code ERROR:} prefix or the detail
     * lines (which repeat the failing row).
     */
    static String describe(SQLException e) {
        SQLException cause = TransientErrors.mostSpecific(e);
        String message = cause.getMessage();
        if (cause instanceof PSQLException p) {
            ServerErrorMessage server = p.getServerErrorMessage();
            if (server != null && server.getMessage() != null) {
                message = server.getMessage();
            }
        }
        return "SQLSTATE " + cause.getSQLState() + ": " + firstLine(message);
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
