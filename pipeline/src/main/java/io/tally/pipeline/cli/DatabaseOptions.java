package io.tally.pipeline.cli;

import io.tally.pipeline.config.ConfigLoader;
import io.tally.pipeline.config.TallyConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The SPEC §5.2 database options and {@code --config}: on their own for commands that only read
 * PostgreSQL (their {@code --help} then lists no Kafka or Flink settings), and mixed into {@link
 * CommonOptions} for the rest, so each option is declared once. The flags of settings, as in {@link
 * CommonOptions}: help text and validation come from the definitions in {@link TallyConfig}.
 */
public class DatabaseOptions {
    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "YAML file with settings (keys as the flag names).")
    Path config;

    @Option(names = "--jdbc-url", paramLabel = "URL")
    String jdbcUrl;

    @Option(names = "--jdbc-user", paramLabel = "USER")
    String jdbcUser;

    @Option(names = "--jdbc-password-file", paramLabel = "FILE")
    String jdbcPasswordFile;

    /** Resolves flags, environment and YAML into the typed configuration. */
    public TallyConfig load() {
        return ConfigLoader.load(SettingFlags.given(this), System.getenv(), config);
    }
}
