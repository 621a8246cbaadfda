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

    /**
     * Upserts (or deletes) of one flush from this many rows on go through COPY and one merge
     * statement ({@link CopyMerge}); fewer go as batched INSERTs. Measured with {@code UpsertBench}
     * (connectors/README.md): COPY's two extra statements cost more than they save below about 1000
     * rows (0.5-0.9x at 64-256 rows), and win from there (1.0-1.2x at 1000, 1.1-1.5x at 5000-20
     * 000).
     */
    public static final int DEFAULT_COPY_MIN_ROWS = 1000;

    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(200);
    public static final Duration DEFAULT_MAX_RETRY_BACKOFF = Duration.ofSeconds(10);

    /**
     * How long a flush keeps retrying a database that is down before it fails the job. Five minutes
     * rides through a restart, a failover or a short network partition without a job restart (issue
     * 9); the job's checkpoint timeout must stay above it (TallyJob sets it).
     */
    public static final Duration DEFAULT_RETRY_TIMEOUT = Duration.ofMinutes(5);

    /**
     * PgJDBC timeouts, in seconds, set unless the JDBC URL sets them: without them the driver waits
     * forever for a login or a reply, so a connection that a firewall or a failover silently
     * dropped hangs a flush (and with it every checkpoint) until the kernel gives up, minutes
     * later. With them a dead connection is noticed within {@value #SOCKET_TIMEOUT_SECONDS} s and
     * the flush retries on a new one. A flush sends batches of at most {@code maxBatchRows} rows,
     * each far below 30 s on a healthy server, so the socket timeout never cuts real work short.
     */
    static final int CONNECT_TIMEOUT_SECONDS = 10;

    static final int LOGIN_TIMEOUT_SECONDS = 20;
    static final int SOCKET_TIMEOUT_SECONDS = 30;

    private final String jdbcUrl;
    private final String user;
    // A String, not a Path: Path is not Serializable.
    private final String passwordFile;
    private final Duration flushInterval;
    private final int maxBatchRows;
    private final int maxBufferedRows;
    private final int copyMinRows;
    private final Duration retryBackoff;
    private final Duration maxRetryBackoff;
    private final Duration retryTimeout;

    private JdbcSettings(Builder b) {
        this.jdbcUrl = b.jdbcUrl;
        this.user = b.user;
        this.passwordFile = b.passwordFile == null ? null : b.passwordFile.toString();
        this.flushInterval = b.flushInterval;
        this.maxBatchRows = b.maxBatchRows;
        this.maxBufferedRows = b.maxBufferedRows;
        this.copyMinRows = b.copyMinRows;
        this.retryBackoff = b.retryBackoff;
        this.maxRetryBackoff = b.maxRetryBackoff;
        this.retryTimeout = b.retryTimeout;
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
                .copyMinRows(copyMinRows)
                .retryBackoff(retryBackoff)
                .maxRetryBackoff(maxRetryBackoff)
                .retryTimeout(retryTimeout);
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

    /** Flushes of at least this many upserts (deletes) write them with COPY and one merge. */
    public int copyMinRows() {
        return copyMinRows;
    }

    /** The pause before the first retry; it doubles for each further one. */
    public Duration retryBackoff() {
        return retryBackoff;
    }

    /** The longest pause between two retries (the doubling stops there). */
    public Duration maxRetryBackoff() {
        return maxRetryBackoff;
    }

    /**
     * How long a flush retries transient errors (counted from its first failure) before it gives up
     * and fails the job.
     */
    public Duration retryTimeout() {
        return retryTimeout;
    }

    /**
     * Opens a connection with batched-insert rewriting on and autocommit off (the upsert sink's
     * shape: one transaction per flush). Parameters in the URL win over these defaults.
     *
     * @param applicationName shown in {@code pg_stat_activity}, so an operator can tell which sink
     *     holds a connection
     */
    public Connection connect(String applicationName) throws SQLException, IOException {
        Properties props = connectionProperties(applicationName);
        if (passwordFile != null) {
            props.setProperty("password", readPassword());
        }
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

    /**
     * The driver properties besides the password. PgJDBC lets parameters of the URL win over these,
     * so a URL that sets {@code socketTimeout} (even to 0, "never") keeps its own.
     */
    Properties connectionProperties(String applicationName) {
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        // ~1.3x on batched upserts (STACK.md); safe because a flush never sends a key twice.
        props.setProperty("reWriteBatchedInserts", "true");
        props.setProperty("ApplicationName", applicationName);
        // Issue 9: notice a dead or silently dropped connection within 30 s (see the constants).
        props.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        props.setProperty("loginTimeout", Integer.toString(LOGIN_TIMEOUT_SECONDS));
        props.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS));
        props.setProperty("tcpKeepAlive", "true");
        return props;
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
                + ", copyMinRows="
                + copyMinRows
                + ", retryBackoff="
                + retryBackoff
                + ", maxRetryBackoff="
                + maxRetryBackoff
                + ", retryTimeout="
                + retryTimeout
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
        private int copyMinRows = DEFAULT_COPY_MIN_ROWS;
        private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
        private Duration maxRetryBackoff = DEFAULT_MAX_RETRY_BACKOFF;
        private Duration retryTimeout = DEFAULT_RETRY_TIMEOUT;

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

        /**
         * From how many rows a flush's upserts (deletes) go through COPY; {@code Integer.MAX_VALUE}
         * never, 1 always.
         */
        public Builder copyMinRows(int copyMinRows) {
            if (copyMinRows < 1) {
                throw new IllegalArgumentException("copyMinRows must be >= 1: " + copyMinRows);
            }
            this.copyMinRows = copyMinRows;
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

        public Builder maxRetryBackoff(Duration maxRetryBackoff) {
            if (maxRetryBackoff.isNegative()) {
                throw new IllegalArgumentException(
                        "maxRetryBackoff must not be negative: " + maxRetryBackoff);
            }
            this.maxRetryBackoff = maxRetryBackoff;
            return this;
        }

        /** Zero retries nothing: the first transient error fails the flush. */
        public Builder retryTimeout(Duration retryTimeout) {
            if (retryTimeout.isNegative()) {
                throw new IllegalArgumentException(
                        "retryTimeout must not be negative: " + retryTimeout);
            }
            this.retryTimeout = retryTimeout;
            return this;
        }

        public JdbcSettings build() {
            return new JdbcSettings(this);
        }
    }
}
