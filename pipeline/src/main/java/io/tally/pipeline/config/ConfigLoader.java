package io.tally.pipeline.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves every {@link Setting} from, in priority order, command-line flags, {@code TALLY_*}
 * environment variables and a YAML file ({@code --config}), then a command's own defaults (the
 * {@code demo}'s short idleness, say), else the setting's default (SPEC §5.2). Errors name the
 * setting and where its bad value came from.
 */
public final class ConfigLoader {
    private static final Pattern DURATION =
            Pattern.compile("^(\\d+)\\s*(ms|s|m|min|h|d)?$", Pattern.CASE_INSENSITIVE);

    /** YAML sections that are families of settings rather than settings. */
    private static final String CREDENTIALS_SECTION = "credentials";

    private static final String KAFKA_SECTION = "kafka";
    private static final String FLINK_SECTION = "flink";

    static final String CREDENTIAL_ENV_PREFIX = "TALLY_CREDENTIAL_";
    static final String ALLOWED_URLS_ENV_SUFFIX = "_ALLOWED_URLS";

    /** Legacy integer hours (SPEC §1.3), used only when {@code timezone} is not given anywhere. */
    static final String TIMEZONE_OFFSET = "timezoneOffset";

    private ConfigLoader() {}

    /** Option names this loader knows (for {@code --help} texts and YAML validation). */
    public static List<String> keys() {
        return TallyConfig.settings().stream().map(Setting::name).toList();
    }

    /**
     * @param flags option name → value, only for flags given on the command line
     * @param env the process environment
     * @param yamlFile the {@code --config} file, or null
     */
    public static TallyConfig load(
            Map<String, String> flags, Map<String, String> env, Path yamlFile) {
        return load(flags, env, yamlFile, Map.of());
    }

    /**
     * As {@link #load(Map, Map, Path)}, with defaults of a command's own: below the YAML file, so
     * that flags, environment and YAML all win over them, and above the settings' own defaults.
     *
     * @param commandDefaults option name → value
     */
    public static TallyConfig load(
            Map<String, String> flags,
            Map<String, String> env,
            Path yamlFile,
            Map<String, String> commandDefaults) {
        return load(flags, env, yamlFile, commandDefaults, Map.of(), Map.of());
    }

    /**
     * As {@link #load(Map, Map, Path)}, starting from credential settings already resolved (by
     * {@link TallyConfig#with}, which has no environment to read them from again); the YAML and
     * then the environment are applied over them.
     */
    static TallyConfig load(
            Map<String, String> flags,
            Map<String, String> env,
            Path yamlFile,
            Map<String, String> credentialFiles,
            Map<String, List<String>> credentialAllowedUrls) {
        return load(flags, env, yamlFile, Map.of(), credentialFiles, credentialAllowedUrls);
    }

    private static TallyConfig load(
            Map<String, String> flags,
            Map<String, String> env,
            Path yamlFile,
            Map<String, String> commandDefaults,
            Map<String, String> credentialFiles,
            Map<String, List<String>> credentialAllowedUrls) {
        for (String key : commandDefaults.keySet()) {
            if (TallyConfig.setting(key) == null) {
                throw new IllegalArgumentException("no setting " + key);
            }
        }
        Map<String, String> credentials = new LinkedHashMap<>(credentialFiles);
        Map<String, List<String>> allowedUrls = new LinkedHashMap<>(credentialAllowedUrls);
        Map<String, String> yaml =
                yamlFile == null ? Map.of() : readYaml(yamlFile, credentials, allowedUrls);
        // SPEC §4.1: TALLY_CREDENTIAL_<NAME>_ALLOWED_URLS, comma-separated; like every setting,
        // the environment wins over the YAML (for that credential, the whole list).
        env.forEach(
                (name, value) -> {
                    if (name.startsWith(CREDENTIAL_ENV_PREFIX)
                            && name.endsWith(ALLOWED_URLS_ENV_SUFFIX)
                            && name.length()
                                    > CREDENTIAL_ENV_PREFIX.length()
                                            + ALLOWED_URLS_ENV_SUFFIX.length()) {
                        String key =
                                name.substring(
                                        CREDENTIAL_ENV_PREFIX.length(),
                                        name.length() - ALLOWED_URLS_ENV_SUFFIX.length());
                        allowedUrls.put(key, allowedUrlPrefixes(name, List.of(value.split(","))));
                    }
                });
        Map<String, Serializable> values = new LinkedHashMap<>();
        for (Setting<?> s : TallyConfig.settings()) {
            String raw;
            String origin;
            String envName = s.envName();
            boolean given = true;
            if (flags.containsKey(s.name())) {
                raw = flags.get(s.name());
                origin = "--" + s.name();
            } else if (env.containsKey(envName)) {
                raw = env.get(envName);
                origin = envName;
            } else if (yaml.containsKey(s.name())) {
                raw = yaml.get(s.name());
                origin = yamlFile + ": " + s.name();
            } else if (commandDefaults.containsKey(s.name())) {
                raw = commandDefaults.get(s.name());
                origin = "default of " + s.name();
            } else {
                raw = s.defaultValue();
                origin = "default of " + s.name();
                given = false;
            }
            if (s == TallyConfig.TIMEZONE && !given) {
                String legacy =
                        env.getOrDefault("TALLY_TIMEZONE_OFFSET", yaml.get(TIMEZONE_OFFSET));
                if (legacy != null) {
                    raw = legacyOffset(legacy);
                    origin = "timezoneOffset";
                }
            }
            try {
                values.put(s.name(), raw == null ? null : s.parse(raw.trim()));
            } catch (ConfigException | IllegalArgumentException | DateTimeException e) {
                throw new ConfigException(
                        origin
                                + ": "
                                + (s.isSecret()
                                        ? "not a valid value (not shown: it is a secret)"
                                        : e.getMessage()));
            }
        }
        return new TallyConfig(
                values,
                passThrough(TallyConfig.KAFKA_PROPERTY_PREFIX, yaml, flags),
                passThrough(TallyConfig.FLINK_CONF_PREFIX, yaml, flags),
                credentials,
                allowedUrls);
    }

    /**
     * SPEC §5.2: Kafka client properties and Flink settings pass through unchanged, the YAML's
     * first and the flags' over them, key by key. Tally's own connection settings are not among
     * them: {@code bootstrap.servers} has its own option, which would otherwise be overridden
     * silently in some clients and not in others.
     */
    private static java.util.TreeMap<String, String> passThrough(
            String prefix, Map<String, String> yaml, Map<String, String> flags) {
        java.util.TreeMap<String, String> out = new java.util.TreeMap<>();
        for (Map<String, String> source : List.of(yaml, flags)) {
            source.forEach(
                    (k, v) -> {
                        if (k.startsWith(prefix) && v != null) {
                            out.put(k.substring(prefix.length()), v);
                        }
                    });
        }
        if (prefix.equals(TallyConfig.KAFKA_PROPERTY_PREFIX)
                && out.containsKey("bootstrap.servers")) {
            throw new ConfigException(
                    "kafka property bootstrap.servers: use --bootstrap-servers instead");
        }
        return out;
    }

    /** A YAML value as a setting's text: a list is comma-separated, null is not given. */
    private static void putValue(String key, JsonNode v, Map<String, String> out) {
        if (v.isArray()) {
            List<String> items = new ArrayList<>();
            v.forEach(x -> items.add(x.asText()));
            out.put(key, String.join(",", items));
        } else if (!v.isNull()) {
            out.put(key, v.asText());
        }
    }

    private static Map<String, String> readYaml(
            Path file, Map<String, String> credentials, Map<String, List<String>> allowedUrls) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ConfigException("--config " + file + ": cannot read: " + e.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return out;
        }
        if (!root.isObject()) {
            throw new ConfigException("--config " + file + ": expected a mapping of settings");
        }
        Set<String> known = new HashSet<>(keys());
        known.add(TIMEZONE_OFFSET);
        Set<String> groups = new HashSet<>();
        known.stream()
                .filter(k -> k.contains("."))
                .forEach(k -> groups.add(k.substring(0, k.indexOf('.'))));
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals(CREDENTIALS_SECTION)) {
                readCredentials(file, e.getValue(), credentials, allowedUrls);
                continue;
            }
            if (e.getKey().equals(KAFKA_SECTION)) {
                JsonNode props = e.getValue().path("properties");
                if (!e.getValue().isObject() || e.getValue().size() != 1 || !props.isObject()) {
                    throw new ConfigException(
                            "--config "
                                    + file
                                    + ": kafka must be {properties: {key: value, …}} (Kafka client"
                                    + " settings such as security.protocol)");
                }
                flatten(TallyConfig.KAFKA_PROPERTY_PREFIX, props, out);
                continue;
            }
            if (e.getKey().equals(FLINK_SECTION)) {
                if (!e.getValue().isObject()) {
                    throw new ConfigException(
                            "--config "
                                    + file
                                    + ": flink must map Flink settings to values, e.g."
                                    + " {state.backend.type: rocksdb}");
                }
                flatten(TallyConfig.FLINK_CONF_PREFIX, e.getValue(), out);
                continue;
            }
            if (groups.contains(e.getKey()) && e.getValue().isObject()) {
                // A dotted setting as a nested key: members: {max-concurrent-jobs: 2}.
                for (Iterator<Map.Entry<String, JsonNode>> g = e.getValue().fields();
                        g.hasNext(); ) {
                    Map.Entry<String, JsonNode> m = g.next();
                    String key = e.getKey() + "." + m.getKey();
                    if (!known.contains(key)) {
                        throw new ConfigException(
                                "--config " + file + ": unknown setting '" + key + "'");
                    }
                    putValue(key, m.getValue(), out);
                }
                continue;
            }
            if (!known.contains(e.getKey())) {
                throw new ConfigException(
                        "--config "
                                + file
                                + ": unknown setting '"
                                + e.getKey()
                                + "' (known: "
                                + String.join(", ", keys())
                                + ")");
            }
            putValue(e.getKey(), e.getValue(), out);
        }
        return out;
    }

    /**
     * Nested YAML maps as dotted keys, as Flink's own config.yaml allows both ({@code state:
     * {backend: {type: rocksdb}}} is {@code state.backend.type}); lists become comma-separated.
     */
    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        node.fields()
                .forEachRemaining(
                        f -> {
                            JsonNode v = f.getValue();
                            if (v.isObject()) {
                                flatten(prefix + f.getKey() + ".", v, out);
                            } else if (v.isArray()) {
                                List<String> items = new ArrayList<>();
                                v.forEach(x -> items.add(x.asText()));
                                out.put(prefix + f.getKey(), String.join(",", items));
                            } else if (!v.isNull()) {
                                out.put(prefix + f.getKey(), v.asText());
                            }
                        });
    }

    /**
     * SPEC §4.1: {@code credentials: {whop-main: {file: /run/secrets/whop, allowed-urls:
     * ["https://api.whop.com/api/v2/"]}}} — file paths and URL prefixes, never secrets. The file is
     * optional: the secret may come from {@code TALLY_CREDENTIAL_<NAME>} instead.
     */
    private static void readCredentials(
            Path file,
            JsonNode section,
            Map<String, String> credentials,
            Map<String, List<String>> allowedUrls) {
        if (section == null || section.isNull()) {
            return;
        }
        if (!section.isObject()) {
            throw new ConfigException(
                    "--config " + file + ": credentials must map names to {file, allowed-urls}");
        }
        section.fields()
                .forEachRemaining(
                        c -> {
                            String where = "--config " + file + ": credentials." + c.getKey();
                            JsonNode v = c.getValue();
                            if (!v.isObject()) {
                                throw new ConfigException(
                                        where + " needs file: and/or allowed-urls:");
                            }
                            v.fieldNames()
                                    .forEachRemaining(
                                            k -> {
                                                if (!k.equals("file")
                                                        && !k.equals("allowed-urls")) {
                                                    throw new ConfigException(
                                                            where
                                                                    + ": unknown key '"
                                                                    + k
                                                                    + "' (known: file, allowed-urls)");
                                                }
                                            });
                            JsonNode f = v.get("file");
                            if (f != null && !f.isNull()) {
                                if (!f.isTextual()) {
                                    throw new ConfigException(where + ".file must be a path");
                                }
                                credentials.put(c.getKey(), f.textValue());
                            }
                            JsonNode urls = v.get("allowed-urls");
                            if (urls != null && !urls.isNull()) {
                                List<String> items = new ArrayList<>();
                                if (urls.isArray()) {
                                    urls.forEach(x -> items.add(x.asText()));
                                } else {
                                    items.addAll(List.of(urls.asText().split(",")));
                                }
                                allowedUrls.put(
                                        TallyConfig.credentialKey(c.getKey()),
                                        allowedUrlPrefixes(where + ".allowed-urls", items));
                            }
                        });
    }

    /**
     * Checks each allowed URL prefix (SPEC §4.1) when the configuration is read, so that a typo is
     * one clear line at start and not a refused import later: an absolute http(s) URL with a host,
     * no user info, query or fragment, and no encoded dot or slash in its path.
     */
    static List<String> allowedUrlPrefixes(String origin, List<String> raw) {
        List<String> out = new ArrayList<>();
        for (String item : raw) {
            String prefix = item.trim();
            if (prefix.isEmpty()) {
                continue;
            }
            String problem = prefixProblem(prefix);
            if (problem != null) {
                // Never echo something that might be a secret (SPEC §4.1): user info is masked,
                // and a value that is not a URL at all (a token pasted into the wrong variable, or
                // the secret of a credential whose name ends in "allowed-urls") is not shown.
                String shown =
                        !prefix.contains("://")
                                ? "a value that is not a URL (not shown)"
                                : "'"
                                        + (problem.contains("user info")
                                                ? io.tally.connectors.members.MembersClient
                                                        .displayUrl(prefix)
                                                : prefix)
                                        + "'";
                throw new ConfigException(
                        origin
                                + ": "
                                + shown
                                + " "
                                + problem
                                + " (expected an http(s) URL prefix such as https://api.whop.com/api/v2/)");
            }
            out.add(prefix);
        }
        return out;
    }

    private static String prefixProblem(String prefix) {
        java.net.URI uri;
        try {
            uri = new java.net.URI(prefix);
        } catch (java.net.URISyntaxException e) {
            return "is not a URL";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.isOpaque() || !(scheme.equals("http") || scheme.equals("https"))) {
            return "is not an http:// or https:// URL";
        }
        if (uri.getHost() == null) {
            return "has no host";
        }
        if (uri.getRawUserInfo() != null) {
            return "must not contain user info";
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return "must not have a query or fragment";
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.toLowerCase(Locale.ROOT).matches(".*%(2e|2f|5c).*")
                || !uri.normalize().getRawPath().equals(path.isEmpty() ? "" : path)) {
            return "must not contain . or .. segments or encoded dots or slashes";
        }
        return null;
    }

    private static String legacyOffset(String hours) {
        try {
            return ZoneOffset.ofHours(Integer.parseInt(hours.trim())).getId();
        } catch (NumberFormatException | DateTimeException e) {
            throw new ConfigException(
                    "timezoneOffset: expected whole hours -18..18, got '" + hours + "'");
        }
    }

    /**
     * {@code 500ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 1d}, a bare number of ms, or ISO.
     */
    public static Duration duration(String s) {
        Matcher m = DURATION.matcher(s);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "ms" : m.group(2).toLowerCase(Locale.ROOT);
            switch (unit) {
                case "ms":
                    return Duration.ofMillis(n);
                case "s":
                    return Duration.ofSeconds(n);
                case "m":
                case "min":
                    return Duration.ofMinutes(n);
                case "h":
                    return Duration.ofHours(n);
                default:
                    return Duration.ofDays(n);
            }
        }
        try {
            return Duration.parse(s);
        } catch (DateTimeException e) {
            throw new ConfigException(
                    "expected a duration such as 500ms, 10s, 5m, 1d, got '" + s + "'");
        }
    }
}
