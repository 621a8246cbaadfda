package io.tally.pipeline.cli;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Prints a query result as an aligned text table, like psql does. */
final class TablePrinter {
    private TablePrinter() {}

    static void print(PrintStream out, Connection c, String title, String sql) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        String[] header;
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            header = new String[md.getColumnCount()];
            for (int i = 0; i < header.length; i++) {
                header[i] = md.getColumnLabel(i + 1);
            }
            while (rs.next()) {
                String[] row = new String[header.length];
                for (int i = 0; i < header.length; i++) {
                    String v = rs.getString(i + 1);
                    row[i] = v == null ? "" : v;
                }
                rows.add(row);
            }
        }
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
            for (String[] r : rows) {
                width[i] = Math.max(width[i], r[i].codePointCount(0, r[i].length()));
            }
        }
        out.println();
        out.println(title);
        out.println(line(header, width));
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < width.length; i++) {
            rule.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
        }
        out.println(rule);
        for (String[] r : rows) {
            out.println(line(r, width));
        }
        out.println("(" + rows.size() + " row" + (rows.size() == 1 ? "" : "s") + ")");
    }

    private static String line(String[] cells, int[] width) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            String c = cells[i];
            b.append(i == 0 ? "" : " | ")
                    .append(c)
                    .append(" ".repeat(width[i] - c.codePointCount(0, c.length())));
        }
        return b.toString().stripTrailing();
    }
}
