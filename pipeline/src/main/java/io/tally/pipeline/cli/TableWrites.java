package io.tally.pipeline.cli;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Row writes per table from PostgreSQL's statistics ({@code n_tup_ins + n_tup_upd + n_tup_del} of
 * {@code pg_stat_user_tables}), and distinct rows ({@code count(*)}), for {@code tally bench}.
 * Writes are the difference of two snapshots, so nothing is reset for anyone else.
 */
final class TableWrites {
    private TableWrites() {}

    /**
     * The cumulative writes of each table now. Backends report their statistics lazily (at most
     * once a second, and when they exit), so this waits until two reads a second apart agree.
     */
    static Map<String, Long> settled(Connection c, List<String> tables)
            throws SQLException, InterruptedException {
        Map<String, Long> last = read(c, tables);
        for (int i = 0; i < 10; i++) {
            Thread.sleep(1100);
            Map<String, Long> now = read(c, tables);
            if (now.equals(last)) {
                return now;
            }
            last = now;
        }
        return last;
    }

    static Map<String, Long> read(Connection c, List<String> tables) throws SQLException {
        Map<String, Long> m = new LinkedHashMap<>();
        try (Statement clear = c.createStatement()) {
            // Inside a transaction a backend keeps serving its first snapshot of the statistics.
            clear.execute("SELECT pg_stat_clear_snapshot()");
        }
        try (PreparedStatement s =
                c.prepareStatement(
                        "SELECT coalesce(n_tup_ins + n_tup_upd + n_tup_del, 0) FROM pg_stat_user_tables"
                                + " WHERE schemaname = current_schema() AND relname = ?")) {
            for (String t : tables) {
                s.setString(1, t);
                try (ResultSet rs = s.executeQuery()) {
                    m.put(t, rs.next() ? rs.getLong(1) : 0L);
                }
            }
        }
        return m;
    }

    static long rows(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
