package io.tally.pipeline.cli;

import io.tally.pipeline.config.Setting;
import io.tally.pipeline.config.TallyConfig;
import java.util.ListResourceBundle;

/**
 * The {@code --help} text of each setting's flag, from its definition (doc, default, environment
 * variable): picocli looks an option's description up in the command's resource bundle by the
 * option's name without dashes, which is the setting's name.
 */
public final class SettingsHelp extends ListResourceBundle {
    @Override
    protected Object[][] getContents() {
        return TallyConfig.settings().stream()
                .map(s -> new Object[] {s.name(), description(s)})
                .toArray(Object[][]::new);
    }

    /** E.g. {@code Upsert flush interval (default 500ms; TALLY_FLUSH_INTERVAL).} */
    static String description(Setting<?> s) {
        return s.doc()
                + " ("
                + (s.defaultValue() == null ? "" : "default " + s.defaultValue() + "; ")
                + s.envName()
                + ").";
    }
}
