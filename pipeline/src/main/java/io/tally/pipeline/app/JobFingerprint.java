package io.tally.pipeline.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.config.TallyConfig.Pipeline;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What makes checkpoints resumable by a later run (SPEC §5.2 "Resuming is safe"): the pipelines,
 * their topics, the Kafka cluster and the database. Kept as {@value #FILE} beside the checkpoints
 * in {@code --state-dir}; a run whose fingerprint differs must not resume them, because Flink would
 * either fail with "Cannot map checkpoint/savepoint state" (other pipelines) or, worse, silently
 * continue another broker's offsets (the same topic names on a different cluster).
 *
 * <p>Settings that only change how results are computed (time zone, retention, parallelism) are
 * deliberately not part of it: a savepoint may be rescaled, and the SPEC names only these four.
 */
public record JobFingerprint(
        List<String> pipelines,
        Map<String, String> topics,
        List<String> bootstrapServers,
        String database) {
    public static final String FILE = "tally-job.json";
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public JobFingerprint {
        pipelines = List.copyOf(pipelines);
        topics = new TreeMap<>(topics);
        bootstrapServers = List.copyOf(bootstrapServers);
    }

    /** The fingerprint of the job {@code config} describes. */
    public static JobFingerprint of(TallyConfig config) {
        List<String> pipelines = new ArrayList<>();
        Map<String, String> topics = new LinkedHashMap<>();
        for (Pipeline p : config.pipelines) {
            pipelines.add(p.name().toLowerCase(Locale.ROOT));
        }
        if (config.runs(Pipeline.CHAT)) {
            topics.put("chat", config.chatTopic);
        }
        if (config.runs(Pipeline.REVIEWS)) {
            topics.put("reviews", config.reviewsTopic);
            topics.put("alerts", config.alertsTopic);
        }
        if (config.runs(Pipeline.MEMBERS)) {
            topics.put("members", config.membersTopic);
        }
        topics.put("dead-letters", config.deadLetterTopic);
        List<String> servers =
                Arrays.stream(config.bootstrapServers.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .map(s -> s.toLowerCase(Locale.ROOT))
                        .sorted()
                        .distinct()
                        .toList();
        return new JobFingerprint(pipelines, topics, servers, database(config.jdbcUrl));
    }

    /**
     * Host, port and database of a JDBC URL, without its parameters: a password or an SSL setting
     * in the query string must neither be stored nor make two runs against one database differ.
     */
    static String database(String jdbcUrl) {
        if (jdbcUrl == null) {
            return "";
        }
        String url = jdbcUrl.trim();
        int query = url.indexOf('?');
        if (query >= 0) {
            url = url.substring(0, query);
        }
        if (url.startsWith("jdbc:")) {
            try {
                URI uri = URI.create(url.substring("jdbc:".length()));
                String host = uri.getHost() == null ? "localhost" : uri.getHost();
                int port = uri.getPort() < 0 ? 5432 : uri.getPort();
                String path = uri.getPath() == null ? "" : uri.getPath();
                return uri.getScheme() + "://" + host.toLowerCase(Locale.ROOT) + ":" + port + path;
            } catch (IllegalArgumentException e) {
                // Not a URI PostgreSQL's driver would take either; compare it as written.
            }
        }
        return url;
    }

    /** One "what: stored → now" phrase per difference; empty when the two match. */
    public List<String> differencesFrom(JobFingerprint stored) {
        List<String> d = new ArrayList<>();
        if (!pipelines.equals(stored.pipelines)) {
            d.add(
                    "pipelines "
                            + String.join(",", stored.pipelines)
                            + " → "
                            + String.join(",", pipelines));
        }
        if (!topics.equals(stored.topics)) {
            for (String role : union(topics.keySet(), stored.topics.keySet())) {
                String was = stored.topics.get(role);
                String now = topics.get(role);
                if (!Objects.equals(was, now)) {
                    d.add(role + " topic " + orNone(was) + " → " + orNone(now));
                }
            }
        }
        if (!bootstrapServers.equals(stored.bootstrapServers)) {
            d.add(
                    "bootstrap servers "
                            + String.join(",", stored.bootstrapServers)
                            + " → "
                            + String.join(",", bootstrapServers));
        }
        if (!Objects.equals(database, stored.database)) {
            d.add("database " + stored.database + " → " + database);
        }
        return d;
    }

    public void write(Path stateDir) throws IOException {
        Files.createDirectories(stateDir);
        Path tmp = stateDir.resolve(FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        Files.move(
                tmp,
                stateDir.resolve(FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The stored fingerprint, or null when {@code stateDir} has none. */
    public static JobFingerprint read(Path stateDir) throws IOException {
        Path file = stateDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        return JSON.readValue(file.toFile(), JobFingerprint.class);
    }

    private static List<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.TreeSet<String> all = new java.util.TreeSet<>(a);
        all.addAll(b);
        return new ArrayList<>(all);
    }

    private static String orNone(String s) {
        return s == null ? "(none)" : s;
    }
}
