package io.tally.pipeline.config;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which pass-through settings hold secrets (SPEC §5.2: never print secrets). A Kafka {@code
 * sasl.jaas.config} carries a password inline, {@code ssl.*.password} and the like are passwords;
 * Flink settings are judged by the same words. Such values are shown as {@value #REDACTED} wherever
 * settings are shown (the Flink web UI's job parameters, console lines).
 */
public final class Secrets {
    public static final String REDACTED = "***";

    private Secrets() {}

    /** True for a setting name whose value must not be shown. */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.endsWith("sasl.jaas.config")
                || k.contains("password")
                || k.contains("secret")
                || k.endsWith("basic.auth.user.info")
                || k.endsWith("sasl.oauthbearer.client.credentials.client.secret")
                || k.endsWith(".token");
    }

    /** A copy fit to print: secret values replaced by {@value #REDACTED}. */
    public static Map<String, String> redacted(Map<String, String> settings) {
        Map<String, String> out = new TreeMap<>(settings);
        out.replaceAll((k, v) -> isSecret(k) ? REDACTED : v);
        return out;
    }
}
