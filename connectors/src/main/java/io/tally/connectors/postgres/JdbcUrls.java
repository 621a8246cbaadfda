package io.tally.connectors.postgres;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small helpers around PostgreSQL JDBC URLs: swapping the database, probing a server. */
public final class JdbcUrls {
    private static final Pattern URL =
            Pattern.compile("^(jdbc:postgresql://[^/?]*)(/[^?]*)?(\\?.*)?$");

    private JdbcUrls() {}

    /** The same server and parameters, another database. */
    public static String withDatabase(String jdbcUrl, String database) {
        Matcher m = URL.matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db): " + jdbcUrl);
        }
        return m.group(1) + "/" + database + (m.group(3) == null ? "" : m.group(3));
    }

    /** True when something accepts TCP connections on host:port within the timeout. */
    public static boolean listening(String host, int port, int timeoutMillis) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Creates {@code database} on the server of {@code serverUrl} unless it exists. */
    public static void createDatabaseIfMissing(String serverUrl, String database)
            throws SQLException {
        try (Connection c = DriverManager.getConnection(serverUrl);
                Statement s = c.createStatement();
                var rs =
                        s.executeQuery(
                                "SELECT 1 FROM pg_database WHERE datname = '"
                                        + database.replace("'", "''")
                                        + "'")) {
            if (!rs.next()) {
                s.execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
            }
        }
    }
}
