package io.tally.pipeline.app;

import io.tally.connectors.postgres.JdbcUrls;
import io.tally.connectors.postgres.SchemaMigrator;
import io.tally.pipeline.config.ConfigException;
import io.tally.pipeline.config.TallyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks before a job starts: Kafka and PostgreSQL answer (one clear line within seconds, not a
 * stack trace minutes later, SPEC §5.2), the topics exist, the schema is migrated (SPEC §1.11).
 */
public final class Preflight {
    private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);
    static final int TIMEOUT_SECONDS = 10;

    /** Partitions of topics Tally creates itself; enough for a few TaskManager slots. */
    public static final int DEFAULT_PARTITIONS = 4;

    private Preflight() {}

    /** Fails with {@link UnreachableException} unless the broker answers within 10 s. */
    public static void checkKafka(String bootstrapServers) {
        checkKafka(bootstrapServers, Map.of());
    }

    /** As above, with the user's Kafka client properties (SASL, SSL…; SPEC §5.2). */
    public static void checkKafka(TallyConfig config) {
        checkKafka(config.bootstrapServers, config.kafkaProperties);
    }

    private static void checkKafka(String bootstrapServers, Map<String, String> properties) {
        try (Admin admin = Admin.create(adminProps(bootstrapServers, properties))) {
            admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new UnreachableException(
                    "cannot reach Kafka at "
                            + bootstrapServers
                            + " within "
                            + TIMEOUT_SECONDS
                            + " s (is a broker running there? set --bootstrap-servers)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException("interrupted while connecting to Kafka");
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new UnreachableException(
                    "cannot use Kafka at " + bootstrapServers + ": " + e.getMessage());
        }
    }

    /**
     * Creates the topics that do not exist yet (existing ones are left as they are), with {@value
     * #DEFAULT_PARTITIONS} partitions and the broker's default replication factor — but only when
     * asked ({@code --create-topics}) or when the broker creates topics on first use anyway ({@code
     * auto.create.topics.enable}; it would give them its own partition count). Otherwise how a
     * topic is laid out is the operator's call, and a missing one is a one-line error (SPEC §5.2).
     * Says on stderr what it created; returns the names.
     */
    public static List<String> ensureTopics(TallyConfig config, List<String> topics) {
        String bootstrapServers = config.bootstrapServers;
        try (Admin admin = Admin.create(adminProps(bootstrapServers, config.kafkaProperties))) {
            Set<String> existing =
                    admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String t : new java.util.LinkedHashSet<>(topics)) {
                if (!existing.contains(t)) {
                    // Optional.empty(): the broker's default.replication.factor, not a fixed 1
                    // that would leave a production topic without replicas.
                    missing.add(new NewTopic(t, Optional.of(DEFAULT_PARTITIONS), Optional.empty()));
                }
            }
            if (missing.isEmpty()) {
                return List.of();
            }
            List<String> names = missing.stream().map(NewTopic::name).toList();
            if (!config.createTopics && !autoCreates(admin)) {
                throw new UnreachableException(
                        "topics missing on Kafka at "
                                + bootstrapServers
                                + ": "
                                + String.join(", ", names)
                                + " (the broker does not auto-create topics: create them, or pass"
                                + " --create-topics)");
            }
            List<String> created = new ArrayList<>();
            var result = admin.createTopics(missing);
            for (var e : result.values().entrySet()) {
                try {
                    e.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    created.add(e.getKey());
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw ex;
                    }
                }
            }
            if (!created.isEmpty()) {
                LOG.info("Created topics {}", created);
                System.err.println(
                        "tally: created topic(s) "
                                + String.join(", ", created)
                                + " ("
                                + DEFAULT_PARTITIONS
                                + " partitions, the broker's default replication factor)");
            }
            return created;
        } catch (TimeoutException | ExecutionException e) {
            throw new UnreachableException(
                    "cannot create topics on Kafka at "
                            + bootstrapServers
                            + ": "
                            + oneLine(
                                    e.getCause() != null
                                            ? e.getCause().getMessage()
                                            : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException("interrupted while creating topics");
        }
    }

    /** Whether a broker of the cluster would create a topic on first use. */
    private static boolean autoCreates(Admin admin)
            throws InterruptedException, ExecutionException, TimeoutException {
        var nodes = admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (nodes.isEmpty()) {
            return false;
        }
        ConfigResource broker =
                new ConfigResource(
                        ConfigResource.Type.BROKER, Integer.toString(nodes.iterator().next().id()));
        try {
            Config c =
                    admin.describeConfigs(List.of(broker))
                            .all()
                            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                            .get(broker);
            ConfigEntry e = c == null ? null : c.get("auto.create.topics.enable");
            return e != null && Boolean.parseBoolean(e.value());
        } catch (ExecutionException e) {
            // Not allowed to read broker configs (an ACL): do not guess; ask for --create-topics.
            LOG.debug("cannot read the broker's auto.create.topics.enable", e);
            return false;
        }
    }

    /** Fails with {@link UnreachableException} unless PostgreSQL accepts a connection in 10 s. */
    public static void checkPostgres(TallyConfig config) {
        if (config.jdbcUrl == null) {
            throw new ConfigException(
                    "--jdbc-url is required (e.g. jdbc:postgresql://127.0.0.1:5432/tally), or set TALLY_JDBC_URL");
        }
        try (Connection c = connect(config)) {
            c.isValid(TIMEOUT_SECONDS);
        } catch (SQLException e) {
            throw new UnreachableException(
                    "cannot reach PostgreSQL at "
                            + JdbcUrls.redact(config.jdbcUrl)
                            + ": "
                            + oneLine(e.getMessage()));
        }
    }

    /** Applies the schema migrations; returns how many ran now. */
    public static int migrate(TallyConfig config) {
        return migrateAndWriteSettings(config);
    }

    /**
     * Drops the PgJDBC driver this class loader registered in {@link DriverManager} (PgJDBC
     * registers itself when its class loads). On a Flink session cluster main() runs inside the
     * JobManager with a fresh user-code class loader per submission; a registered driver keeps that
     * loader and its classes alive, and the JobManager's metaspace ran out after about ten
     * submissions. Only for {@link TallyJobMain}: in the CLI and tests other code still uses
     * DriverManager afterwards.
     */
    public static void deregisterOwnDrivers() {
        ClassLoader own = Preflight.class.getClassLoader();
        for (java.sql.Driver d : java.util.Collections.list(DriverManager.getDrivers())) {
            if (d.getClass().getClassLoader() == own) {
                try {
                    DriverManager.deregisterDriver(d);
                } catch (SQLException e) {
                    LOG.debug("could not deregister {}", d, e);
                }
            }
        }
    }

    private static int migrateAndWriteSettings(TallyConfig config) {
        checkPostgres(config);
        int applied =
                SchemaMigrator.migrate(
                        withTimeouts(config.jdbcUrl),
                        config.jdbcUser,
                        password(config),
                        Preflight.class.getClassLoader(),
                        "classpath:db/migration");
        // The views read the configured threshold from the database (SPEC §3.2 high_risk_r4rs).
        try (Connection c = connect(config);
                var ps =
                        c.prepareStatement(
                                "INSERT INTO tally_settings (key, value) VALUES ('high-risk-threshold', ?)"
                                        + " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value")) {
            ps.setString(1, Integer.toString(config.highRiskThreshold));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new UnreachableException(
                    "cannot write settings to PostgreSQL: " + oneLine(e.getMessage()));
        }
        return applied;
    }

    public static Connection connect(TallyConfig config) throws SQLException {
        Properties props = new Properties();
        if (config.jdbcUser != null) {
            props.setProperty("user", config.jdbcUser);
        }
        String password = password(config);
        if (password != null) {
            props.setProperty("password", password);
        }
        // The driver directly, not DriverManager (like JdbcSettings.connect): DriverManager hands a
        // caller only drivers its own class loader can load, and in a Flink JobManager it keeps the
        // PgJDBC of the first submission's class loader, so every later submission of the jar to
        // the same cluster failed with "No suitable driver found".
        Connection c = new org.postgresql.Driver().connect(withTimeouts(config.jdbcUrl), props);
        if (c == null) {
            throw new SQLException(
                    "not a PostgreSQL JDBC URL: " + JdbcUrls.redact(config.jdbcUrl), "08001");
        }
        return c;
    }

    /** The password from --jdbc-password-file, or null. */
    public static String password(TallyConfig config) {
        if (config.jdbcPasswordFile == null) {
            return null;
        }
        try {
            return Files.readString(java.nio.file.Path.of(config.jdbcPasswordFile)).trim();
        } catch (IOException e) {
            throw new ConfigException(
                    "--jdbc-password-file: cannot read "
                            + config.jdbcPasswordFile
                            + ": "
                            + e.getMessage());
        }
    }

    /** Bounds connecting, so an unreachable server is reported within the SPEC §5.2 30 s. */
    private static String withTimeouts(String url) {
        String sep = url.contains("?") ? "&" : "?";
        String out = url;
        if (!url.contains("connectTimeout=")) {
            out += sep + "connectTimeout=" + TIMEOUT_SECONDS;
            sep = "&";
        }
        if (!url.contains("loginTimeout=")) {
            out += sep + "loginTimeout=" + TIMEOUT_SECONDS;
        }
        return out;
    }

    /**
     * Admin client settings: Tally's short timeouts, the user's Kafka properties over them (SPEC
     * §5.2), and the bootstrap servers.
     */
    public static Properties adminProps(String bootstrapServers, Map<String, String> properties) {
        Properties p = new Properties();
        p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        // Fail fast instead of retrying an unknown host for a long time.
        p.setProperty(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        p.putAll(properties);
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").trim();
    }
}
