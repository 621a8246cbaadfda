package io.tally.connectors.postgres;

import io.tally.connectors.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Reads query results as {@code a|b|c} strings, for compact assertions. */
final class Rows {
    private Rows() {}

    static List<String> query(PostgresExtension pg, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = pg.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    if (i > 1) {
                        row.append('|');
                    }
                    // Doubles as Java prints them (PostgreSQL prints 250.0 as "250").
                    Object value = rs.getObject(i);
                    row.append(value instanceof Double ? value.toString() : rs.getString(i));
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }

    /**
     * The ledger of rejected rows, as the pipeline's migration creates it ({@link
     * Rejections#countedIn}): one row per (table, key, version), the key indexed by its md5.
     */
    static void createLedger(PostgresExtension pg, String name) throws SQLException {
        pg.execute(
                "CREATE TABLE "
                        + name
                        + " (table_name TEXT NOT NULL, row_key TEXT NOT NULL, version BIGINT NOT"
                        + " NULL, error TEXT NOT NULL, row_json TEXT NOT NULL, rejected_at"
                        + " TIMESTAMPTZ NOT NULL)");
        pg.execute(
                "CREATE UNIQUE INDEX "
                        + name
                        + "_once ON "
                        + name
                        + " (table_name, md5(row_key), version)");
    }

    /** The score rows of a table, sorted by key, in {@link ScoreRow#asRow()} form. */
    static List<String> scores(PostgresExtension pg, String table) throws SQLException {
        return query(
                pg,
                "SELECT name, day, count, score, version FROM " + table + " ORDER BY name, day");
    }
}
