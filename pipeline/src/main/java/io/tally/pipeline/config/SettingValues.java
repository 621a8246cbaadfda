package io.tally.pipeline.config;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.ExecutionConfig;

/**
 * The parsed value of every {@link Setting}, by name. {@link TallyConfig} extends it so that its
 * typed fields can be read straight from their definitions ({@code public final Duration
 * flushInterval = get(FLUSH_INTERVAL);}): a superclass is set up before a class's own field
 * initializers run.
 */
abstract class SettingValues extends ExecutionConfig.GlobalJobParameters {
    private static final long serialVersionUID = 1L;

    /** Setting name → parsed value; absent or null for a setting without a value. */
    private final LinkedHashMap<String, Serializable> values;

    SettingValues(Map<String, Serializable> values) {
        this.values = new LinkedHashMap<>(values);
    }

    /** The value of {@code setting}, or null when it has none (no default and not given). */
    public final <T extends Serializable> T get(Setting<T> setting) {
        @SuppressWarnings("unchecked")
        T v = (T) values.get(setting.name());
        return v;
    }

    /** The value of {@code setting} as text that parses back to it, or null. */
    final String text(Setting<?> setting) {
        Serializable v = values.get(setting.name());
        return v == null ? null : setting.format(v);
    }
}
