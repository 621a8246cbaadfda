package io.tally.pipeline.serve;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The pool every request reads through (SPEC §6.1.1): sessions are read-only with a 5 s statement
 * timeout, and each response is one REPEATABLE READ transaction so its counts and rows agree.
 */
public final class Database implements AutoCloseable {
    /** SPEC §6.1.1. */
    static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(5);

    /** A unit of reading inside one transaction. */
    @FunctionalInterface
    public interface Read<T> {
        T apply(Connection c) throws SQLException;
    }

    private final HikariDataSource pool;

    private Database(HikariDataSource pool) {
        this.pool = pool;
    }

    /**
     * Opens a pool of at most {@code maxConnections} over {@code jdbcUrl}. The first connection is
     * made here, so an unreachable server fails now, with the driver's message.
     */
    public static Database open(String jdbcUrl, String user, String password, int maxConnections)
            throws SQLException {
        // PgJDBC's own DataSource, not DriverManager: no driver registry in between (STACK.md).
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setURL(jdbcUrl);
        if (user != null) {
            pg.setUser(user);
        }
        if (password != null) {
            pg.setPassword(password);
        }
        pg.setApplicationName("tally-serve");
        // SPEC §6.1.1, as server settings of every session from its start: even a statement that
        // tried to write could not, and none runs for long. (Added to any options of the URL.)
        String options =
                "-c default_transaction_read_only=on -c statement_timeout="
                        + STATEMENT_TIMEOUT.toMillis();
        pg.setOptions(pg.getOptions() == null ? options : pg.getOptions() + " " + options);
        if (!jdbcUrl.contains("connectTimeout=")) {
            pg.setConnectTimeout(5);
        }
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("tally-serve");
        hc.setDataSource(pg);
        hc.setMaximumPoolSize(maxConnections);
        hc.setMinimumIdle(Math.min(2, maxConnections));
        hc.setConnectionTimeout(5_000);
        hc.setAutoCommit(false);
        hc.setReadOnly(true);
        hc.setTransactionIsolation("TRANSACTION_REPEATABLE_READ");
        // Fail at start-up on an unreachable server rather than on the first request.
        hc.setInitializationFailTimeout(1);
        try {
            return new Database(new HikariDataSource(hc));
        } catch (com.zaxxer.hikari.pool.HikariPool.PoolInitializationException e) {
            Throwable cause = e.getCause();
            throw cause instanceof SQLException s ? s : new SQLException(e.getMessage(), e);
        }
    }

    /** Runs {@code read} in one read-only REPEATABLE READ transaction. */
    public <T> T read(Read<T> read) throws SQLException {
        try (Connection c = pool.getConnection()) {
            try {
                T result = read.apply(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
