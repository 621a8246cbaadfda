package io.tally.pipeline.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * One setting of a Tally run, defined once (in {@link TallyConfig}): its name, type, default, doc,
 * parser with its validation, and how it is shown. Everything else is derived from the name: the
 * flag {@code --<name>}, the environment variable {@code TALLY_<NAME>} ({@link #envName}) and the
 * key of the {@code --config} YAML file (a dotted name such as {@code members.max-concurrent-jobs}
 * is also a nested key, {@code members: {max-concurrent-jobs: 4}}).
 *
 * <p>A value always starts as text, wherever it comes from (flag, environment, YAML, default), and
 * is parsed by the same {@link Parser}, so a default is checked like any other value and an error
 * reads the same wherever the value came from.
 *
 * @param <T> the type the job reads; serializable, since the configuration travels with the job
 */
public final class Setting<T extends Serializable> {
    /** Text to value; a bad value throws {@link ConfigException} with a message for the user. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(String raw);
    }

    private final String name;
    private final String defaultValue;
    private final String doc;
    private final Parser<T> parser;
    private final Function<T, String> format;
    private final UnaryOperator<String> shown;
    private final boolean secret;
    private final boolean isSwitch;

    private Setting(
            String name,
            String defaultValue,
            String doc,
            Parser<T> parser,
            Function<T, String> format,
            UnaryOperator<String> shown,
            boolean secret,
            boolean isSwitch) {
        if (!name.matches("[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)?")) {
            throw new IllegalArgumentException("setting names are lower-kebab-case: " + name);
        }
        this.name = name;
        this.defaultValue = defaultValue;
        this.doc = Objects.requireNonNull(doc, name);
        this.parser = parser;
        this.format = format;
        this.shown = shown;
        this.secret = secret;
        this.isSwitch = isSwitch;
    }

    /**
     * A setting of any type.
     *
     * @param defaultValue the text of its default, parsed like a given value; null for none
     * @param doc what it does, shown by {@code --help} (no trailing period)
     * @param format value to text, such that parsing the text gives the value back ({@link
     *     TallyConfig#with} rebuilds a configuration from these texts)
     */
    public static <T extends Serializable> Setting<T> of(
            String name,
            String defaultValue,
            String doc,
            Parser<T> parser,
            Function<T, String> format) {
        return new Setting<>(
                name, defaultValue, doc, parser, format, UnaryOperator.identity(), false, false);
    }

    /** Text that must not be empty. */
    public static Setting<String> text(String name, String defaultValue, String doc) {
        return of(name, defaultValue, doc, Setting::nonEmpty, s -> s);
    }

    /** {@code 500ms}, {@code 10s}, {@code 5m}, … ({@link ConfigLoader#duration}). */
    public static Setting<Duration> duration(String name, String defaultValue, String doc) {
        return of(name, defaultValue, doc, ConfigLoader::duration, d -> d.toMillis() + "ms");
    }

    /** A whole number of at least {@code min}. */
    public static Setting<Integer> wholeNumber(
            String name, String defaultValue, int min, String doc) {
        return wholeNumber(name, defaultValue, min, Integer.MAX_VALUE, doc);
    }

    /** A whole number from {@code min} to {@code max}. */
    public static Setting<Integer> wholeNumber(
            String name, String defaultValue, int min, int max, String doc) {
        return of(name, defaultValue, doc, s -> wholeNumber(s, min, max), i -> Integer.toString(i));
    }

    /** A number above zero. */
    public static Setting<Double> positiveNumber(String name, String defaultValue, String doc) {
        return of(name, defaultValue, doc, Setting::positiveNumber, d -> Double.toString(d));
    }

    /**
     * True or false ({@code yes}/{@code no}, {@code 1}/{@code 0} too); its flag takes no value
     * ({@code --bounded}), or one attached ({@code --bounded=false}).
     */
    public static Setting<Boolean> onOff(String name, String defaultValue, String doc) {
        return new Setting<>(
                name,
                defaultValue,
                doc,
                Setting::onOff,
                b -> Boolean.toString(b),
                UnaryOperator.identity(),
                false,
                true);
    }

    /**
     * This setting, shown (SPEC §5.2: in the Flink web UI, {@code toString}, console lines) as
     * {@code shown} makes its text, e.g. a JDBC URL without its password.
     */
    public Setting<T> shownAs(UnaryOperator<String> shown) {
        return new Setting<>(name, defaultValue, doc, parser, format, shown, secret, isSwitch);
    }

    /**
     * This setting, never shown: its value is a secret, shown as {@link Secrets#REDACTED} and left
     * out of error messages.
     */
    public Setting<T> secret() {
        return new Setting<>(
                name, defaultValue, doc, parser, format, s -> Secrets.REDACTED, true, isSwitch);
    }

    /** The flag without its dashes, the YAML key. */
    public String name() {
        return name;
    }

    /** {@code TALLY_} and the name in upper snake case: {@code TALLY_FLUSH_INTERVAL}. */
    public String envName() {
        return envName(name);
    }

    static String envName(String name) {
        return "TALLY_" + name.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
    }

    /** The text of the default, or null when the setting is unset unless given. */
    public String defaultValue() {
        return defaultValue;
    }

    public String doc() {
        return doc;
    }

    /** True for an on/off setting, whose flag takes no value. */
    public boolean isSwitch() {
        return isSwitch;
    }

    /** True when its value must never be shown as it is, not even in an error message. */
    public boolean isSecret() {
        return secret;
    }

    T parse(String raw) {
        return parser.parse(raw);
    }

    /** The value as text: parsing it gives the value back. */
    String format(Object value) {
        @SuppressWarnings("unchecked")
        T v = (T) value;
        return format.apply(v);
    }

    /** The text fit to show: {@link #format} as {@link #shownAs} makes it. */
    String show(String text) {
        return text == null ? null : shown.apply(text);
    }

    @Override
    public String toString() {
        return name;
    }

    // Parsers shared by several settings. Their messages follow the origin of the value
    // ("--flush-interval: …", "TALLY_PARALLELISM: …"), added by ConfigLoader.

    static String nonEmpty(String s) {
        if (s.isEmpty()) {
            throw new ConfigException("must not be empty");
        }
        return s;
    }

    private static Integer wholeNumber(String s, int min, int max) {
        int v;
        try {
            v = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new ConfigException("expected a whole number, got '" + s + "'");
        }
        if (v < min) {
            throw new ConfigException("must be at least " + min + ", got " + v);
        }
        if (v > max) {
            throw new ConfigException("must be at most " + max + ", got " + v);
        }
        return v;
    }

    private static Double positiveNumber(String s) {
        double v;
        try {
            v = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new ConfigException("expected a number, got '" + s + "'");
        }
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new ConfigException("must be a positive number, got '" + s + "'");
        }
        return v;
    }

    private static Boolean onOff(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "true":
            case "yes":
            case "1":
                return true;
            case "false":
            case "no":
            case "0":
                return false;
            default:
                throw new ConfigException("expected true or false, got '" + s + "'");
        }
    }
}
