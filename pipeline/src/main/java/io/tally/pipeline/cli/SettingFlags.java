package io.tally.pipeline.cli;

import io.tally.pipeline.config.TallyConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The settings given as flags, read from picocli's model of an options object rather than listed
 * field by field: a setting's flag is {@code --<name>} (see {@link TallyConfig}).
 */
final class SettingFlags {
    /** Options of {@link CommonOptions} and {@link DatabaseOptions} that are not one setting. */
    private static final Set<String> NOT_SETTINGS =
            Set.of("config", "set", "kafka-property", "flink-conf");

    private SettingFlags() {}

    /**
     * Setting name → the text given on the command line, for every setting flag of {@code options}
     * (and its mixins) that was given.
     *
     * @throws IllegalStateException for an option that names no setting: a typo in a flag's name
     *     would otherwise be a flag that is silently never read
     */
    static Map<String, String> given(Object options) {
        Map<String, String> m = new LinkedHashMap<>();
        for (OptionSpec o : CommandSpec.forAnnotatedObject(options).options()) {
            String name = o.longestName().replaceFirst("^--", "");
            if (NOT_SETTINGS.contains(name)) {
                continue;
            }
            if (TallyConfig.setting(name) == null) {
                throw new IllegalStateException(
                        o.longestName() + " is not the flag of a setting defined in TallyConfig");
            }
            Object value = o.getValue();
            if (value != null) {
                m.put(name, value.toString());
            }
        }
        return m;
    }
}
