package io.tally.pipeline.config;

import io.tally.connectors.kafka.KafkaEndpoints.StartFrom;
import io.tally.connectors.postgres.JdbcUrls;
import io.tally.pipeline.runtime.UserKey;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every setting of a Tally run, typed and validated once (SPEC §5.2 common options). Built by
 * {@link ConfigLoader} from flags, {@code TALLY_*} environment variables and a YAML file, in that
 * priority; registered as the job's global parameters so it shows in the Flink web UI.
 *
 * <p><b>Adding a setting</b>: define it here, once — name, default, doc, parser — next to the typed
 * field the job reads, e.g.
 *
 * <pre>{@code
 * public static final Setting<Duration> FLUSH_INTERVAL =
 *         define(Setting.duration("flush-interval", "500ms", "Upsert flush interval"));
 * public final Duration flushInterval = get(FLUSH_INTERVAL);
 * }</pre>
 *
 * Its environment variable ({@code TALLY_FLUSH_INTERVAL}) and YAML key ({@code flush-interval})
 * follow from the name, and so do {@link #toMap()}, {@link #with} and {@link #jobArguments()}. Then
 * give it its flag in {@code cli.CommonOptions}: {@code @Option(names = "--flush-interval",
 * paramLabel = "DURATION") String flushInterval;} — the help text comes from the definition. A
 * dotted name ({@code members.max-concurrent-jobs}) is a nested YAML key and needs no flag: it
 * travels as {@code --set}.
 */
public final class TallyConfig extends SettingValues {
    private static final long serialVersionUID = 2L;

    /** The three pipelines of SPEC §2–§4. */
    public enum Pipeline {
        CHAT,
        REVIEWS,
        MEMBERS
    }

    /** Every setting, in the order they are defined (and shown). */
    private static final List<Setting<?>> SETTINGS = new ArrayList<>();

    /** Option-name prefix of a Kafka client property ({@code kafka: {properties: …}}). */
    public static final String KAFKA_PROPERTY_PREFIX = "kafka.properties.";

    /** Option-name prefix of a Flink setting ({@code flink: …}). */
    public static final String FLINK_CONF_PREFIX = "flink.";

    public static final Setting<String> BOOTSTRAP_SERVERS =
            define(
                    Setting.text(
                            "bootstrap-servers",
                            "127.0.0.1:9092",
                            "Kafka brokers, HOST:PORT, comma-separated"));
    public final String bootstrapServers = get(BOOTSTRAP_SERVERS);

    /** Shown with its password masked (SPEC §5.2, {@link JdbcUrls#redact}). */
    public static final Setting<String> JDBC_URL =
            define(
                    Setting.of(
                                    "jdbc-url",
                                    null,
                                    "PostgreSQL, e.g. jdbc:postgresql://127.0.0.1:5432/tally",
                                    TallyConfig::jdbcUrl,
                                    s -> s)
                            .shownAs(JdbcUrls::redact));

    public final String jdbcUrl = get(JDBC_URL);

    public static final Setting<String> JDBC_USER =
            define(Setting.of("jdbc-user", null, "PostgreSQL user", s -> s, s -> s));
    public final String jdbcUser = get(JDBC_USER);

    /**
     * Read when connecting; never a password on the command line (SPEC §5.2). Paths are kept as
     * strings: the config is serialized into the job and {@code Path} is not serializable.
     */
    public static final Setting<String> JDBC_PASSWORD_FILE =
            define(
                    Setting.of(
                            "jdbc-password-file",
                            null,
                            "File holding the PostgreSQL password; never a password on the"
                                    + " command line",
                            TallyConfig::readableFile,
                            s -> s));

    public final String jdbcPasswordFile = get(JDBC_PASSWORD_FILE);

    public static final Setting<EnumSet<Pipeline>> PIPELINES =
            define(
                    Setting.of(
                            "pipelines",
                            "chat,reviews,members",
                            "Pipelines to run, comma-separated: chat, reviews, members",
                            TallyConfig::pipelines,
                            p ->
                                    String.join(
                                            ",",
                                            p.stream()
                                                    .map(x -> x.name().toLowerCase(Locale.ROOT))
                                                    .toList())));
    public final Set<Pipeline> pipelines = get(PIPELINES);

    /** An IANA zone or a fixed offset such as {@code +10:00} (SPEC §1.3). */
    public static final Setting<ZoneId> TIMEZONE =
            define(
                    Setting.of(
                            "timezone",
                            "UTC",
                            "IANA zone or offset for days and hours, e.g. Australia/Sydney or"
                                    + " +10:00",
                            TallyConfig::zone,
                            ZoneId::getId));

    public final ZoneId timezone = get(TIMEZONE);

    public static final Setting<StartFrom> FROM =
            define(
                    Setting.of(
                            "from",
                            "committed",
                            "Where to start reading: earliest, latest or committed (the group's"
                                    + " committed offsets, else earliest)",
                            TallyConfig::startFrom,
                            f -> f.name().toLowerCase(Locale.ROOT)));
    public final StartFrom from = get(FROM);

    public static final Setting<Boolean> BOUNDED =
            define(
                    Setting.onOff(
                            "bounded",
                            "false",
                            "Read up to the end offsets at start, flush, and exit 0"));
    public final boolean bounded = get(BOUNDED);

    /**
     * No default (SPEC §5.2): a cluster's own parallelism wins unless the user asks; {@code
     * LocalRunner} applies the embedded run's default.
     */
    public static final Setting<Integer> PARALLELISM =
            define(
                    Setting.wholeNumber(
                            "parallelism",
                            null,
                            1,
                            "Operator parallelism: the cluster's unless given; 2 for run and"
                                    + " demo"));

    public final Integer parallelism = get(PARALLELISM);

    /** No default, as {@link #PARALLELISM}: the cluster's own checkpointing applies. */
    public static final Setting<Duration> CHECKPOINT_INTERVAL =
            define(
                    Setting.duration(
                            "checkpoint-interval",
                            null,
                            "Checkpoint interval, e.g. 10s: the cluster's unless given; 10s for"
                                    + " run and demo"));

    public final Duration checkpointInterval = get(CHECKPOINT_INTERVAL);

    /**
     * Flink's keyed state backend ({@code state.backend.type}). No default, as {@link
     * #PARALLELISM}: a cluster's own backend applies unless given, and an embedded run keeps
     * Flink's (hashmap, state on the heap). {@code rocksdb} keeps state on local disk, so state can
     * outgrow the heap (issue 12: a million users), and turns on incremental checkpoints.
     */
    public static final Setting<String> STATE_BACKEND =
            define(
                    Setting.of(
                            "state-backend",
                            null,
                            "Keyed state backend: hashmap (on the heap) or rocksdb (on local"
                                    + " disk, incremental checkpoints): the cluster's unless"
                                    + " given; hashmap for run and demo",
                            TallyConfig::stateBackend,
                            s -> s));

    public final String stateBackend = get(STATE_BACKEND);

    /**
     * SPEC §5.2: create missing topics even when the broker does not auto-create them (it would
     * otherwise be an operator's decision how many partitions and replicas a topic has).
     */
    public static final Setting<Boolean> CREATE_TOPICS =
            define(
                    Setting.onOff(
                            "create-topics",
                            "false",
                            "Create missing topics (the broker's default replication factor)"
                                    + " even when the broker does not auto-create topics"));

    public final boolean createTopics = get(CREATE_TOPICS);

    public static final Setting<Duration> FLUSH_INTERVAL =
            define(Setting.duration("flush-interval", "500ms", "Upsert flush interval"));
    public final Duration flushInterval = get(FLUSH_INTERVAL);

    /**
     * How often the per-user operators write their rows while replaying history (issue 12): the
     * watermark more than a minute behind the clock and events still arriving. See {@code
     * runtime.FlushPolicy}.
     */
    public static final Setting<Duration> CATCH_UP_FLUSH_INTERVAL =
            define(
                    Setting.duration(
                            "catch-up-flush-interval",
                            "10s",
                            "Row flush interval while replaying history (event time over a"
                                    + " minute behind the clock); rows are written as soon as"
                                    + " the backlog is read"));

    public final Duration catchUpFlushInterval = get(CATCH_UP_FLUSH_INTERVAL);

    /**
     * How long an upsert sink waits for an unavailable PostgreSQL, retrying, before the job fails
     * (issue 9; SPEC §1.8 makes the retries safe). The checkpoint timeout is kept above it.
     */
    public static final Setting<Duration> SINK_RETRY_TIMEOUT =
            define(
                    Setting.duration(
                            "sink-retry-timeout",
                            "5m",
                            "How long the PostgreSQL sinks wait for an unavailable database,"
                                    + " retrying, before the job fails"));

    public final Duration sinkRetryTimeout = get(SINK_RETRY_TIMEOUT);

    public static final Setting<Duration> MAX_OUT_OF_ORDERNESS =
            define(Setting.duration("max-out-of-orderness", "5s", "Watermark bound"));
    public final Duration maxOutOfOrderness = get(MAX_OUT_OF_ORDERNESS);

    public static final Setting<Duration> IDLENESS =
            define(Setting.duration("idleness", "30s", "Source idleness"));
    public final Duration idleness = get(IDLENESS);

    public static final Setting<Duration> MAX_FUTURE =
            define(
                    Setting.duration(
                            "max-future", "1d", "Reject timestamps further ahead of the clock"));
    public final Duration maxFuture = get(MAX_FUTURE);

    public static final Setting<Integer> MAX_RECORD_BYTES =
            define(Setting.wholeNumber("max-record-bytes", "1048576", 1, "Reject larger records"));
    public final int maxRecordBytes = get(MAX_RECORD_BYTES);

    /**
     * SPEC §1.6: a dead letter's value (and key) is cut to this many bytes. At most 512 KiB: a dead
     * letter (key, value, error) must fit the producer's 1 MiB max.request.size;
     * DeadLetterSerializer enforces that too.
     */
    public static final Setting<Integer> DEAD_LETTER_MAX_VALUE_BYTES =
            define(
                    Setting.wholeNumber(
                            "dead-letter-max-value-bytes",
                            "65536",
                            16,
                            512 * 1024,
                            "Cut a dead letter's value to this many bytes (at most 524288)"));

    public final int deadLetterMaxValueBytes = get(DEAD_LETTER_MAX_VALUE_BYTES);

    public static final Setting<Integer> RETENTION_DAYS =
            define(
                    Setting.wholeNumber(
                            "retention-days", "90", 1, "Days of per-day state and rows"));
    public final int retentionDays = get(RETENTION_DAYS);

    /** User keys of bot senders (SPEC §2.2), already ASCII-lower-cased. */
    public static final Setting<ArrayList<String>> EXCLUDED_USERS =
            define(
                    Setting.of(
                            "excluded-users",
                            "dazza",
                            "Bot senders, comma-separated",
                            TallyConfig::userKeys,
                            l -> String.join(",", l)));

    public final List<String> excludedUsers = List.copyOf(get(EXCLUDED_USERS));

    /** Where a local run keeps checkpoints, to resume its state after a restart. */
    public static final Setting<String> STATE_DIR =
            define(
                    Setting.of(
                            "state-dir",
                            ".tally/state",
                            "Checkpoints of a local run, to resume after a restart",
                            s -> Path.of(s).toString(),
                            s -> s));

    public final String stateDir = get(STATE_DIR);

    /** SPEC §3.2: a partner with at least this score counts in high_risk_r4rs. */
    public static final Setting<Integer> HIGH_RISK_THRESHOLD =
            define(
                    Setting.wholeNumber(
                            "high-risk-threshold",
                            "70",
                            0,
                            "R4R score from which a partner counts as high risk"));

    public final int highRiskThreshold = get(HIGH_RISK_THRESHOLD);

    /**
     * SPEC §3.3: {@code tally-1} (the §3.2 score) or {@code v1-batch} (the older batch variant).
     */
    public static final Setting<String> ALGORITHM =
            define(
                    Setting.of(
                            "algorithm",
                            "tally-1",
                            "R4R score: tally-1 (SPEC 3.2) or v1-batch (the older batch variant)",
                            TallyConfig::algorithm,
                            s -> s));

    public final String algorithm = get(ALGORITHM);

    /** SPEC §4.2: import jobs in flight at once (the old "workers"). */
    public static final Setting<Integer> MEMBERS_MAX_CONCURRENT_JOBS =
            define(
                    Setting.wholeNumber(
                            "members.max-concurrent-jobs",
                            "4",
                            1,
                            "Member import jobs in flight at once"));

    public final int maxConcurrentJobs = get(MEMBERS_MAX_CONCURRENT_JOBS);

    /** SPEC §4.2: at most this many members-API requests a second. */
    public static final Setting<Double> MEMBERS_REQUESTS_PER_SECOND =
            define(
                    Setting.positiveNumber(
                            "members.requests-per-second",
                            "10",
                            "At most this many members-API requests a second"));

    public final double requestsPerSecond = get(MEMBERS_REQUESTS_PER_SECOND);

    public static final Setting<String> GROUP_ID =
            define(Setting.text("group-id", "tally", "Kafka consumer group prefix"));
    public final String groupId = get(GROUP_ID);

    public static final Setting<String> TOPIC_CHAT =
            define(Setting.text("topic-chat", "chat-messages", "Chat input topic"));
    public final String chatTopic = get(TOPIC_CHAT);

    public static final Setting<String> TOPIC_REVIEWS =
            define(Setting.text("topic-reviews", "reviews", "Reviews input topic"));
    public final String reviewsTopic = get(TOPIC_REVIEWS);

    public static final Setting<String> TOPIC_MEMBERS =
            define(Setting.text("topic-members", "member-imports", "Member import requests topic"));
    public final String membersTopic = get(TOPIC_MEMBERS);

    public static final Setting<String> TOPIC_DEAD_LETTERS =
            define(Setting.text("topic-dead-letters", "tally-dead-letters", "Dead letter topic"));
    public final String deadLetterTopic = get(TOPIC_DEAD_LETTERS);

    public static final Setting<String> TOPIC_ALERTS =
            define(Setting.text("topic-alerts", "r4r-alerts", "R4R alerts output topic"));
    public final String alertsTopic = get(TOPIC_ALERTS);

    // Not settings of their own but families of them, each from its YAML section (and flags).

    /**
     * Kafka client properties for every client Tally makes (SASL, SSL, …; SPEC §5.2). May hold
     * secrets: shown only through {@link #toMap()}, which redacts them.
     */
    public final TreeMap<String, String> kafkaProperties;

    /** Flink settings for the job (state backend, checkpoint storage, restarts…; SPEC §5.2). */
    public final TreeMap<String, String> flinkConf;

    /** SPEC §4.1: credential name → file holding its secret (from the YAML config); no secrets. */
    public final HashMap<String, String> credentialFiles;

    /**
     * SPEC §4.1: {@link #credentialKey credential key} → the URL prefixes its secret may be sent
     * to. URLs only, no secrets; a credential without an entry goes nowhere.
     */
    public final HashMap<String, ArrayList<String>> credentialAllowedUrls;

    TallyConfig(
            Map<String, Serializable> values,
            Map<String, String> kafkaProperties,
            Map<String, String> flinkConf,
            Map<String, String> credentialFiles,
            Map<String, List<String>> credentialAllowedUrls) {
        super(values);
        this.kafkaProperties = new TreeMap<>(kafkaProperties);
        this.flinkConf = new TreeMap<>(flinkConf);
        this.credentialFiles = new HashMap<>(credentialFiles);
        this.credentialAllowedUrls = new HashMap<>();
        credentialAllowedUrls.forEach(
                (k, urls) -> this.credentialAllowedUrls.put(k, new ArrayList<>(urls)));
    }

    private static <T extends Serializable> Setting<T> define(Setting<T> setting) {
        String group = setting.name().split("\\.")[0];
        if (List.of("kafka", "flink", "credentials").contains(group)
                || SETTINGS.stream().anyMatch(s -> s.name().equals(setting.name()))) {
            throw new IllegalStateException("setting name taken: " + setting.name());
        }
        SETTINGS.add(setting);
        return setting;
    }

    /** Every setting, in the order they are defined. */
    public static List<Setting<?>> settings() {
        return Collections.unmodifiableList(SETTINGS);
    }

    /** The setting called {@code name}, or null. */
    public static Setting<?> setting(String name) {
        for (Setting<?> s : SETTINGS) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
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
        return credential.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** A copy with some settings replaced, given by their option names (e.g. {@code timezone}). */
    public TallyConfig with(Map<String, String> overrides) {
        Map<String, String> flags = new LinkedHashMap<>(asText());
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
        return ConfigLoader.load(asText(), Map.of(), null, files, allowed);
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
     * each setting as its definition shows it (the JDBC URL with its password masked, SPEC §5.2),
     * pass-through settings that name a secret masked ({@link Secrets}), and each credential's
     * allowed URL prefixes (no secrets either). Settings without a value are left out.
     */
    @Override
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Setting<?> s : SETTINGS) {
            String text = text(s);
            if (text != null) {
                m.put(s.name(), s.show(text));
            }
        }
        // Pass-through settings may carry secrets (a JAAS password, a keystore password).
        kafkaProperties.forEach(
                (k, v) ->
                        m.put(
                                KAFKA_PROPERTY_PREFIX + k,
                                Secrets.isSecret(KAFKA_PROPERTY_PREFIX + k)
                                        ? Secrets.REDACTED
                                        : v));
        flinkConf.forEach(
                (k, v) ->
                        m.put(
                                FLINK_CONF_PREFIX + k,
                                Secrets.isSecret(FLINK_CONF_PREFIX + k) ? Secrets.REDACTED : v));
        new TreeMap<>(credentialAllowedUrls)
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
     * checkpointing then apply). Settings without a flag of their own (dotted names) go as {@code
     * --set}. Unredacted: these travel to the cluster, not to a screen. {@code state-dir} is a
     * local run's.
     */
    public List<String> jobArguments() {
        TallyConfig defaults = defaults();
        List<String> args = new ArrayList<>();
        for (Setting<?> s : SETTINGS) {
            String value = text(s);
            if (value == null || value.equals(defaults.text(s)) || s == STATE_DIR) {
                continue;
            }
            if (s.name().contains(".")) {
                args.add("--set");
                args.add(s.name() + "=" + value);
            } else if (s.isSwitch()) {
                args.add("--" + s.name() + "=" + value);
            } else {
                args.add("--" + s.name());
                args.add(value);
            }
        }
        kafkaProperties.forEach(
                (k, v) -> {
                    args.add("--kafka-property");
                    args.add(k + "=" + v);
                });
        flinkConf.forEach(
                (k, v) -> {
                    args.add("--flink-conf");
                    args.add(k + "=" + v);
                });
        return args;
    }

    /**
     * Every setting as an option would give it, unredacted: what {@link #with} rebuilds from. Never
     * for display — {@link #toMap()} is.
     */
    private Map<String, String> asText() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Setting<?> s : SETTINGS) {
            String text = text(s);
            if (text != null) {
                m.put(s.name(), text);
            }
        }
        kafkaProperties.forEach((k, v) -> m.put(KAFKA_PROPERTY_PREFIX + k, v));
        flinkConf.forEach((k, v) -> m.put(FLINK_CONF_PREFIX + k, v));
        return m;
    }

    @Override
    public String toString() {
        return "TallyConfig" + toMap();
    }

    // The parsers of single settings; the shared ones are in Setting.

    private static String jdbcUrl(String s) {
        if (!s.startsWith("jdbc:postgresql://")) {
            // Redacted: a mistyped URL may still carry a password (SPEC §5.2).
            throw new ConfigException(
                    "expected jdbc:postgresql://host:port/database, got '"
                            + JdbcUrls.redact(s)
                            + "'");
        }
        return s;
    }

    private static String readableFile(String s) {
        Path p = Path.of(s);
        if (!Files.isReadable(p)) {
            throw new ConfigException("cannot read file '" + s + "'");
        }
        return p.toString();
    }

    private static EnumSet<Pipeline> pipelines(String s) {
        EnumSet<Pipeline> out = EnumSet.noneOf(Pipeline.class);
        for (String part : s.split(",")) {
            String name = part.trim();
            if (name.isEmpty()) {
                continue;
            }
            try {
                out.add(Pipeline.valueOf(name.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(
                        "unknown pipeline '" + name + "' (chat, reviews, members)");
            }
        }
        if (out.isEmpty()) {
            throw new ConfigException("name at least one pipeline (chat, reviews, members)");
        }
        return out;
    }

    private static ZoneId zone(String s) {
        try {
            return ZoneId.of(s);
        } catch (DateTimeException e) {
            throw new ConfigException(
                    "unknown time zone '"
                            + s
                            + "' (an IANA zone such as Australia/Sydney, or an offset such as +10:00)");
        }
    }

    private static StartFrom startFrom(String s) {
        try {
            return StartFrom.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("expected earliest, latest or committed, got '" + s + "'");
        }
    }

    private static String stateBackend(String s) {
        String b = s.trim().toLowerCase(Locale.ROOT);
        if (!b.equals("hashmap") && !b.equals("rocksdb")) {
            throw new ConfigException("expected hashmap or rocksdb, got '" + s + "'");
        }
        return b;
    }

    private static String algorithm(String s) {
        if (!s.equals("tally-1") && !s.equals("v1-batch")) {
            throw new ConfigException("expected tally-1 or v1-batch, got '" + s + "'");
        }
        return s;
    }

    /** Bot names compared on the user key (SPEC §2.2). */
    private static ArrayList<String> userKeys(String s) {
        ArrayList<String> out = new ArrayList<>();
        for (String part : s.split(",")) {
            String name = part.trim();
            if (!name.isEmpty()) {
                out.add(UserKey.of(name));
            }
        }
        return out;
    }
}
