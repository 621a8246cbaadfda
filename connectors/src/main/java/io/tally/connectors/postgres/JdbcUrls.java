package io.tally.connectors.postgres;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Small helpers around PostgreSQL JDBC URLs: swapping the database, probing a server, and masking
 * the secrets a URL may carry before it is shown anywhere.
 */
public final class JdbcUrls {
    private static final Pattern URL =
            Pattern.compile("^(jdbc:postgresql://[^/?]*)(/[^?]*)?(\\?.*)?$");

    /**
     * Query parameters whose value is masked: PgJDBC's {@code password} and {@code sslpassword}
     * (the client key's passphrase), {@code sslkey} (where that key lives), and, to be safe with
     * what other tools add, any key naming a password, passphrase, secret or token.
     */
    private static final Pattern SECRET_KEY =
            Pattern.compile("(?i)sslkey|.*(password|passwd|passphrase|secret|token).*");

    /** What a masked value becomes. */
    public static final String MASK = "***";

    private JdbcUrls() {}

    /**
     * The URL as it may be shown (console lines, error messages, Flink job parameters): the values
     * of secret-like query parameters ({@code password=s3cret} → {@code password=***}) and the
     * password of a {@code user:password@} authority ({@code user:***@}) masked; everything else as
     * given, so the user still recognises the server and database. Null stays null. SPEC §4.1/§5.2:
     * no password in any log line, message or the web UI.
     */
    public static String redact(String jdbcUrl) {
        if (jdbcUrl == null) {
            return null;
        }
        String url = jdbcUrl;
        String fragment = "";
        int hash = url.indexOf('#');
        if (hash >= 0) {
            fragment = url.substring(hash);
            url = url.substring(0, hash);
        }
        String query = null;
        int q = url.indexOf('?');
        if (q >= 0) {
            query = url.substring(q + 1);
            url = url.substring(0, q);
        }
        // A user:password@ before the hosts. The last '@' before the query ends it: a password
        // may itself contain '/' or '@', and over-masking a database name with an '@' in it is
        // the harmless way to be wrong.
        int start = url.indexOf("//");
        int at = url.lastIndexOf('@');
        if (start >= 0 && at > start) {
            String userInfo = url.substring(start + 2, at);
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                url =
                        url.substring(0, start + 2)
                                + userInfo.substring(0, colon + 1)
                                + MASK
                                + url.substring(at);
            }
        }
        if (query != null) {
            java.util.StringJoiner out = new java.util.StringJoiner("&");
            for (String param : query.split("&", -1)) {
                int eq = param.indexOf('=');
                String key = eq < 0 ? param : param.substring(0, eq);
                if (eq >= 0 && SECRET_KEY.matcher(decodeKey(key)).matches()) {
                    out.add(key + "=" + MASK);
                } else {
                    out.add(param);
                }
            }
            url = url + "?" + out;
        }
        return url + fragment;
    }

    /** A parameter name with its %XX escapes undone, so {@code pass%77ord} is seen too. */
    private static String decodeKey(String key) {
        try {
            return java.net.URLDecoder.decode(key, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return key;
        }
    }

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
