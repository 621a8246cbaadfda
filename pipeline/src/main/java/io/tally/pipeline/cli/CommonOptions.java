package io.tally.pipeline.cli;

import io.tally.pipeline.config.ConfigLoader;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.config.TallyConfig.Keys;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The SPEC §5.2 common options. Each is also a {@code TALLY_*} environment variable and a key of
 * the {@code --config} YAML file, in that priority after the flag; {@link ConfigLoader} resolves
 * and validates them into one {@link TallyConfig}.
 */
public class CommonOptions {
    /** {@code --config} and the PostgreSQL options, shared with commands that only read tables. */
    @Mixin DatabaseOptions database = new DatabaseOptions();

    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT",
            description = "Kafka brokers (TALLY_BOOTSTRAP_SERVERS; default 127.0.0.1:9092).")
    String bootstrapServers;

    @Option(
            names = "--pipelines",
            paramLabel = "LIST",
            description = "Pipelines to run: chat,reviews,members (default all).")
    String pipelines;

    @Option(
            names = "--timezone",
            paramLabel = "ZONE",
            description = "IANA zone or offset for days and hours (default UTC).")
    String timezone;

    @Option(
            names = "--from",
            paramLabel = "WHERE",
            description = "earliest, latest or committed (default committed, else earliest).")
    String from;

    @Option(
            names = "--bounded",
            description = "Read up to the end offsets at start, flush, and exit 0.")
    Boolean bounded;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            description = "Operator parallelism (default: the cluster's; 2 for run and demo).")
    String parallelism;

    @Option(
            names = "--checkpoint-interval",
            paramLabel = "DURATION",
            description = "e.g. 10s (default: the cluster's setting; 10s for run and demo).")
    String checkpointInterval;

    @Option(
            names = "--flush-interval",
            paramLabel = "DURATION",
            description = "Upsert flush interval, e.g. 500ms (default).")
    String flushInterval;

    @Option(
            names = "--sink-retry-timeout",
            paramLabel = "DURATION",
            description =
                    "How long the PostgreSQL sinks wait for an unavailable database, retrying,"
                            + " before the job fails (default 5m).")
    String sinkRetryTimeout;

    @Option(
            names = "--max-out-of-orderness",
            paramLabel = "DURATION",
            description = "Watermark bound (default 5s).")
    String maxOutOfOrderness;

    @Option(
            names = "--idleness",
            paramLabel = "DURATION",
            description = "Source idleness (default 30s).")
    String idleness;

    @Option(
            names = "--max-future",
            paramLabel = "DURATION",
            description = "Reject timestamps further ahead of the clock (default 1d).")
    String maxFuture;

    @Option(
            names = "--max-record-bytes",
            paramLabel = "N",
            description = "Reject larger records (default 1048576).")
    String maxRecordBytes;

    @Option(
            names = "--dead-letter-max-value-bytes",
            paramLabel = "N",
            description =
                    "Cut a dead letter's value to this many bytes (default 65536, at most 524288).")
    String deadLetterMaxValueBytes;

    @Option(
            names = "--retention-days",
            paramLabel = "N",
            description = "Days of per-day state and rows (default 90).")
    String retentionDays;

    @Option(
            names = "--excluded-users",
            paramLabel = "LIST",
            description = "Bot senders, comma-separated (default dazza).")
    String excludedUsers;

    @Option(
            names = "--state-dir",
            paramLabel = "DIR",
            description =
                    "Checkpoints of a local run, to resume after a restart (default .tally/state).")
    String stateDir;

    @Option(
            names = "--high-risk-threshold",
            paramLabel = "N",
            description = "R4R score from which a partner counts as high risk (default 70).")
    String highRiskThreshold;

    @Option(
            names = "--algorithm",
            paramLabel = "NAME",
            description =
                    "R4R score: tally-1 (SPEC 3.2, default) or v1-batch (the older batch variant).")
    String algorithm;

    @Option(
            names = "--group-id",
            paramLabel = "ID",
            description = "Kafka consumer group prefix (default tally).")
    String groupId;

    @Option(
            names = "--create-topics",
            description =
                    "Create missing topics (the broker's default replication factor) even when the"
                            + " broker does not auto-create topics.")
    Boolean createTopics;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            description =
                    "A Kafka client property for every client Tally makes, e.g."
                            + " security.protocol=SASL_SSL (repeatable; YAML: kafka: {properties:"
                            + " {…}}).")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(
            names = "--flink-conf",
            paramLabel = "KEY=VALUE",
            description =
                    "A Flink setting for the job (and the embedded cluster of run/demo), e.g."
                            + " state.backend.type=rocksdb (repeatable; YAML: flink: {…}).")
    Map<String, String> flinkConf = new LinkedHashMap<>();

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            hidden = true,
            description = "Any setting by its YAML key, e.g. members.max-concurrent-jobs=2.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--topic-chat", paramLabel = "TOPIC", description = "default chat-messages")
    String topicChat;

    @Option(names = "--topic-reviews", paramLabel = "TOPIC", description = "default reviews")
    String topicReviews;

    @Option(names = "--topic-members", paramLabel = "TOPIC", description = "default member-imports")
    String topicMembers;

    @Option(
            names = "--topic-dead-letters",
            paramLabel = "TOPIC",
            description = "default tally-dead-letters")
    String topicDeadLetters;

    @Option(names = "--topic-alerts", paramLabel = "TOPIC", description = "default r4r-alerts")
    String topicAlerts;

    /** The flags given on the command line, by option name. */
    public Map<String, String> flags() {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, Keys.BOOTSTRAP_SERVERS, bootstrapServers);
        database.putFlags(m);
        put(m, Keys.PIPELINES, pipelines);
        put(m, Keys.TIMEZONE, timezone);
        put(m, Keys.FROM, from);
        put(m, Keys.BOUNDED, bounded == null ? null : bounded.toString());
        put(m, Keys.PARALLELISM, parallelism);
        put(m, Keys.CHECKPOINT_INTERVAL, checkpointInterval);
        put(m, Keys.FLUSH_INTERVAL, flushInterval);
        put(m, Keys.SINK_RETRY_TIMEOUT, sinkRetryTimeout);
        put(m, Keys.MAX_OUT_OF_ORDERNESS, maxOutOfOrderness);
        put(m, Keys.IDLENESS, idleness);
        put(m, Keys.MAX_FUTURE, maxFuture);
        put(m, Keys.MAX_RECORD_BYTES, maxRecordBytes);
        put(m, Keys.DEAD_LETTER_MAX_VALUE_BYTES, deadLetterMaxValueBytes);
        put(m, Keys.RETENTION_DAYS, retentionDays);
        put(m, Keys.EXCLUDED_USERS, excludedUsers);
        put(m, Keys.STATE_DIR, stateDir);
        put(m, Keys.HIGH_RISK_THRESHOLD, highRiskThreshold);
        put(m, Keys.ALGORITHM, algorithm);
        put(m, Keys.GROUP_ID, groupId);
        put(m, Keys.TOPIC_CHAT, topicChat);
        put(m, Keys.TOPIC_REVIEWS, topicReviews);
        put(m, Keys.TOPIC_MEMBERS, topicMembers);
        put(m, Keys.TOPIC_DEAD_LETTERS, topicDeadLetters);
        put(m, Keys.TOPIC_ALERTS, topicAlerts);
        put(m, Keys.CREATE_TOPICS, createTopics == null ? null : createTopics.toString());
        m.putAll(settings);
        kafkaProperties.forEach((k, v) -> m.put(Keys.KAFKA_PROPERTY_PREFIX + k, v));
        flinkConf.forEach((k, v) -> m.put(Keys.FLINK_CONF_PREFIX + k, v));
        return m;
    }

    /** Resolves flags, environment and YAML into the typed configuration. */
    public TallyConfig load() {
        return ConfigLoader.load(flags(), System.getenv(), database.config);
    }

    /** Like {@link #load()}, with defaults of a command's own (flags, env and YAML still win). */
    public TallyConfig load(Map<String, String> commandDefaults) {
        Map<String, String> env = System.getenv();
        Map<String, String> flags = new LinkedHashMap<>();
        commandDefaults.forEach(
                (k, v) -> {
                    if (!env.containsKey(
                            "TALLY_" + k.toUpperCase(java.util.Locale.ROOT).replace('-', '_'))) {
                        flags.put(k, v);
                    }
                });
        flags.putAll(flags());
        return ConfigLoader.load(flags, env, database.config);
    }

    private static void put(Map<String, String> m, String key, String value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
