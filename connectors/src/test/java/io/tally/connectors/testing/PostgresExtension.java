package io.tally.connectors.testing;

import io.tally.connectors.postgres.JdbcUrls;
import io.tally.connectors.postgres.LocalPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL for a test class, with a database of its own.
 *
 * <p>The server is {@code TALLY_TEST_JDBC_URL} if set, else the one on 127.0.0.1:5432, else a
 * throwaway local cluster started once per JVM. Use it as a static field with
 * {@code @RegisterExtension}.
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {
    private static String serverUrl;
    private static LocalPostgres throwaway;

    private String database;
    private String jdbcUrl;

    /** The test class's own database, as a JDBC URL that includes the user. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String database() {
        return database;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl);
    }

    /** Runs one statement in the test database. */
    public void execute(String sql) throws SQLException {
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        String server = server();
        database =
                ("t_"
                                + context.getRequiredTestClass().getSimpleName()
                                + "_"
                                + Integer.toHexString(ThreadLocalRandom.current().nextInt()))
                        .toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(server);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        jdbcUrl = JdbcUrls.withDatabase(server, database);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try (Connection c = DriverManager.getConnection(server());
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    private static synchronized String server() throws Exception {
        if (serverUrl == null) {
            String env = System.getenv("TALLY_TEST_JDBC_URL");
            if (env != null && !env.isBlank()) {
                serverUrl = env;
            } else if (JdbcUrls.listening("127.0.0.1", 5432, 1000)) {
                serverUrl = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
            } else {
                throwaway = LocalPostgres.start(Path.of("target", "pg"));
                Runtime.getRuntime().addShutdownHook(new Thread(throwaway::close));
                serverUrl = throwaway.jdbcUrl();
            }
        }
        return serverUrl;
    }
}
