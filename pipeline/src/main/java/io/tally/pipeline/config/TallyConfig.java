package io.tally.pipeline.config;

import io.tally.connectors.kafka.KafkaEndpoints.StartFrom;
import io.tally.connectors.postgres.JdbcUrls;
import java.time.Duration;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.ExecutionConfig;

/**
 * Every setting of a Tally run, typed and validated once (SPEC §5.2 common options). Built by
 * {@link ConfigLoader} from flags, {@code TALLY_*} environment variables and a YAML file, in that
 * priority; registered as the job's global parameters so it shows in the Flink web UI.
 */
public final class TallyConfig extends ExecutionConfig.GlobalJobParameters {
    private static final long serialVersionUID = 1L;

    /** The three pipelines of SPEC §2–§4. */
    public enum Pipeline {
        CHAT,
        REVIEWS,
        MEMBERS
    }

    public final String bootstrapServers;
    public final String jdbcUrl;
    public final String jdbcUser;

    /**
     * Read when connecting; never a password on the command line (SPEC §5.2). Paths are kept as
     * strings: the config is serialized into the job and {@code Path} is not serializable.
     */
    public final String jdbcPasswordFile;

    public final Set<Pipeline> pipelines;
    public final ZoneId timezone;
    public final StartFrom from;
    public final boolean bounded;

    /** Null unless the user gave it: then the cluster's own setting applies (SPEC §5.2). */
    public final Integer parallelism;

    /** Null unless the user gave it: then the cluster's own setting applies (SPEC §5.2). */
    public final Duration checkpointInterval;

    /**
     * SPEC §5.2: create missing topics even when the broker does not auto-create them (it would
     * otherwise be an operator's decision how many partitions and replicas a topic has).
     */
    public final boolean createTopics;

    /**
     * Kafka client properties for every client Tally makes (SASL, SSL, …; SPEC §5.2). May hold
     * secrets: shown only through {@link #toMap()}, which redacts them.
     */
    public final java.util.TreeMap<String, String> kafkaProperties;

    /** Flink settings for the job (state backend, checkpoint storage, restarts…; SPEC §5.2). */
    public final java.util.TreeMap<String, String> flinkConf;

    public final Duration flushInterval;

    /**
     * How long an upsert sink waits for an unavailable PostgreSQL, retrying, before the job fails
     * (issue 9; SPEC §1.8 makes the retries safe). The checkpoint timeout is kept above it.
     */
    public final Duration sinkRetryTimeout;

    public final Duration maxOutOfOrderness;
    public final Duration idleness;
    public final Duration maxFuture;
    public final int maxRecordBytes;

    /** SPEC §1.6: a dead letter's value (and key) is cut to this many bytes. */
    public final int deadLetterMaxValueBytes;

    public final int retentionDays;

    /** User keys of bot senders (SPEC §2.2), already ASCII-lower-cased. */
    public final List<String> excludedUsers;

    /**
     * SPEC §3.3: {@code tally-1} (the §3.2 score) or {@code v1-batch} (the older batch variant).
     */
    public final String algorithm;

    /** SPEC §4.2: import jobs in flight at once (the old "workers"). */
    public final int maxConcurrentJobs;

    /** SPEC §4.2: at most this many members-API requests a second. */
    public final double requestsPerSecond;

    /** SPEC §4.1: credential name → file holding its secret (from the YAML config); no secrets. */
    public final java.util.HashMap<String, String> credentialFiles;

    /**
     * SPEC §4.1: {@link #credentialKey credential key} → the URL prefixes its secret may be sent
     * to. URLs only, no secrets; a credential without an entry goes nowhere.
     */
    public final java.util.HashMap<String, java.util.ArrayList<String>> credentialAllowedUrls;

    /** SPEC §3.2: a partner with at least this score counts in high_risk_r4rs. */
    public final int highRiskThreshold;

    /** Where a local run keeps checkpoints, to resume its state after a restart. */
    public final String stateDir;

    public final String groupId;
    public final String chatTopic;
    public final String reviewsTopic;
    public final String membersTopic;
    public final String deadLetterTopic;
    public final String alertsTopic;

    TallyConfig(Map<String, Object> v) {
        bootstrapServers = (String) v.get(Keys.BOOTSTRAP_SERVERS);
        jdbcUrl = (String) v.get(Keys.JDBC_URL);
        jdbcUser = (String) v.get(Keys.JDBC_USER);
        jdbcPasswordFile =
                v.get(Keys.JDBC_PASSWORD_FILE) == null
                        ? null
                        : v.get(Keys.JDBC_PASSWORD_FILE).toString();
        @SuppressWarnings("unchecked")
        Set<Pipeline> p = (Set<Pipeline>) v.get(Keys.PIPELINES);
        pipelines = EnumSet.copyOf(p);
        timezone = (ZoneId) v.get(Keys.TIMEZONE);
        from = (StartFrom) v.get(Keys.FROM);
        bounded = (Boolean) v.get(Keys.BOUNDED);
        parallelism = (Integer) v.get(Keys.PARALLELISM);
        createTopics = (Boolean) v.get(Keys.CREATE_TOPICS);
        @SuppressWarnings("unchecked")
        Map<String, String> kafka =
                (Map<String, String>)
                        v.getOrDefault(ConfigLoader.KAFKA_PROPERTIES, Map.<String, String>of());
        kafkaProperties = new java.util.TreeMap<>(kafka);
        @SuppressWarnings("unchecked")
        Map<String, String> flink =
                (Map<String, String>)
                        v.getOrDefault(ConfigLoader.FLINK_CONF, Map.<String, String>of());
        flinkConf = new java.util.TreeMap<>(flink);
        checkpointInterval = (Duration) v.get(Keys.CHECKPOINT_INTERVAL);
        flushInterval = (Duration) v.get(Keys.FLUSH_INTERVAL);
        sinkRetryTimeout = (Duration) v.get(Keys.SINK_RETRY_TIMEOUT);
        maxOutOfOrderness = (Duration) v.get(Keys.MAX_OUT_OF_ORDERNESS);
        idleness = (Duration) v.get(Keys.IDLENESS);
        maxFuture = (Duration) v.get(Keys.MAX_FUTURE);
        maxRecordBytes = (Integer) v.get(Keys.MAX_RECORD_BYTES);
        deadLetterMaxValueBytes = (Integer) v.get(Keys.DEAD_LETTER_MAX_VALUE_BYTES);
        retentionDays = (Integer) v.get(Keys.RETENTION_DAYS);
        @SuppressWarnings("unchecked")
        List<String> excluded = (List<String>) v.get(Keys.EXCLUDED_USERS);
        excludedUsers = List.copyOf(excluded);
        stateDir = v.get(Keys.STATE_DIR).toString();
        highRiskThreshold = (Integer) v.get(Keys.HIGH_RISK_THRESHOLD);
        algorithm = (String) v.get(Keys.ALGORITHM);
        maxConcurrentJobs = (Integer) v.get(Keys.MEMBERS_MAX_CONCURRENT_JOBS);
        requestsPerSecond = (Double) v.get(Keys.MEMBERS_REQUESTS_PER_SECOND);
        @SuppressWarnings("unchecked")
        Map<String, String> files =
                (Map<String, String>) v.getOrDefault(ConfigLoader.CREDENTIALS, Map.of());
        credentialFiles = new java.util.HashMap<>(files);
        @SuppressWarnings("unchecked")
        Map<String, List<String>> allowed =
                (Map<String, List<String>>)
                        v.getOrDefault(ConfigLoader.CREDENTIAL_ALLOWED_URLS, Map.of());
        credentialAllowedUrls = new java.util.HashMap<>();
        allowed.forEach((k, urls) -> credentialAllowedUrls.put(k, new java.util.ArrayList<>(urls)));
        groupId = (String) v.get(Keys.GROUP_ID);
        chatTopic = (String) v.get(Keys.TOPIC_CHAT);
        reviewsTopic = (String) v.get(Keys.TOPIC_REVIEWS);
        membersTopic = (String) v.get(Keys.TOPIC_MEMBERS);
        deadLetterTopic = (String) v.get(Keys.TOPIC_DEAD_LETTERS);
        alertsTopic = (String) v.get(Keys.TOPIC_ALERTS);
    }

    /** The defaults alone, with the given JDBC URL (for tests and the embedded demo). */
    public static TallyConfig defaults() {
        return ConfigLoader.load(Map.of(), Map.of(), null);
    }

    /**
     * The key under which a credential's settings are kept: its name upper-cased, every
     * non-alphanumeric character as {@code _} — the {@code <NAME>} of {@code
     * TALLY_CREDENTIAL_<NAME>} and {@code TALLY_CREDENTIAL_<NAME>_ALLOWED_URLS} (SPEC §4.1), so
     * YAML names and environment variables meet.
     */
    public static String credentialKey(String credential) {
        return credential.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** A copy with some settings replaced, given by their option names (e.g. {@code timezone}). */
    public TallyConfig with(Map<String, String> overrides) {
        Map<String, String> flags = new LinkedHashMap<>(settings());
        flags.putAll(overrides);
        flags.values().removeIf(s -> s == null || s.isEmpty());
        return ConfigLoader.load(flags, Map.of(), null, credentialFiles, allowedUrlsAsLists());
    }

    /**
     * A copy that also knows where the secret of {@code credential} is and where it may be sent
     * (SPEC §4.1).
     */
    public TallyConfig withCredential(String credential, String file, List<String> allowedUrls) {
        Map<String, String> files = new LinkedHashMap<>(credentialFiles);
        files.put(credential, file);
        Map<String, List<String>> allowed = allowedUrlsAsLists();
        allowed.put(
                credentialKey(credential),
                ConfigLoader.allowedUrlPrefixes("allowed URLs of " + credential, allowedUrls));
        return ConfigLoader.load(settings(), Map.of(), null, files, allowed);
    }

    private Map<String, List<String>> allowedUrlsAsLists() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        credentialAllowedUrls.forEach((k, v) -> m.put(k, List.copyOf(v)));
        return m;
    }

    public boolean v1Batch() {
        return "v1-batch".equals(algorithm);
    }

    public boolean runs(Pipeline pipeline) {
        return pipelines.contains(pipeline);
    }

    /**
     * Option name → value, as the Flink web UI and REST API ({@code /jobs/<id>/config}) show them:
     * the JDBC URL with its password masked (SPEC §5.2, {@link JdbcUrls#redact}), the password
     * file's path but no secret, and each credential's allowed URL prefixes (no secrets either).
     */
    @Override
    public Map<String, String> toMap() {
        Map<String, String> m = settings();
        m.put(Keys.JDBC_URL, JdbcUrls.redact(jdbcUrl));
        // Pass-through settings may carry secrets (a JAAS password, a keystore password).
        m.replaceAll(
                (k, value) ->
                        (k.startsWith(Keys.KAFKA_PROPERTY_PREFIX)
                                                || k.startsWith(Keys.FLINK_CONF_PREFIX))
                                        && Secrets.isSecret(k)
                                ? Secrets.REDACTED
                                : value);
        new java.util.TreeMap<>(credentialAllowedUrls)
                .forEach(
                        (k, urls) ->
                                m.put(
                                        "credentials." + k + ".allowed-urls",
                                        String.join(",", urls)));
        return m;
    }

    /**
     * The program arguments that give a job on a cluster this configuration ({@code tally submit}):
     * every setting that differs from its default, so the job does not depend on the JobManager's
     * environment, and nothing the user left out (SPEC §5.2: the cluster's parallelism and
     * checkpointing then apply). Settings without a flag of their own go as {@code --set}.
     * Unredacted: these travel to the cluster, not to a screen. {@code state-dir} is a local run's.
     */
    public java.util.List<String> jobArguments() {
        Map<String, String> defaults = defaults().settings();
        java.util.List<String> args = new java.util.ArrayList<>();
        settings()
                .forEach(
                        (k, value) -> {
                            if (value == null
                                    || value.equals(defaults.get(k))
                                    || k.equals(Keys.STATE_DIR)) {
                                return;
                            }
                            if (k.startsWith(Keys.KAFKA_PROPERTY_PREFIX)) {
                                args.add("--kafka-property");
                                args.add(
                                        k.substring(Keys.KAFKA_PROPERTY_PREFIX.length())
                                                + "="
                                                + value);
                            } else if (k.startsWith(Keys.FLINK_CONF_PREFIX)) {
                                args.add("--flink-conf");
                                args.add(
                                        k.substring(Keys.FLINK_CONF_PREFIX.length()) + "=" + value);
                            } else if (k.contains(".")) {
                                args.add("--set");
                                args.add(k + "=" + value);
                            } else if (k.equals(Keys.BOUNDED) || k.equals(Keys.CREATE_TOPICS)) {
                                args.add("--" + k + "=" + value);
                            } else {
                                args.add("--" + k);
                                args.add(value);
                            }
                        });
        return args;
    }

    /**
     * Every setting as an option would give it, unredacted: what {@link #with} rebuilds from. Never
     * for display — {@link #toMap()} is.
     */
    private Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(Keys.BOOTSTRAP_SERVERS, bootstrapServers);
        m.put(Keys.JDBC_URL, jdbcUrl);
        m.put(Keys.JDBC_USER, jdbcUser);
        m.put(
                Keys.JDBC_PASSWORD_FILE,
                jdbcPasswordFile == null ? null : jdbcPasswordFile.toString());
        m.put(
                Keys.PIPELINES,
                String.join(
                        ",",
                        pipelines.stream()
                                .map(x -> x.name().toLowerCase(java.util.Locale.ROOT))
                                .toList()));
        m.put(Keys.TIMEZONE, timezone.getId());
        m.put(Keys.FROM, from.name().toLowerCase(java.util.Locale.ROOT));
        m.put(Keys.BOUNDED, Boolean.toString(bounded));
        if (parallelism != null) {
            m.put(Keys.PARALLELISM, Integer.toString(parallelism));
        }
        if (checkpointInterval != null) {
            m.put(Keys.CHECKPOINT_INTERVAL, checkpointInterval.toMillis() + "ms");
        }
        m.put(Keys.CREATE_TOPICS, Boolean.toString(createTopics));
        m.put(Keys.FLUSH_INTERVAL, flushInterval.toMillis() + "ms");
        m.put(Keys.SINK_RETRY_TIMEOUT, sinkRetryTimeout.toMillis() + "ms");
        m.put(Keys.MAX_OUT_OF_ORDERNESS, maxOutOfOrderness.toMillis() + "ms");
        m.put(Keys.IDLENESS, idleness.toMillis() + "ms");
        m.put(Keys.MAX_FUTURE, maxFuture.toMillis() + "ms");
        m.put(Keys.MAX_RECORD_BYTES, Integer.toString(maxRecordBytes));
        m.put(Keys.DEAD_LETTER_MAX_VALUE_BYTES, Integer.toString(deadLetterMaxValueBytes));
        m.put(Keys.RETENTION_DAYS, Integer.toString(retentionDays));
        m.put(Keys.EXCLUDED_USERS, String.join(",", excludedUsers));
        m.put(Keys.STATE_DIR, stateDir);
        m.put(Keys.HIGH_RISK_THRESHOLD, Integer.toString(highRiskThreshold));
        m.put(Keys.ALGORITHM, algorithm);
        m.put(Keys.MEMBERS_MAX_CONCURRENT_JOBS, Integer.toString(maxConcurrentJobs));
        m.put(Keys.MEMBERS_REQUESTS_PER_SECOND, Double.toString(requestsPerSecond));
        m.put(Keys.GROUP_ID, groupId);
        m.put(Keys.TOPIC_CHAT, chatTopic);
        m.put(Keys.TOPIC_REVIEWS, reviewsTopic);
        m.put(Keys.TOPIC_MEMBERS, membersTopic);
        m.put(Keys.TOPIC_DEAD_LETTERS, deadLetterTopic);
        m.put(Keys.TOPIC_ALERTS, alertsTopic);
        kafkaProperties.forEach((k, value) -> m.put(Keys.KAFKA_PROPERTY_PREFIX + k, value));
        flinkConf.forEach((k, value) -> m.put(Keys.FLINK_CONF_PREFIX + k, value));
        return m;
    }

    @Override
    public String toString() {
        return "TallyConfig" + toMap();
    }

    /**
     * Option names: the flag without its dashes, the YAML key, and {@code TALLY_} + upper snake.
     */
    public static final class Keys {
        public static final String BOOTSTRAP_SERVERS = "bootstrap-servers";
        public static final String JDBC_URL = "jdbc-url";
        public static final String JDBC_USER = "jdbc-user";
        public static final String JDBC_PASSWORD_FILE = "jdbc-password-file";
        public static final String PIPELINES = "pipelines";
        public static final String TIMEZONE = "timezone";
        public static final String FROM = "from";
        public static final String BOUNDED = "bounded";
        public static final String PARALLELISM = "parallelism";
        public static final String CHECKPOINT_INTERVAL = "checkpoint-interval";
        public static final String CREATE_TOPICS = "create-topics";

        /** Option-name prefix of a Kafka client property ({@code kafka: {properties: …}}). */
        public static final String KAFKA_PROPERTY_PREFIX = "kafka.properties.";

        /** Option-name prefix of a Flink setting ({@code flink: …}). */
        public static final String FLINK_CONF_PREFIX = "flink.";

        public static final String FLUSH_INTERVAL = "flush-interval";
        public static final String SINK_RETRY_TIMEOUT = "sink-retry-timeout";
        public static final String MAX_OUT_OF_ORDERNESS = "max-out-of-orderness";
        public static final String IDLENESS = "idleness";
        public static final String MAX_FUTURE = "max-future";
        public static final String MAX_RECORD_BYTES = "max-record-bytes";
        public static final String DEAD_LETTER_MAX_VALUE_BYTES = "dead-letter-max-value-bytes";
        public static final String RETENTION_DAYS = "retention-days";
        public static final String EXCLUDED_USERS = "excluded-users";
        public static final String STATE_DIR = "state-dir";
        public static final String HIGH_RISK_THRESHOLD = "high-risk-threshold";
        public static final String ALGORITHM = "algorithm";
        public static final String MEMBERS_MAX_CONCURRENT_JOBS = "members.max-concurrent-jobs";
        public static final String MEMBERS_REQUESTS_PER_SECOND = "members.requests-per-second";
        public static final String GROUP_ID = "group-id";
        public static final String TOPIC_CHAT = "topic-chat";
        public static final String TOPIC_REVIEWS = "topic-reviews";
        public static final String TOPIC_MEMBERS = "topic-members";
        public static final String TOPIC_DEAD_LETTERS = "topic-dead-letters";
        public static final String TOPIC_ALERTS = "topic-alerts";

        private Keys() {}
    }
}
