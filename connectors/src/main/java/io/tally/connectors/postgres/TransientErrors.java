package io.tally.connectors.postgres;

import java.io.IOException;
import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Which database errors an {@link UpsertSink} retries: those that say nothing about the rows, only
 * about the connection or the server's momentary state. A retry rewrites the same absolute,
 * version-guarded rows, so it is always safe (SPEC §1.8); what is not worth retrying is an error
 * the same rows would hit again (a constraint, a type, a missing table).
 */
final class TransientErrors {
    private TransientErrors() {}

    /**
     * True for SQLState class 08 (connection exception), 40001 (serialization failure), 40P01
     * (deadlock), class 53 (insufficient resources), 57P01–57P03 (administrator/crash shutdown,
     * cannot connect now), and for an error caused by an {@link IOException} (a broken socket).
     * Looks through a batch's next exceptions and the cause chain, because PgJDBC wraps the
     * server's error in a {@code BatchUpdateException}.
     */
    static boolean isTransient(SQLException e) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        return isTransient(e, seen);
    }

    private static boolean isTransient(Throwable t, Set<Throwable> seen) {
        if (t == null || !seen.add(t)) {
            return false;
        }
        if (t instanceof IOException) {
            return true;
        }
        if (t instanceof SQLException sql) {
            if (isTransientState(sql.getSQLState()) || isTransient(sql.getNextException(), seen)) {
                return true;
            }
        }
        return isTransient(t.getCause(), seen);
    }

    static boolean isTransientState(String state) {
        if (state == null || state.length() != 5) {
            return false;
        }
        return state.startsWith("08")
                || state.startsWith("53")
                || state.equals("40001")
                || state.equals("40P01")
                || state.equals("57P01")
                || state.equals("57P02")
                || state.equals("57P03");
    }

    /**
     * The most telling SQLState and message: a batch's first next exception is the server's own
     * error, where the batch exception's message repeats the whole rewritten statement with its
     * values (kilobytes for a 1000-row batch).
     */
    static SQLException mostSpecific(SQLException e) {
        SQLException next = e.getNextException();
        return next != null && next != e ? next : e;
    }
}
