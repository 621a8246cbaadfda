package io.tally.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: a setting is defined once, in {@link TallyConfig}; its environment variable, YAML key,
 * display, copy ({@code with}) and job arguments all follow from that definition.
 */
class SettingTest {
    @TempDir Path dir;

    @Test
    void theEnvironmentVariableAndYamlKeyFollowFromTheName() throws Exception {
        assertThat(TallyConfig.FLUSH_INTERVAL.envName()).isEqualTo("TALLY_FLUSH_INTERVAL");
        assertThat(TallyConfig.MEMBERS_MAX_CONCURRENT_JOBS.envName())
                .isEqualTo("TALLY_MEMBERS_MAX_CONCURRENT_JOBS");
        assertThat(
                        ConfigLoader.load(
                                        Map.of(),
                                        Map.of("TALLY_MEMBERS_MAX_CONCURRENT_JOBS", "3"),
                                        null)
                                .maxConcurrentJobs)
                .isEqualTo(3);
        // A dotted name is a nested YAML key, or the dotted key itself.
        Path nested = dir.resolve("nested.yaml");
        Files.writeString(
                nested, "members:\n  max-concurrent-jobs: 2\n  requests-per-second: 2.5\n");
        TallyConfig c = ConfigLoader.load(Map.of(), Map.of(), nested);
        assertThat(c.maxConcurrentJobs).isEqualTo(2);
        assertThat(c.requestsPerSecond).isEqualTo(2.5);
        Path flat = dir.resolve("flat.yaml");
        Files.writeString(flat, "members.max-concurrent-jobs: 5\nflush-interval: 2s\n");
        assertThat(ConfigLoader.load(Map.of(), Map.of(), flat).maxConcurrentJobs).isEqualTo(5);
        assertThat(ConfigLoader.load(Map.of(), Map.of(), flat).flushInterval)
                .isEqualTo(Duration.ofSeconds(2));
        Path typo = dir.resolve("typo.yaml");
        Files.writeString(typo, "members:\n  max-concurrent-job: 2\n");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of(), typo))
                .isInstanceOf(ConfigException.class)
                .hasMessageEndingWith(": unknown setting 'members.max-concurrent-job'");
    }

    @Test
    void typedFieldsReadTheirDefinitions() {
        TallyConfig c =
                TallyConfig.defaults()
                        .with(Map.of("flush-interval", "750ms", "retention-days", "12"));
        assertThat(c.flushInterval).isEqualTo(c.get(TallyConfig.FLUSH_INTERVAL));
        assertThat(c.flushInterval).isEqualTo(Duration.ofMillis(750));
        assertThat(c.retentionDays).isEqualTo(12).isEqualTo(c.get(TallyConfig.RETENTION_DAYS));
        assertThat(c.get(TallyConfig.PARALLELISM)).isNull();
    }

    @Test
    void everySettingIsShownCopiedAndPassedToTheJobFromItsDefinition() {
        TallyConfig c =
                TallyConfig.defaults()
                        .with(
                                Map.of(
                                        "bounded", "true",
                                        "parallelism", "3",
                                        "members.requests-per-second", "4",
                                        "pipelines", "reviews,chat",
                                        "timezone", "Europe/Paris",
                                        "state-dir", "/tmp/elsewhere"));
        assertThat(c.toMap())
                .containsEntry("bounded", "true")
                .containsEntry("parallelism", "3")
                .containsEntry("members.requests-per-second", "4.0")
                .containsEntry("pipelines", "chat,reviews")
                .containsEntry("timezone", "Europe/Paris")
                // Left out when it has no value: the cluster's setting applies.
                .doesNotContainKey("checkpoint-interval");
        // The keys are the settings, in the order they are defined.
        assertThat(TallyConfig.defaults().toMap().keySet())
                .containsExactlyElementsOf(
                        TallyConfig.settings().stream()
                                .filter(s -> s.defaultValue() != null)
                                .map(Setting::name)
                                .toList());
        assertThat(c.jobArguments())
                .containsExactly(
                        "--pipelines",
                        "chat,reviews",
                        "--timezone",
                        "Europe/Paris",
                        "--bounded=true",
                        "--parallelism",
                        "3",
                        "--set",
                        "members.requests-per-second=4.0");
        assertThat(c.with(Map.of()).toMap()).isEqualTo(c.toMap());
    }

    @Test
    void aSecretSettingIsNeverShown() {
        Setting<String> token = Setting.text("token", null, "An API token").secret();
        assertThat(token.isSecret()).isTrue();
        assertThat(token.show("tok-1234")).isEqualTo(Secrets.REDACTED);
        assertThat(TallyConfig.JDBC_URL.isSecret()).isFalse();
        assertThat(TallyConfig.JDBC_URL.show("jdbc:postgresql://h/db?password=pw"))
                .isEqualTo("jdbc:postgresql://h/db?password=***");
    }

    @Test
    void namesAreKebabCase() {
        assertThatThrownBy(() -> Setting.text("flushInterval", "1", "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(TallyConfig.settings())
                .extracting(Setting::name)
                .doesNotHaveDuplicates()
                .allMatch(n -> n.matches("[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)?"));
    }
}
