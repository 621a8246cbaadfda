package io.tally.connectors.postgres;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

/**
 * Where and how an {@link UpsertSink} writes: the server, the credentials, and the flush and retry
 * knobs (SPEC §1.9). Serializable, so it travels with the job graph; the password never does: it is
 * read from {@link #passwordFile()} each time a connection is opened (SPEC §5.2: no password on the
 * command line, and none in the job graph).
 */
public final class JdbcSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(500);
    public static final int DEFAULT_MAX_BATCH_ROWS = 1000;
    public static final int DEFAULT_MAX_BUFFERED_ROWS = 20_000;
    public static final int DEFAULT_MAX_RETRIES = 5;
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(200);

    private final String jdbcUrl;
    private final String user;
    // A String, not a Path: Path is not Serializable.
    private final String passwordFile;
    private final Duration flushInterval;
    private final int maxBatchRows;
    private final int maxBufferedRows;
    private final int maxRetries;
    private final Duration retryBackoff;

    private JdbcSettings(Builder b) {
        this.jdbcUrl = b.jdbcUrl;
        this.user = b.user;
        this.passwordFile = b.passwordFile == null ? null : b.passwordFile.toString();
        this.flushInterval = b.flushInterval;
        this.maxBatchRows = b.maxBatchRows;
        this.maxBufferedRows = b.maxBufferedRows;
        this.maxRetries = b.maxRetries;
        this.retryBackoff = b.retryBackoff;
    }

    /** The defaults for everything but the URL. */
    public static JdbcSettings of(String jdbcUrl) {
        return builder(jdbcUrl).build();
    }

    public static Builder builder(String jdbcUrl) {
        return new Builder(jdbcUrl);
    }

    public Builder toBuilder() {
        return new Builder(jdbcUrl)
                .user(user)
                .passwordFile(passwordFile())
                .flushInterval(flushInterval)
                .maxBatchRows(maxBatchRows)
                .maxBufferedRows(maxBufferedRows)
                .maxRetries(maxRetries)
                .retryBackoff(retryBackoff);
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The user, or null when the URL names it (or the driver's default applies). */
    public String user() {
        return user;
    }

    /** The file holding the password, or null when none is needed (trust auth, or in the URL). */
    public Path passwordFile() {
        return passwordFile == null ? null : Path.of(passwordFile);
    }

    public Duration flushInterval() {
        return flushInterval;
    }

    public int maxBatchRows() {
        return maxBatchRows;
    }

    public int maxBufferedRows() {
        return maxBufferedRows;
    }

    public int maxRetries() {
        return maxRetries;
    }

    /** The pause before the first retry; it doubles for each further one. */
    public Duration retryBackoff() {
        return retryBackoff;
    }

    /**
     * Opens a connection with batched-insert rewriting on and autocommit off (the upsert sink's
     * shape: one transaction per flush). Parameters in the URL win over these defaults.
     *
     * @param applicationName shown in {@code pg_stat_activity}, so an operator can tell which sink
     *     holds a connection
     */
    public Connection connect(String applicationName) throws SQLException, IOException {
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (passwordFile != null) {
            props.setProperty("password", readPassword());
        }
        // ~1.3x on batched upserts (STACK.md); safe because a flush never sends a key twice.
        props.setProperty("reWriteBatchedInserts", "true");
        props.setProperty("ApplicationName", applicationName);
        // The driver directly, not DriverManager: DriverManager only hands out drivers visible to
        // the caller's class loader, which under Flink's child-first user-code class loading is
        // not always the one that registered PgJDBC.
        Connection connection = new org.postgresql.Driver().connect(jdbcUrl, props);
        if (connection == null) {
            throw new SQLException("not a PostgreSQL JDBC URL: " + redactedUrl(), "08001");
        }
        connection.setAutoCommit(false);
        return connection;
    }

    private String readPassword() throws IOException {
        try {
            // Trimmed, like every secret file (SPEC §4.1): editors and `echo` add a newline.
            return Files.readString(Path.of(passwordFile)).strip();
        } catch (IOException e) {
            throw new IOException("cannot read the PostgreSQL password file " + passwordFile, e);
        }
    }

    /** The URL with its secrets masked ({@link JdbcUrls#redact}), for messages and logs. */
    public String redactedUrl() {
        return JdbcUrls.redact(jdbcUrl);
    }

    @Override
    public String toString() {
        return "JdbcSettings{url="
                + redactedUrl()
                + ", user="
                + user
                + ", passwordFile="
                + passwordFile
                + ", flushInterval="
                + flushInterval
                + ", maxBatchRows="
                + maxBatchRows
                + ", maxBufferedRows="
                + maxBufferedRows
                + ", maxRetries="
                + maxRetries
                + ", retryBackoff="
                + retryBackoff
                + "}";
    }

    /** Builds {@link JdbcSettings}; every knob starts at its documented default. */
    public static final class Builder {
        private final String jdbcUrl;
        private String user;
        private Path passwordFile;
        private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
        private int maxBatchRows = DEFAULT_MAX_BATCH_ROWS;
        private int maxBufferedRows = DEFAULT_MAX_BUFFERED_ROWS;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;

        private Builder(String jdbcUrl) {
            Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException(
                        "not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db): "
                                + JdbcUrls.redact(jdbcUrl));
            }
            this.jdbcUrl = jdbcUrl;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public Builder passwordFile(Path passwordFile) {
            this.passwordFile = passwordFile;
            return this;
        }

        public Builder flushInterval(Duration flushInterval) {
            if (flushInterval.isNegative() || flushInterval.isZero()) {
                throw new IllegalArgumentException(
                        "flushInterval must be positive: " + flushInterval);
            }
            this.flushInterval = flushInterval;
            return this;
        }

        public Builder maxBatchRows(int maxBatchRows) {
            if (maxBatchRows < 1) {
                throw new IllegalArgumentException("maxBatchRows must be >= 1: " + maxBatchRows);
            }
            this.maxBatchRows = maxBatchRows;
            return this;
        }

        public Builder maxBufferedRows(int maxBufferedRows) {
            if (maxBufferedRows < 1) {
                throw new IllegalArgumentException(
                        "maxBufferedRows must be >= 1: " + maxBufferedRows);
            }
            this.maxBufferedRows = maxBufferedRows;
            return this;
        }

        public Builder maxRetries(int maxRetries) {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0: " + maxRetries);
            }
            this.maxRetries = maxRetries;
            return this;
        }

        public Builder retryBackoff(Duration retryBackoff) {
            if (retryBackoff.isNegative()) {
                throw new IllegalArgumentException(
                        "retryBackoff must not be negative: " + retryBackoff);
            }
            this.retryBackoff = retryBackoff;
            return this;
        }

        public JdbcSettings build() {
            return new JdbcSettings(this);
        }
    }
}
