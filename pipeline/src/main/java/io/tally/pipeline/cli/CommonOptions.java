package io.tally.pipeline.cli;

import io.tally.pipeline.config.ConfigLoader;
import io.tally.pipeline.config.TallyConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The SPEC §5.2 common options. Each is also a {@code TALLY_*} environment variable and a key of
 * the {@code --config} YAML file, in that priority after the flag; {@link ConfigLoader} resolves
 * and validates them into one {@link TallyConfig}.
 *
 * <p>Each setting's flag is named after it ({@code --flush-interval} for {@code flush-interval})
 * and keeps the text as given: its type, default, doc (the {@code --help} text, {@link
 * SettingsHelp}) and validation are in its definition in {@link TallyConfig}.
 */
public class CommonOptions {
    /** {@code --config} and the PostgreSQL options, shared with commands that only read tables. */
    @Mixin DatabaseOptions database = new DatabaseOptions();

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT")
    String bootstrapServers;

    @Option(names = "--pipelines", paramLabel = "LIST")
    String pipelines;

    @Option(names = "--timezone", paramLabel = "ZONE")
    String timezone;

    @Option(names = "--from", paramLabel = "WHERE")
    String from;

    @Option(names = "--bounded")
    Boolean bounded;

    @Option(names = "--parallelism", paramLabel = "N")
    String parallelism;

    @Option(names = "--checkpoint-interval", paramLabel = "DURATION")
    String checkpointInterval;

    @Option(names = "--state-backend", paramLabel = "NAME")
    String stateBackend;

    @Option(names = "--flush-interval", paramLabel = "DURATION")
    String flushInterval;

    @Option(names = "--catch-up-flush-interval", paramLabel = "DURATION")
    String catchUpFlushInterval;

    @Option(names = "--sink-retry-timeout", paramLabel = "DURATION")
    String sinkRetryTimeout;

    @Option(names = "--max-out-of-orderness", paramLabel = "DURATION")
    String maxOutOfOrderness;

    @Option(names = "--idleness", paramLabel = "DURATION")
    String idleness;

    @Option(names = "--max-future", paramLabel = "DURATION")
    String maxFuture;

    @Option(names = "--max-record-bytes", paramLabel = "N")
    String maxRecordBytes;

    @Option(names = "--dead-letter-max-value-bytes", paramLabel = "N")
    String deadLetterMaxValueBytes;

    @Option(names = "--retention-days", paramLabel = "N")
    String retentionDays;

    @Option(names = "--excluded-users", paramLabel = "LIST")
    String excludedUsers;

    @Option(names = "--state-dir", paramLabel = "DIR")
    String stateDir;

    @Option(names = "--high-risk-threshold", paramLabel = "N")
    String highRiskThreshold;

    @Option(names = "--algorithm", paramLabel = "NAME")
    String algorithm;

    @Option(names = "--group-id", paramLabel = "ID")
    String groupId;

    @Option(names = "--create-topics")
    Boolean createTopics;

    @Option(names = "--topic-chat", paramLabel = "TOPIC")
    String topicChat;

    @Option(names = "--topic-reviews", paramLabel = "TOPIC")
    String topicReviews;

    @Option(names = "--topic-members", paramLabel = "TOPIC")
    String topicMembers;

    @Option(names = "--topic-dead-letters", paramLabel = "TOPIC")
    String topicDeadLetters;

    @Option(names = "--topic-alerts", paramLabel = "TOPIC")
    String topicAlerts;

    // Not settings: families of settings, and any setting by its name.

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

    /** The flags given on the command line, by option name. */
    public Map<String, String> flags() {
        Map<String, String> m = SettingFlags.given(this);
        m.putAll(settings);
        kafkaProperties.forEach((k, v) -> m.put(TallyConfig.KAFKA_PROPERTY_PREFIX + k, v));
        flinkConf.forEach((k, v) -> m.put(TallyConfig.FLINK_CONF_PREFIX + k, v));
        return m;
    }

    /** Resolves flags, environment and YAML into the typed configuration. */
    public TallyConfig load() {
        return load(Map.of());
    }

    /**
     * Like {@link #load()}, with defaults of a command's own, e.g. the demo's short idleness:
     * flags, environment and YAML all win over them.
     */
    public TallyConfig load(Map<String, String> commandDefaults) {
        return load(commandDefaults, System.getenv());
    }

    TallyConfig load(Map<String, String> commandDefaults, Map<String, String> env) {
        return ConfigLoader.load(flags(), env, database.config, commandDefaults);
    }
}
