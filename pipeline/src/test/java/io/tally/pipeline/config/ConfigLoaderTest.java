package io.tally.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.connectors.kafka.KafkaEndpoints.StartFrom;
import io.tally.pipeline.config.TallyConfig.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPEC §5.2: flags, then TALLY_* environment, then the --config YAML, then defaults. */
class ConfigLoaderTest {
    @TempDir Path dir;

    @Test
    void defaultsAreTheSpecDefaults() {
        TallyConfig c = TallyConfig.defaults();
        assertThat(c.bootstrapServers).isEqualTo("127.0.0.1:9092");
        assertThat(c.pipelines).containsExactlyInAnyOrder(Pipeline.values());
        assertThat(c.timezone).isEqualTo(ZoneId.of("UTC"));
        assertThat(c.from).isEqualTo(StartFrom.COMMITTED);
        assertThat(c.bounded).isFalse();
        // SPEC §5.2: left to the cluster unless given (LocalRunner applies 10 s and 2 locally).
        assertThat(c.checkpointInterval).isNull();
        assertThat(c.parallelism).isNull();
        assertThat(c.flushInterval).isEqualTo(Duration.ofMillis(500));
        assertThat(c.sinkRetryTimeout).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.maxOutOfOrderness).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.idleness).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.maxFuture).isEqualTo(Duration.ofDays(1));
        assertThat(c.maxRecordBytes).isEqualTo(1024 * 1024);
        assertThat(c.deadLetterMaxValueBytes).isEqualTo(65_536);
        assertThat(c.retentionDays).isEqualTo(90);
        assertThat(c.excludedUsers).containsExactly("dazza");
        assertThat(c.deadLetterTopic).isEqualTo("tally-dead-letters");
        assertThat(c.chatTopic).isEqualTo("chat-messages");
    }

    @Test
    void sinkRetryTimeoutReachesTheSinksAndKeepsTheCheckpointTimeoutAboveIt() {
        // Issue 9: a database down for a minute is waited for, not a job failure.
        TallyConfig c =
                ConfigLoader.load(
                        Map.of("sink-retry-timeout", "90s", "jdbc-url", "jdbc:postgresql://h/db"),
                        Map.of(),
                        null);
        assertThat(c.sinkRetryTimeout).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.toMap()).containsEntry("sink-retry-timeout", "90000ms");
        assertThat(c.with(Map.of()).sinkRetryTimeout).isEqualTo(Duration.ofSeconds(90));
        assertThat(io.tally.pipeline.app.ProductionSinks.jdbcSettings(c).retryTimeout())
                .isEqualTo(Duration.ofSeconds(90));
        // The pre-barrier flush may wait that long: a checkpoint must not expire meanwhile.
        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment env =
                org.apache.flink.streaming.api.environment.StreamExecutionEnvironment
                        .getExecutionEnvironment();
        io.tally.pipeline.app.TallyJob.configure(env, TallyConfig.defaults());
        assertThat(env.getCheckpointConfig().getCheckpointTimeout())
                .isEqualTo(Duration.ofMinutes(11).toMillis());
    }

    @Test
    void flagBeatsEnvironmentBeatsYamlBeatsDefault() throws Exception {
        Path yaml = dir.resolve("tally.yaml");
        Files.writeString(
                yaml,
                "timezone: Australia/Sydney\n"
                        + "retention-days: 30\n"
                        + "parallelism: 3\n"
                        + "excluded-users: [Dazza, RoboCop]\n");
        TallyConfig c =
                ConfigLoader.load(
                        Map.of("timezone", "+10:00"),
                        Map.of("TALLY_TIMEZONE", "Europe/Paris", "TALLY_RETENTION_DAYS", "7"),
                        yaml);
        assertThat(c.timezone).isEqualTo(ZoneOffset.ofHours(10));
        assertThat(c.retentionDays).isEqualTo(7);
        assertThat(c.parallelism).isEqualTo(3);
        assertThat(c.excludedUsers).containsExactly("dazza", "robocop");
    }

    @Test
    void legacyIntegerOffsetMapsToAFixedZone() throws Exception {
        Path yaml = dir.resolve("legacy.yaml");
        Files.writeString(yaml, "timezoneOffset: 10\n");
        assertThat(ConfigLoader.load(Map.of(), Map.of(), yaml).timezone)
                .isEqualTo(ZoneOffset.ofHours(10));
        // An explicit zone wins over the legacy offset.
        assertThat(ConfigLoader.load(Map.of("timezone", "UTC"), Map.of(), yaml).timezone)
                .isEqualTo(ZoneId.of("UTC"));
    }

    @Test
    void durationsAcceptUnitsBareMillisAndIso() {
        assertThat(ConfigLoader.duration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(ConfigLoader.duration("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(ConfigLoader.duration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(ConfigLoader.duration("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(ConfigLoader.duration("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(ConfigLoader.duration("1500")).isEqualTo(Duration.ofMillis(1500));
        assertThat(ConfigLoader.duration("PT3S")).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void badValuesNameTheSettingAndWhereItCameFrom() {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("timezone", "Mars/Base"), Map.of(), null))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--timezone: unknown time zone 'Mars/Base'");
        assertThatThrownBy(
                        () -> ConfigLoader.load(Map.of(), Map.of("TALLY_PARALLELISM", "0"), null))
                .hasMessageStartingWith("TALLY_PARALLELISM: must be at least 1");
        assertThatThrownBy(
                        () -> ConfigLoader.load(Map.of("pipelines", "chat,video"), Map.of(), null))
                .hasMessageContaining("unknown pipeline 'video'");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("from", "yesterday"), Map.of(), null))
                .hasMessageContaining("expected earliest, latest or committed");
        assertThatThrownBy(
                        () -> ConfigLoader.load(Map.of("jdbc-url", "postgres://x"), Map.of(), null))
                .hasMessageContaining("expected jdbc:postgresql://");
        assertThatThrownBy(
                        () ->
                                ConfigLoader.load(
                                        Map.of("checkpoint-interval", "soon"), Map.of(), null))
                .hasMessageContaining("expected a duration");
    }

    @Test
    void deadLetterMaxValueBytesComesFromFlagEnvOrYamlWithinItsBounds() throws Exception {
        assertThat(
                        ConfigLoader.load(
                                        Map.of("dead-letter-max-value-bytes", "1024"),
                                        Map.of(),
                                        null)
                                .deadLetterMaxValueBytes)
                .isEqualTo(1024);
        assertThat(
                        ConfigLoader.load(
                                        Map.of(),
                                        Map.of("TALLY_DEAD_LETTER_MAX_VALUE_BYTES", "2048"),
                                        null)
                                .deadLetterMaxValueBytes)
                .isEqualTo(2048);
        Path yaml = dir.resolve("dl.yaml");
        java.nio.file.Files.writeString(yaml, "dead-letter-max-value-bytes: 4096\n");
        TallyConfig fromYaml = ConfigLoader.load(Map.of(), Map.of(), yaml);
        assertThat(fromYaml.deadLetterMaxValueBytes).isEqualTo(4096);
        assertThat(fromYaml.toMap()).containsEntry("dead-letter-max-value-bytes", "4096");
        assertThat(fromYaml.with(Map.of()).deadLetterMaxValueBytes).isEqualTo(4096);
        assertThatThrownBy(
                        () ->
                                ConfigLoader.load(
                                        Map.of("dead-letter-max-value-bytes", "1048576"),
                                        Map.of(),
                                        null))
                .hasMessageStartingWith("--dead-letter-max-value-bytes: must be at most 524288");
    }

    @Test
    void algorithmIsTally1OrV1Batch() throws Exception {
        assertThat(TallyConfig.defaults().algorithm).isEqualTo("tally-1");
        Path yaml = dir.resolve("v1.yaml");
        Files.writeString(yaml, "algorithm: v1-batch\n");
        assertThat(ConfigLoader.load(Map.of(), Map.of(), yaml).v1Batch()).isTrue();
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("algorithm", "v2"), Map.of(), null))
                .hasMessageContaining("expected tally-1 or v1-batch");
    }

    @Test
    void unknownYamlKeysAreRejected() throws Exception {
        Path yaml = dir.resolve("typo.yaml");
        Files.writeString(yaml, "bootstrap-server: x:9092\n");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of(), yaml))
                .hasMessageContaining("unknown setting 'bootstrap-server'");
    }

    @Test
    void configShowsInTheFlinkUiWithoutSecrets() {
        TallyConfig c = TallyConfig.defaults().with(Map.of("pipelines", "chat"));
        assertThat(c.toMap()).containsEntry("pipelines", "chat").containsEntry("timezone", "UTC");
        assertThat(c.pipelines).isEqualTo(Set.of(Pipeline.CHAT));
        assertThat(TallyConfig.defaults().with(c.toMap()).toMap()).isEqualTo(c.toMap());
    }

    @Test
    void theJdbcPasswordIsMaskedInTheUiButKeptForConnecting() {
        String url = "jdbc:postgresql://tally:pw-in-authority@db:5432/tally?password=s3cret-canary";
        TallyConfig c = TallyConfig.defaults().with(Map.of("jdbc-url", url));
        assertThat(c.toMap().get("jdbc-url"))
                .isEqualTo("jdbc:postgresql://tally:***@db:5432/tally?password=***");
        assertThat(c.toString()).doesNotContain("s3cret-canary").doesNotContain("pw-in-authority");
        // with() rebuilds from the unredacted settings: copies still connect with the password.
        TallyConfig copy =
                c.with(Map.of("pipelines", "chat")).withCredential("x", "/f", java.util.List.of());
        assertThat(copy.jdbcUrl).isEqualTo(url);
        assertThatThrownBy(
                        () ->
                                ConfigLoader.load(
                                        Map.of(
                                                "jdbc-url",
                                                "jdbc:mysql://h/db?password=s3cret-canary"),
                                        Map.of(),
                                        null))
                .hasMessageNotContaining("s3cret-canary");
    }

    @Test
    void allowedUrlsComeFromYamlAndTheEnvironmentWins() throws Exception {
        Path yaml = dir.resolve("creds.yaml");
        Files.writeString(
                yaml,
                "credentials:\n"
                        + "  whop-main:\n"
                        + "    file: /run/secrets/whop\n"
                        + "    allowed-urls: [\"https://api.whop.com/api/v2/\"]\n"
                        + "  other:\n"
                        + "    allowed-urls: [\"https://a.example/x/\", \"http://127.0.0.1:8089/api/\"]\n"
                        + "  env-only.one: {}\n");
        TallyConfig c =
                ConfigLoader.load(
                        Map.of(),
                        Map.of(
                                "TALLY_CREDENTIAL_OTHER_ALLOWED_URLS",
                                " https://b.example/y/ ,https://c.example/",
                                "TALLY_CREDENTIAL_ENV_ONLY_ONE_ALLOWED_URLS",
                                "https://d.example/",
                                "TALLY_CREDENTIAL_OTHER",
                                "a secret, not a setting"),
                        yaml);
        assertThat(c.credentialFiles).containsExactly(Map.entry("whop-main", "/run/secrets/whop"));
        assertThat(c.credentialAllowedUrls)
                .containsEntry(
                        "WHOP_MAIN",
                        new java.util.ArrayList<>(
                                java.util.List.of("https://api.whop.com/api/v2/")))
                .containsEntry(
                        "OTHER",
                        new java.util.ArrayList<>(
                                java.util.List.of("https://b.example/y/", "https://c.example/")))
                .containsEntry(
                        "ENV_ONLY_ONE",
                        new java.util.ArrayList<>(java.util.List.of("https://d.example/")))
                .hasSize(3);
        // Shown in the UI (URLs, no secrets), and carried through with().
        assertThat(c.toMap())
                .containsEntry(
                        "credentials.WHOP_MAIN.allowed-urls", "https://api.whop.com/api/v2/");
        assertThat(c.toMap().values()).doesNotContain("a secret, not a setting");
        assertThat(c.with(Map.of("pipelines", "members")).credentialAllowedUrls)
                .isEqualTo(c.credentialAllowedUrls);
        assertThat(
                        c.withCredential("demo", "/f", java.util.List.of("http://127.0.0.1:1/api/"))
                                .credentialAllowedUrls)
                .containsKeys("WHOP_MAIN", "OTHER", "ENV_ONLY_ONE", "DEMO");
    }

    @Test
    void badAllowedUrlsAreOneClearLine() throws Exception {
        for (String bad :
                java.util.List.of(
                        "ftp://api.whop.com/",
                        "api.whop.com/api/v2/",
                        "https://user:pw@api.whop.com/",
                        "https://api.whop.com/api/v2/?x=1",
                        "https://api.whop.com/api/%2e%2e/",
                        "https://api.whop.com/api/../v2/")) {
            assertThatThrownBy(
                            () ->
                                    ConfigLoader.load(
                                            Map.of(),
                                            Map.of("TALLY_CREDENTIAL_WHOP_MAIN_ALLOWED_URLS", bad),
                                            null))
                    .as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("TALLY_CREDENTIAL_WHOP_MAIN_ALLOWED_URLS: ")
                    .hasMessageContaining("expected an http(s) URL prefix")
                    .hasMessageNotContaining(":pw@");
        }
        // A secret in the wrong variable is not echoed.
        assertThatThrownBy(
                        () ->
                                ConfigLoader.load(
                                        Map.of(),
                                        Map.of(
                                                "TALLY_CREDENTIAL_WHOP_MAIN_ALLOWED_URLS",
                                                "tok-3f9a-secret"),
                                        null))
                .hasMessageContaining("not a URL (not shown)")
                .hasMessageNotContaining("tok-3f9a-secret");
        Path yaml = dir.resolve("bad-creds.yaml");
        Files.writeString(yaml, "credentials:\n  whop-main:\n    allowed-url: [x]\n");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of(), yaml))
                .hasMessageContaining("credentials.whop-main: unknown key 'allowed-url'");
    }

    @Test
    void kafkaAndFlinkSettingsPassThroughAndSecretsAreNeverShown() throws Exception {
        Path yaml = dir.resolve("pass.yaml");
        Files.writeString(
                yaml,
                "kafka:\n"
                        + "  properties:\n"
                        + "    security.protocol: SASL_SSL\n"
                        + "    sasl.jaas.config: org.apache.kafka.common.security.plain.PlainLoginModule"
                        + " required username=\"u\" password=\"hunter2\";\n"
                        + "    ssl.truststore.password: changeit\n"
                        + "flink:\n"
                        + "  state.backend.type: hashmap\n"
                        + "  restart-strategy: {type: fixed-delay}\n");
        TallyConfig c =
                ConfigLoader.load(
                        Map.of(
                                "kafka.properties.security.protocol", "SSL",
                                "flink.state.backend.type", "rocksdb"),
                        Map.of(),
                        yaml);
        // SPEC §5.2: flags over YAML, key by key; nested YAML maps are dotted keys.
        assertThat(c.kafkaProperties)
                .containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.truststore.password", "changeit")
                .containsKey("sasl.jaas.config");
        assertThat(c.flinkConf)
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("restart-strategy.type", "fixed-delay");
        // Shown (Flink web UI, toString) without the secrets.
        assertThat(c.toString()).doesNotContain("hunter2").doesNotContain("changeit");
        assertThat(c.toMap())
                .containsEntry("kafka.properties.sasl.jaas.config", "***")
                .containsEntry("kafka.properties.security.protocol", "SSL");
        // with() keeps them (it rebuilds from the unredacted settings).
        assertThat(c.with(Map.of("timezone", "UTC")).kafkaProperties).isEqualTo(c.kafkaProperties);
        assertThatThrownBy(
                        () ->
                                ConfigLoader.load(
                                        Map.of("kafka.properties.bootstrap.servers", "x:1"),
                                        Map.of(),
                                        null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--bootstrap-servers");
    }
}
