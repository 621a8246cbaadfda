package io.tally.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.config.Setting;
import io.tally.pipeline.config.TallyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * SPEC §5.2 precedence as the commands apply it — flag, then {@code TALLY_*}, then the {@code
 * --config} YAML, then a command's own defaults, then the setting's — and the flags that issue 11
 * derives from the setting definitions.
 */
class CommonOptionsTest {
    @TempDir Path dir;

    private static CommonOptions parse(String... args) {
        CommonOptions options = new CommonOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }

    @Test
    void theYamlFileWinsOverACommandsOwnDefaults() throws Exception {
        Path yaml = dir.resolve("tally.yaml");
        Files.writeString(yaml, "idleness: 7s\ncheckpoint-interval: 20s\n");
        Map<String, String> demoDefaults =
                Map.of("idleness", "2s", "checkpoint-interval", "5s", "from", "earliest");
        TallyConfig c = parse("--config", yaml.toString()).load(demoDefaults, Map.of());
        assertThat(c.idleness).isEqualTo(Duration.ofSeconds(7));
        assertThat(c.checkpointInterval).isEqualTo(Duration.ofSeconds(20));
        // Where the YAML says nothing, the command's default beats the setting's own.
        assertThat(c.from.name()).isEqualTo("EARLIEST");
    }

    @Test
    void flagsAndEnvironmentWinOverTheYamlAndCommandDefaults() throws Exception {
        Path yaml = dir.resolve("tally.yaml");
        Files.writeString(yaml, "idleness: 7s\nflush-interval: 3s\nretention-days: 9\n");
        TallyConfig c =
                parse("--config", yaml.toString(), "--idleness", "1s")
                        .load(
                                Map.of(
                                        "idleness",
                                        "2s",
                                        "flush-interval",
                                        "4s",
                                        "max-future",
                                        "2d"),
                                Map.of("TALLY_FLUSH_INTERVAL", "6s"));
        assertThat(c.idleness).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.flushInterval).isEqualTo(Duration.ofSeconds(6));
        assertThat(c.retentionDays).isEqualTo(9);
        assertThat(c.maxFuture).isEqualTo(Duration.ofDays(2));
    }

    @Test
    void flagsAreReadFromTheDefinitionsNames() {
        CommonOptions o =
                parse(
                        "--jdbc-url",
                        "jdbc:postgresql://h/db",
                        "--topic-alerts",
                        "alerts-x",
                        "--bounded",
                        "--create-topics=false",
                        "--set",
                        "members.max-concurrent-jobs=2",
                        "--kafka-property",
                        "security.protocol=SSL");
        assertThat(o.flags())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "jdbc-url", "jdbc:postgresql://h/db",
                                "topic-alerts", "alerts-x",
                                "bounded", "true",
                                "create-topics", "false",
                                "members.max-concurrent-jobs", "2",
                                "kafka.properties.security.protocol", "SSL"));
    }

    /**
     * {@code tally submit} gives the job its settings as program arguments, which {@code
     * TallyJobMain} parses with {@link CommonOptions}: every setting without a dot needs its flag.
     */
    @Test
    void everySettingHasItsFlagAndEveryFlagItsSetting() {
        CommandSpec spec = CommandSpec.forAnnotatedObject(new CommonOptions());
        List<String> flags = spec.options().stream().map(OptionSpec::longestName).toList();
        for (Setting<?> s : TallyConfig.settings()) {
            if (!s.name().contains(".")) {
                assertThat(flags).as(s.name()).contains("--" + s.name());
            }
        }
        // And flags() knows every option (it throws on one that names no setting).
        assertThat(parse().flags()).isEmpty();
    }

    @Test
    void jobArgumentsParseBackToTheSameConfiguration() {
        TallyConfig c =
                TallyConfig.defaults()
                        .with(
                                Map.of(
                                        "jdbc-url", "jdbc:postgresql://db:5432/tally",
                                        "bounded", "true",
                                        "create-topics", "true",
                                        "excluded-users", "Dazza,RoboCop",
                                        "members.requests-per-second", "2.5",
                                        "checkpoint-interval", "45s",
                                        "flink.state.backend.type", "rocksdb"));
        CommonOptions o = parse(c.jobArguments().toArray(String[]::new));
        assertThat(o.load(Map.of(), Map.of()).toMap()).isEqualTo(c.toMap());
    }

    @Test
    void helpShowsEachSettingsDocDefaultAndVariable() {
        CliRunner.Result r = CliRunner.tally("run", "--help");
        assertThat(r.exit()).isZero();
        String help = r.out().replaceAll("\\s+", " ");
        assertThat(help)
                .contains(
                        "--flush-interval=DURATION Upsert flush interval (default 500ms;"
                                + " TALLY_FLUSH_INTERVAL).")
                .contains("--jdbc-url=URL PostgreSQL, e.g. jdbc:postgresql:")
                .contains("(TALLY_JDBC_URL).")
                .contains("--kafka-property=KEY=VALUE");
        for (Setting<?> s : TallyConfig.settings()) {
            if (!s.name().contains(".")) {
                assertThat(help).contains(s.envName());
            }
        }
        // Commands with only the database options get their help too.
        assertThat(CliRunner.tally("serve", "--help").out()).contains("TALLY_JDBC_URL");
    }
}
