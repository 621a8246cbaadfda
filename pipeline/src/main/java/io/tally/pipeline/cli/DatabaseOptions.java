package io.tally.pipeline.cli;

import io.tally.pipeline.config.ConfigLoader;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.config.TallyConfig.Keys;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The SPEC §5.2 database options and {@code --config}: on their own for commands that only read
 * PostgreSQL (their {@code --help} then lists no Kafka or Flink settings), and mixed into {@link
 * CommonOptions} for the rest, so each option is declared once.
 */
public class DatabaseOptions {
    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "YAML file with settings (keys as the flag names).")
    Path config;

    @Option(
            names = "--jdbc-url",
            paramLabel = "URL",
            description =
                    "PostgreSQL, e.g. jdbc:postgresql://127.0.0.1:5432/tally (TALLY_JDBC_URL).")
    String jdbcUrl;

    @Option(
            names = "--jdbc-user",
            paramLabel = "USER",
            description = "PostgreSQL user (TALLY_JDBC_USER).")
    String jdbcUser;

    @Option(
            names = "--jdbc-password-file",
            paramLabel = "FILE",
            description =
                    "File holding the PostgreSQL password; never a password on the command line.")
    String jdbcPasswordFile;

    /** Resolves flags, environment and YAML into the typed configuration. */
    public TallyConfig load() {
        Map<String, String> flags = new LinkedHashMap<>();
        putFlags(flags);
        return ConfigLoader.load(flags, System.getenv(), config);
    }

    /** Adds the database flags given on the command line to {@code flags}, by option name. */
    void putFlags(Map<String, String> flags) {
        if (jdbcUrl != null) {
            flags.put(Keys.JDBC_URL, jdbcUrl);
        }
        if (jdbcUser != null) {
            flags.put(Keys.JDBC_USER, jdbcUser);
        }
        if (jdbcPasswordFile != null) {
            flags.put(Keys.JDBC_PASSWORD_FILE, jdbcPasswordFile);
        }
    }
}
