package io.tally.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tally.connectors.kafka.EmbeddedKafka;
import io.tally.connectors.members.LocalMembersApi;
import io.tally.connectors.postgres.JdbcUrls;
import io.tally.connectors.postgres.LocalPostgres;
import io.tally.pipeline.app.LocalRunner;
import io.tally.pipeline.app.Preflight;
import io.tally.pipeline.config.ConfigLoader;
import io.tally.pipeline.config.TallyConfig;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tally bench}: the figures of issue 12 on this machine, everything embedded like the demo
 * (a broker in this process, a throwaway PostgreSQL unless {@code --jdbc-url}). Sections: chat
 * catch-up (all nine tables: events/s, rows and row writes per table, CPU), freshness under a
 * steady load, reviews catch-up, members catch-up against the local members API, and a scale run on
 * RocksDB (state bytes per user, checkpoints). Text, or one JSON object with {@code --json}.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Measure the pipelines here: chat, freshness, reviews, members and scale sections"
                        + " (default all); progress on stderr, the report on stdout.")
final class BenchCommand implements Callable<Integer> {
    enum Section {
        chat,
        freshness,
        reviews,
        members,
        scale,
        all
    }

    static final List<String> CHAT_TABLES =
            List.of(
                    "user_stats",
                    "user_daily_activity",
                    "user_chat_streaks",
                    "user_active_hours",
                    "user_activity_summary",
                    "message_analysis_cache",
                    "user_vocabulary",
                    "chat_achievements",
                    "achievement_progress");
    static final List<String> REVIEWS_TABLES =
            List.of("leaderboard_scores", "r4r_pairs", "r4r_alerts");
    static final List<String> MEMBERS_TABLES =
            List.of("import_jobs", "email_contacts", "email_audiences");

    @Parameters(
            arity = "0..*",
            paramLabel = "SECTION",
            description = "chat, freshness, reviews, members, scale or all (default all)")
    List<Section> sections = new ArrayList<>();

    @Option(
            names = "--messages",
            paramLabel = "N",
            description =
                    "Chat messages of the catch-up runs (default 200000; scale: at least"
                            + " --users).")
    int messages = 200_000;

    @Option(
            names = "--users",
            paramLabel = "N",
            description = "Distinct chat senders, and reviewers (default 2000).")
    int users = 2000;

    @Option(
            names = "--rate",
            paramLabel = "N",
            description = "Freshness: chat messages a second of the steady load (default 5000).")
    int rate = 5000;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            description = "Freshness: how long the load runs, measured (default 30s).")
    String duration = "30s";

    @Option(
            names = "--warmup",
            paramLabel = "DURATION",
            description =
                    "Freshness: load before the measured part, its probes reported apart"
                            + " (default 30s).")
    String warmup = "30s";

    @Option(
            names = "--reviews",
            paramLabel = "N",
            description = "Review states of the reviews run (default 200000).")
    int reviews = 200_000;

    @Option(
            names = "--member-pages",
            paramLabel = "N",
            description = "Members API pages (50 members each) of the members run (default 2000).")
    int memberPages = 2000;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description = "Broker, database and state files (default .tally/bench).")
    Path workDir = Path.of(".tally", "bench");

    @Mixin CommonOptions options;

    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public Integer call() throws Exception {
        EnumSet<Section> chosen = EnumSet.noneOf(Section.class);
        chosen.addAll(sections.isEmpty() ? List.of(Section.all) : sections);
        if (chosen.remove(Section.all)) {
            chosen.addAll(EnumSet.complementOf(EnumSet.of(Section.all)));
        }
        Duration load = ConfigLoader.duration(duration);
        Duration warm = ConfigLoader.duration(warmup);
        if (messages < 1 || users < 1 || rate < 1 || reviews < 1 || memberPages < 1) {
            throw new CommandFailure(
                    2,
                    "--messages, --users, --rate, --reviews and --member-pages must be at least 1");
        }
        if (load.toSeconds() < 1) {
            throw new CommandFailure(2, "--duration must be at least 1s, got " + duration);
        }
        if (warm.isNegative()) {
            throw new CommandFailure(2, "--warmup must not be negative, got " + warmup);
        }
        PrintStream log = System.err;
        Files.createDirectories(workDir);
        ObjectNode report = MAPPER.createObjectNode();
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            EmbeddedKafka kafka = EmbeddedKafka.start(workDir.resolve("kafka"), 0);
            resources.add(0, kafka);
            // The bench's own defaults; flags, TALLY_* and a --config file win over them.
            Map<String, String> defaults = new LinkedHashMap<>();
            defaults.put(TallyConfig.FROM.name(), "earliest");
            defaults.put(TallyConfig.MEMBERS_REQUESTS_PER_SECOND.name(), "1000000");
            TallyConfig config = options.load(defaults);
            String jdbcUrl = config.jdbcUrl;
            if (jdbcUrl == null) {
                LocalPostgres pg = LocalPostgres.start(workDir.resolve("pg"));
                resources.add(0, pg);
                JdbcUrls.createDatabaseIfMissing(pg.jdbcUrl(), "bench");
                jdbcUrl = JdbcUrls.withDatabase(pg.jdbcUrl(), "bench");
            }
            // Its own broker always wins over a configured one.
            config =
                    config.with(
                            Map.of(
                                    TallyConfig.BOOTSTRAP_SERVERS.name(),
                                    kafka.bootstrapServers(),
                                    TallyConfig.JDBC_URL.name(),
                                    jdbcUrl,
                                    TallyConfig.PIPELINES.name(),
                                    "chat,reviews,members"));
            Preflight.migrate(config);
            kafka.createTopics(
                    Preflight.DEFAULT_PARTITIONS,
                    config.chatTopic,
                    scaleTopic(config),
                    config.reviewsTopic,
                    config.membersTopic,
                    config.deadLetterTopic,
                    config.alertsTopic);

            ObjectNode machine = report.putObject("machine");
            machine.put("date", Instant.now().toString());
            machine.put("cores", Runtime.getRuntime().availableProcessors());
            machine.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
            machine.put("load_average", loadAverage());
            machine.put("parallelism", LocalRunner.parallelism(config));
            machine.put(
                    "checkpoint_interval_ms", LocalRunner.checkpointInterval(config).toMillis());
            machine.put("flush_interval_ms", config.flushInterval.toMillis());
            machine.put(
                    "state_backend", config.stateBackend == null ? "hashmap" : config.stateBackend);
            machine.put("postgres", JdbcUrls.redact(jdbcUrl));

            if (chosen.contains(Section.chat)) {
                log.println("bench chat: " + messages + " messages from " + users + " users");
                report.set("chat", chat(log, config, config.chatTopic, messages, false));
            }
            if (chosen.contains(Section.freshness)) {
                log.println("bench freshness: " + rate + " msg/s for " + warm + " + " + load);
                truncate(config, CHAT_TABLES);
                report.set(
                        "freshness",
                        FreshnessRun.run(
                                log,
                                section(config, "chat", "freshness"),
                                rate,
                                warm,
                                load,
                                users));
            }
            if (chosen.contains(Section.reviews)) {
                log.println(
                        "bench reviews: " + reviews + " review states among " + users + " users");
                report.set("reviews", reviews(log, config));
            }
            if (chosen.contains(Section.members)) {
                log.println("bench members: " + memberPages + " pages from the local members API");
                report.set("members", members(log, config, resources));
            }
            if (chosen.contains(Section.scale)) {
                int n = Math.max(messages, users);
                log.println("bench scale: " + n + " messages from " + users + " users on RocksDB");
                TallyConfig rocks =
                        config.with(
                                Map.of(
                                        TallyConfig.STATE_BACKEND.name(),
                                        "rocksdb",
                                        TallyConfig.TOPIC_CHAT.name(),
                                        scaleTopic(config)));
                ObjectNode scale = chat(log, rocks, rocks.chatTopic, n, true);
                long distinct = scale.path("tables").path("user_stats").path("rows").asLong();
                scale.put("distinct_users", distinct);
                scale.put("state_backend", "rocksdb");
                JsonNode cp = scale.path("checkpoints");
                if (cp.has("state_bytes") && distinct > 0) {
                    scale.put(
                            "state_bytes_per_user",
                            Math.round((double) cp.get("state_bytes").asLong() / distinct));
                } else {
                    scale.putNull("state_bytes_per_user");
                }
                report.set("scale", scale);
            }
        } finally {
            for (AutoCloseable r : resources) {
                try {
                    r.close();
                } catch (Exception e) {
                    log.println("tally bench: closing " + r + ": " + e);
                }
            }
        }
        if (json) {
            System.out.println(MAPPER.writeValueAsString(report));
        } else {
            BenchReport.print(System.out, report);
        }
        return 0;
    }

    private ObjectNode chat(
            PrintStream log, TallyConfig config, String topic, int n, boolean checkpointAtEnd)
            throws Exception {
        truncate(config, CHAT_TABLES);
        try (TopicWriter w =
                new TopicWriter(config.bootstrapServers, topic, null, "bench " + topic, n)) {
            BenchLoad.chat(w, "bench-" + topic + ":", n, users, 1);
            w.finish();
            w.checkNoFailures();
        }
        TallyConfig run = section(config, "chat", "chat-" + topic);
        // The scale run ends with a checkpoint of the whole state (issue 12: bytes per user).
        ObjectNode out =
                checkpointAtEnd
                        ? CatchUpRun.thenCheckpoint(log, run, "chat", n, CHAT_TABLES)
                        : CatchUpRun.bounded(log, run, n, CHAT_TABLES);
        out.put("users", users);
        return out;
    }

    private ObjectNode reviews(PrintStream log, TallyConfig config) throws Exception {
        truncate(config, REVIEWS_TABLES);
        long sent;
        try (TopicWriter w =
                new TopicWriter(
                        config.bootstrapServers,
                        config.reviewsTopic,
                        null,
                        "bench reviews",
                        reviews)) {
            sent = BenchLoad.reviews(w, reviews, users, 2);
            w.finish();
            w.checkNoFailures();
        }
        ObjectNode out =
                CatchUpRun.bounded(
                        log, section(config, "reviews", "reviews"), sent, REVIEWS_TABLES);
        out.put("reviews_per_s", out.get("events_per_s").asDouble());
        return out;
    }

    /**
     * One import request per audience, {@code members.max-concurrent-jobs} audiences side by side,
     * {@link #memberPages} pages of 50 members in all; the rate limit lifted (the bench's default
     * {@code members.requests-per-second}).
     */
    private ObjectNode members(PrintStream log, TallyConfig config, List<AutoCloseable> resources)
            throws Exception {
        truncate(config, MEMBERS_TABLES);
        LocalMembersApi api = LocalMembersApi.start(0);
        resources.add(0, api);
        String secret = "bench-secret-" + System.nanoTime();
        api.requireSecret(secret);
        Path secretFile = workDir.toAbsolutePath().resolve("members-bench.secret");
        Files.writeString(secretFile, secret);
        TallyConfig withCredential =
                config.withCredential(
                        "bench", secretFile.toString(), List.of(api.baseUrl() + "/api/v2/"));
        int audiences = Math.max(1, Math.min(config.maxConcurrentJobs, memberPages));
        long membersTotal = (long) memberPages * 50;
        String run = Long.toString(System.currentTimeMillis(), 36);
        try (TopicWriter w =
                new TopicWriter(
                        config.bootstrapServers,
                        config.membersTopic,
                        null,
                        "bench import requests",
                        audiences)) {
            for (int a = 0; a < audiences; a++) {
                int count =
                        (int) (membersTotal / audiences + (a < membersTotal % audiences ? 1 : 0));
                String path =
                        api.addAudience(
                                "bench" + a, LocalMembersApi.generate(100 + a, count, 0.1, 0.05));
                String jobId = "bench-" + run + "-" + a;
                ObjectNode request = MAPPER.createObjectNode();
                request.put("job_id", jobId);
                request.put("audience_id", "aud-bench-" + a);
                request.put("list_name", "Bench members " + a);
                ObjectNode source = request.putObject("source");
                source.put("url", api.baseUrl() + path);
                source.put("credential", "bench");
                request.put("priority", 0);
                request.put("ts", System.currentTimeMillis() - 1000);
                w.send(jobId, request.toString().getBytes(StandardCharsets.UTF_8));
            }
            w.finish();
            w.checkNoFailures();
        }
        // Its events are the pages to fetch, the unit of an import's work.
        ObjectNode out =
                CatchUpRun.bounded(
                        log,
                        section(withCredential, "members", "members"),
                        memberPages,
                        MEMBERS_TABLES);
        try (Connection c = Preflight.connect(config);
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT count(*) FILTER (WHERE status = 'completed'),"
                                        + " coalesce(sum(pages_fetched), 0), coalesce(sum(members_seen), 0),"
                                        + " coalesce(sum(contacts_new), 0) FROM import_jobs")) {
            rs.next();
            double seconds = out.get("seconds").asDouble();
            out.put("import_jobs", audiences);
            out.put("jobs_completed", rs.getLong(1));
            out.put("pages", rs.getLong(2));
            out.put("members_seen", rs.getLong(3));
            out.put("contacts_new", rs.getLong(4));
            out.put("pages_per_s", CatchUpRun.round(rs.getLong(2) / seconds, 1));
            out.put("contacts_per_s", CatchUpRun.round(rs.getLong(3) / seconds, 1));
        }
        out.put("requests_per_second_limit", config.requestsPerSecond);
        return out;
    }

    /** The configuration of one section: its pipeline, fresh state, a consumer group of its own. */
    private TallyConfig section(TallyConfig config, String pipeline, String name)
            throws java.io.IOException {
        Path state = Files.createTempDirectory(workDir.toAbsolutePath(), "state-" + name + "-");
        return config.with(
                Map.of(
                        TallyConfig.PIPELINES.name(),
                        pipeline,
                        TallyConfig.STATE_DIR.name(),
                        state.toString(),
                        TallyConfig.GROUP_ID.name(),
                        "bench-" + name + "-" + System.nanoTime()));
    }

    private static String scaleTopic(TallyConfig config) {
        return config.chatTopic + "-scale";
    }

    private static void truncate(TallyConfig config, List<String> tables) throws Exception {
        try (Connection c = Preflight.connect(config);
                Statement s = c.createStatement()) {
            s.execute(
                    "TRUNCATE "
                            + String.join(", ", tables)
                            + ", pipeline_status_counts, rejected_rows");
        }
    }

    private static double loadAverage() {
        return CatchUpRun.round(
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage(),
                2);
    }
}
