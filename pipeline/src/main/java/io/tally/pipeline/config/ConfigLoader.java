package io.tally.pipeline.config;

import static io.tally.pipeline.config.TallyConfig.Keys.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tally.connectors.kafka.KafkaEndpoints.StartFrom;
import io.tally.pipeline.config.TallyConfig.Pipeline;
import io.tally.pipeline.runtime.UserKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves every setting from, in priority order, command-line flags, {@code TALLY_*} environment
 * variables and a YAML file ({@code --config}), else its default (SPEC §5.2). Errors name the
 * setting and where its bad value came from.
 */
public final class ConfigLoader {
    private static final Pattern DURATION =
            Pattern.compile("^(\\d+)\\s*(ms|s|m|min|h|d)?$", Pattern.CASE_INSENSITIVE);

    private record Setting(String key, String defaultValue, Function<String, Object> parse) {}

    private static final List<Setting> SETTINGS =
            List.of(
                    new Setting(BOOTSTRAP_SERVERS, "127.0.0.1:9092", ConfigLoader::nonEmpty),
                    new Setting(JDBC_URL, null, ConfigLoader::jdbcUrl),
                    new Setting(JDBC_USER, null, s -> s),
                    new Setting(JDBC_PASSWORD_FILE, null, ConfigLoader::readableFile),
                    new Setting(PIPELINES, "chat,reviews,members", ConfigLoader::pipelines),
                    new Setting(TIMEZONE, "UTC", ConfigLoader::zone),
                    new Setting(FROM, "committed", ConfigLoader::startFrom),
                    new Setting(BOUNDED, "false", ConfigLoader::bool),
                    // SPEC §5.2: no default, so a cluster's own parallelism and checkpointing win
                    // unless the user asks; LocalRunner applies the embedded run's defaults.
                    new Setting(PARALLELISM, null, s -> positiveInt(s, 1)),
                    new Setting(CHECKPOINT_INTERVAL, null, ConfigLoader::duration),
                    new Setting(CREATE_TOPICS, "false", ConfigLoader::bool),
                    new Setting(FLUSH_INTERVAL, "500ms", ConfigLoader::duration),
                    new Setting(SINK_RETRY_TIMEOUT, "5m", ConfigLoader::duration),
                    new Setting(MAX_OUT_OF_ORDERNESS, "5s", ConfigLoader::duration),
                    new Setting(IDLENESS, "30s", ConfigLoader::duration),
                    new Setting(MAX_FUTURE, "1d", ConfigLoader::duration),
                    new Setting(MAX_RECORD_BYTES, "1048576", s -> positiveInt(s, 1)),
                    // SPEC §1.6. At most 512 KiB: a dead letter (key, value, error) must fit the
                    // producer's 1 MiB max.request.size; DeadLetterSerializer enforces that too.
                    new Setting(
                            DEAD_LETTER_MAX_VALUE_BYTES,
                            "65536",
                            s -> boundedInt(s, 16, 512 * 1024)),
                    new Setting(RETENTION_DAYS, "90", s -> positiveInt(s, 1)),
                    new Setting(EXCLUDED_USERS, "dazza", ConfigLoader::userKeys),
                    new Setting(STATE_DIR, ".tally/state", s -> Path.of(s)),
                    new Setting(HIGH_RISK_THRESHOLD, "70", s -> positiveInt(s, 0)),
                    new Setting(ALGORITHM, "tally-1", ConfigLoader::algorithm),
                    new Setting(MEMBERS_MAX_CONCURRENT_JOBS, "4", s -> positiveInt(s, 1)),
                    new Setting(MEMBERS_REQUESTS_PER_SECOND, "10", ConfigLoader::positiveRate),
                    new Setting(GROUP_ID, "tally", ConfigLoader::nonEmpty),
                    new Setting(TOPIC_CHAT, "chat-messages", ConfigLoader::nonEmpty),
                    new Setting(TOPIC_REVIEWS, "reviews", ConfigLoader::nonEmpty),
                    new Setting(TOPIC_MEMBERS, "member-imports", ConfigLoader::nonEmpty),
                    new Setting(TOPIC_DEAD_LETTERS, "tally-dead-letters", ConfigLoader::nonEmpty),
                    new Setting(TOPIC_ALERTS, "r4r-alerts", ConfigLoader::nonEmpty));

    /**
     * The values-map key of the credential files read from the YAML {@code credentials:} section.
     */
    static final String CREDENTIALS = "credentials";

    /**
     * The values-map key of each credential's allowed URL prefixes (SPEC §4.1), by {@link
     * TallyConfig#credentialKey}: from {@code credentials.<name>.allowed-urls} in the YAML, and
     * from {@code TALLY_CREDENTIAL_<NAME>_ALLOWED_URLS}, which wins.
     */
    static final String CREDENTIAL_ALLOWED_URLS = "credential-allowed-urls";

    /** Values-map keys of the pass-through settings (SPEC §5.2), each a sorted key → value map. */
    static final String KAFKA_PROPERTIES = "kafka-properties";

    static final String FLINK_CONF = "flink-conf";

    static final String CREDENTIAL_ENV_PREFIX = "TALLY_CREDENTIAL_";
    static final String ALLOWED_URLS_ENV_SUFFIX = "_ALLOWED_URLS";

    /** Legacy integer hours (SPEC §1.3), used only when {@code timezone} is not given anywhere. */
    static final String TIMEZONE_OFFSET = "timezoneOffset";

    private ConfigLoader() {}

    /** Option names this loader knows (for {@code --help} texts and YAML validation). */
    public static List<String> keys() {
        return SETTINGS.stream().map(Setting::key).toList();
    }

    /**
     * @param flags option name → value, only for flags given on the command line
     * @param env the process environment
     * @param yamlFile the {@code --config} file, or null
     */
    public static TallyConfig load(
            Map<String, String> flags, Map<String, String> env, Path yamlFile) {
        return load(flags, env, yamlFile, Map.of(), Map.of());
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
        Map<String, Object> values = new HashMap<>();
        for (Setting s : SETTINGS) {
            String raw;
            String origin;
            String envName = envName(s.key());
            if (flags.containsKey(s.key())) {
                raw = flags.get(s.key());
                origin = "--" + s.key();
            } else if (env.containsKey(envName)) {
                raw = env.get(envName);
                origin = envName;
            } else if (yaml.containsKey(s.key())) {
                raw = yaml.get(s.key());
                origin = yamlFile + ": " + s.key();
            } else {
                raw = s.defaultValue();
                origin = "default of " + s.key();
            }
            if (s.key().equals(TIMEZONE) && raw.equals("UTC") && origin.startsWith("default")) {
                String legacy =
                        env.getOrDefault("TALLY_TIMEZONE_OFFSET", yaml.get(TIMEZONE_OFFSET));
                if (legacy != null) {
                    raw = legacyOffset(legacy);
                    origin = "timezoneOffset";
                }
            }
            try {
                values.put(s.key(), raw == null ? null : s.parse().apply(raw.trim()));
            } catch (ConfigException | IllegalArgumentException | DateTimeException e) {
                throw new ConfigException(origin + ": " + e.getMessage());
            }
        }
        values.put(CREDENTIALS, credentials);
        values.put(CREDENTIAL_ALLOWED_URLS, allowedUrls);
        values.put(KAFKA_PROPERTIES, passThrough(KAFKA_PROPERTY_PREFIX, yaml, flags));
        values.put(FLINK_CONF, passThrough(FLINK_CONF_PREFIX, yaml, flags));
        return new TallyConfig(values);
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
        if (prefix.equals(KAFKA_PROPERTY_PREFIX) && out.containsKey("bootstrap.servers")) {
            throw new ConfigException(
                    "kafka property bootstrap.servers: use --bootstrap-servers instead");
        }
        return out;
    }

    static String envName(String key) {
        return "TALLY_" + key.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
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
        Set<String> known = new java.util.HashSet<>(keys());
        known.add(TIMEZONE_OFFSET);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("credentials")) {
                readCredentials(file, e.getValue(), credentials, allowedUrls);
                continue;
            }
            if (e.getKey().equals("kafka")) {
                JsonNode props = e.getValue().path("properties");
                if (!e.getValue().isObject() || e.getValue().size() != 1 || !props.isObject()) {
                    throw new ConfigException(
                            "--config "
                                    + file
                                    + ": kafka must be {properties: {key: value, …}} (Kafka client"
                                    + " settings such as security.protocol)");
                }
                flatten(KAFKA_PROPERTY_PREFIX, props, out);
                continue;
            }
            if (e.getKey().equals("flink")) {
                if (!e.getValue().isObject()) {
                    throw new ConfigException(
                            "--config "
                                    + file
                                    + ": flink must map Flink settings to values, e.g."
                                    + " {state.backend.type: rocksdb}");
                }
                flatten(FLINK_CONF_PREFIX, e.getValue(), out);
                continue;
            }
            if (e.getKey().equals("members") && e.getValue().isObject()) {
                e.getValue()
                        .fields()
                        .forEachRemaining(
                                m -> out.put("members." + m.getKey(), m.getValue().asText()));
                for (String k : out.keySet()) {
                    if (k.startsWith("members.") && !known.contains(k)) {
                        throw new ConfigException(
                                "--config " + file + ": unknown setting '" + k + "'");
                    }
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
            JsonNode v = e.getValue();
            if (v.isArray()) {
                List<String> items = new ArrayList<>();
                v.forEach(x -> items.add(x.asText()));
                out.put(e.getKey(), String.join(",", items));
            } else if (!v.isNull()) {
                out.put(e.getKey(), v.asText());
            }
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

    private static Object nonEmpty(String s) {
        if (s.isEmpty()) {
            throw new ConfigException("must not be empty");
        }
        return s;
    }

    private static Object jdbcUrl(String s) {
        if (!s.startsWith("jdbc:postgresql://")) {
            // Redacted: a mistyped URL may still carry a password (SPEC §5.2).
            throw new ConfigException(
                    "expected jdbc:postgresql://host:port/database, got '"
                            + io.tally.connectors.postgres.JdbcUrls.redact(s)
                            + "'");
        }
        return s;
    }

    private static Object readableFile(String s) {
        Path p = Path.of(s);
        if (!Files.isReadable(p)) {
            throw new ConfigException("cannot read file '" + s + "'");
        }
        return p;
    }

    private static Object pipelines(String s) {
        Set<Pipeline> out = EnumSet.noneOf(Pipeline.class);
        for (String part : s.split(",")) {
            String name = part.trim();
            if (name.isEmpty()) {
                continue;
            }
            try {
                out.add(Pipeline.valueOf(name.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(
                        "unknown pipeline '" + name + "' (chat, reviews, members)");
            }
        }
        if (out.isEmpty()) {
            throw new ConfigException("name at least one pipeline (chat, reviews, members)");
        }
        return out;
    }

    /** An IANA zone or a fixed offset such as {@code +10:00} (SPEC §1.3). */
    private static Object zone(String s) {
        try {
            return ZoneId.of(s);
        } catch (DateTimeException e) {
            throw new ConfigException(
                    "unknown time zone '"
                            + s
                            + "' (an IANA zone such as Australia/Sydney, or an offset such as +10:00)");
        }
    }

    private static String legacyOffset(String hours) {
        try {
            return ZoneOffset.ofHours(Integer.parseInt(hours.trim())).getId();
        } catch (NumberFormatException | DateTimeException e) {
            throw new ConfigException(
                    "timezoneOffset: expected whole hours -18..18, got '" + hours + "'");
        }
    }

    private static Object algorithm(String s) {
        if (!s.equals("tally-1") && !s.equals("v1-batch")) {
            throw new ConfigException("expected tally-1 or v1-batch, got '" + s + "'");
        }
        return s;
    }

    private static Object positiveRate(String s) {
        try {
            double v = Double.parseDouble(s);
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new ConfigException("must be a positive number, got '" + s + "'");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ConfigException("expected a number, got '" + s + "'");
        }
    }

    private static Object startFrom(String s) {
        try {
            return StartFrom.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("expected earliest, latest or committed, got '" + s + "'");
        }
    }

    private static Object bool(String s) {
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

    private static Object boundedInt(String s, int min, int max) {
        int v = (Integer) positiveInt(s, min);
        if (v > max) {
            throw new ConfigException("must be at most " + max + ", got " + v);
        }
        return v;
    }

    private static Object positiveInt(String s, int min) {
        try {
            int v = Integer.parseInt(s);
            if (v < min) {
                throw new ConfigException("must be at least " + min + ", got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ConfigException("expected a whole number, got '" + s + "'");
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

    /** Bot names compared on the user key (SPEC §2.2). */
    private static Object userKeys(String s) {
        List<String> out = new ArrayList<>();
        for (String part : s.split(",")) {
            String name = part.trim();
            if (!name.isEmpty()) {
                out.add(UserKey.of(name));
            }
        }
        return out;
    }
}
