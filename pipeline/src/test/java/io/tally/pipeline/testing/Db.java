package io.tally.pipeline.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reading tables in tests: rows as lists of strings, in a stable order. */
public final class Db {
    private Db() {}

    public static List<List<String>> rows(String jdbcUrl, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            List<List<String>> out = new ArrayList<>();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.add(rs.getString(i));
                }
                out.add(row);
            }
            return out;
        }
    }

    public static long count(String jdbcUrl, String sql) throws SQLException {
        List<List<String>> r = rows(jdbcUrl, sql);
        return r.isEmpty() || r.get(0).get(0) == null ? 0 : Long.parseLong(r.get(0).get(0));
    }

    public static void execute(String jdbcUrl, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Polls until {@code sql} returns at least {@code atLeast}, or fails after the timeout. */
    public static void awaitCount(String jdbcUrl, String sql, long atLeast, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1;
        while (System.nanoTime() < deadline) {
            try {
                last = count(jdbcUrl, sql);
                if (last >= atLeast) {
                    return;
                }
            } catch (SQLException e) {
                // The table may not exist yet while the job starts.
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                "timed out after "
                        + timeout
                        + " waiting for "
                        + sql
                        + " >= "
                        + atLeast
                        + " (last "
                        + last
                        + ")");
    }

    /** Polls until {@code sql} returns exactly {@code expected}, or fails after the timeout. */
    public static void awaitExactly(String jdbcUrl, String sql, long expected, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1;
        while (System.nanoTime() < deadline) {
            try {
                last = count(jdbcUrl, sql);
                if (last == expected) {
                    return;
                }
            } catch (SQLException e) {
                // The table may not exist yet while the job starts.
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                "timed out after "
                        + timeout
                        + " waiting for "
                        + sql
                        + " = "
                        + expected
                        + " (last "
                        + last
                        + ")");
    }

    /** The chat cache tables, every column but updated_at, in key order. */
    public static List<List<String>> userStats(String jdbcUrl) throws SQLException {
        return rows(
                jdbcUrl,
                "SELECT username, message_count, total_words, first_seen, last_seen, version"
                        + " FROM user_stats ORDER BY username COLLATE \"C\"");
    }

    public static List<List<String>> dailyActivity(String jdbcUrl) throws SQLException {
        return rows(
                jdbcUrl,
                "SELECT username, date, message_count, word_count, first_message_time,"
                        + " last_message_time, avg_message_length, version"
                        + " FROM user_daily_activity ORDER BY username COLLATE \"C\", date");
    }
}
