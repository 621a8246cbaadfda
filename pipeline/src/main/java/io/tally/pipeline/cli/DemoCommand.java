package io.tally.pipeline.cli;

import io.tally.connectors.kafka.EmbeddedKafka;
import io.tally.connectors.members.LocalMembersApi;
import io.tally.connectors.postgres.JdbcUrls;
import io.tally.connectors.postgres.LocalPostgres;
import io.tally.pipeline.app.LocalRunner;
import io.tally.pipeline.app.Preflight;
import io.tally.pipeline.app.RestartWatcher;
import io.tally.pipeline.app.TopicNames;
import io.tally.pipeline.config.TallyConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.core.execution.JobClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tally demo}: everything embedded — an in-process Kafka broker, a local Flink with its web
 * UI, PostgreSQL from {@code --jdbc-url} or a throwaway local cluster — fed a bundled sample, then
 * prints the filled tables and keeps running until Ctrl-C (SPEC §5.2).
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Everything embedded (Kafka, Flink, a throwaway PostgreSQL unless --jdbc-url): feed a"
                        + " bundled sample, print the cache tables, run until Ctrl-C.")
final class DemoCommand implements Callable<Integer> {
    static final String SAMPLE = "/demo/chat-messages.jsonl";
    static final String REVIEWS_SAMPLE = "/demo/reviews.jsonl";

    /** The demo's own members API accepts only this; it is written to a file, never logged. */
    static final String DEMO_SECRET = "demo-secret-not-for-production";

    @Mixin CommonOptions options;

    @Option(
            names = "--kafka-port",
            paramLabel = "PORT",
            description = "Port of the embedded broker (default 9092 when free, else any).")
    int kafkaPort = 9092;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description =
                    "Where the demo keeps its broker and database files (default .tally/demo).")
    Path workDir = Path.of(".tally", "demo");

    @Option(
            names = "--serve-port",
            paramLabel = "PORT",
            description =
                    "Port of the HTTP API (tally serve) on 127.0.0.1 (default 8088 when free, else"
                            + " any).")
    int servePort = 8088;

    @Option(
            names = "--exit-after-print",
            description = "Exit after printing the tables instead of running until Ctrl-C.")
    boolean exitAfterPrint;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Runtime.getRuntime().addShutdownHook(new Thread(this::closeAll));
        Files.createDirectories(workDir);

        // The demo's own defaults; flags, TALLY_* and a --config file win over them (SPEC §5.2).
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put(TallyConfig.FROM.name(), "earliest");
        defaults.put(TallyConfig.CHECKPOINT_INTERVAL.name(), "5s");
        // Partitions the small sample leaves empty should not hold the watermark back for long.
        defaults.put(TallyConfig.IDLENESS.name(), "2s");
        TallyConfig config = options.load(defaults);

        EmbeddedKafka kafka = startKafka();
        resources.add(0, kafka);
        out.println("Kafka     : in-process broker at " + kafka.bootstrapServers());

        String jdbcUrl = config.jdbcUrl;
        if (jdbcUrl == null) {
            LocalPostgres pg = LocalPostgres.start(workDir.resolve("pg"));
            resources.add(pg);
            JdbcUrls.createDatabaseIfMissing(pg.jdbcUrl(), "tally");
            jdbcUrl = JdbcUrls.withDatabase(pg.jdbcUrl(), "tally");
            out.println("PostgreSQL: throwaway cluster at " + jdbcUrl);
        } else {
            // SPEC §5.2: a given URL may carry a password; never print it.
            out.println("PostgreSQL: " + JdbcUrls.redact(jdbcUrl));
        }
        // The demo's own broker always wins over a configured one, and its state goes with it:
        // the broker is new each time, so the demo starts from empty state too.
        config =
                config.with(
                        Map.of(
                                TallyConfig.BOOTSTRAP_SERVERS.name(),
                                kafka.bootstrapServers(),
                                TallyConfig.JDBC_URL.name(),
                                jdbcUrl,
                                TallyConfig.STATE_DIR.name(),
                                Files.createTempDirectory(workDir.toAbsolutePath(), "state-")
                                        .toString()));

        Preflight.migrate(config);
        kafka.createTopics(
                Preflight.DEFAULT_PARTITIONS,
                TopicNames.inputsAndOutputs(config).toArray(String[]::new));
        int sent = 0;
        if (config.runs(TallyConfig.Pipeline.CHAT)) {
            sent =
                    produceSample(
                            kafka.bootstrapServers(),
                            SAMPLE,
                            config.chatTopic,
                            ProduceCommand.Kind.chat);
            out.println(
                    "Sample    : "
                            + sent
                            + " chat messages sent to "
                            + config.chatTopic
                            + " (some deliberately bad or repeated)");
        }
        int reviews = 0;
        if (config.runs(TallyConfig.Pipeline.REVIEWS)) {
            reviews =
                    produceSample(
                            kafka.bootstrapServers(),
                            REVIEWS_SAMPLE,
                            config.reviewsTopic,
                            ProduceCommand.Kind.reviews);
            out.println("Sample    : " + reviews + " review states sent to " + config.reviewsTopic);
        }

        boolean members = config.runs(TallyConfig.Pipeline.MEMBERS);
        if (members) {
            // SPEC §4: a local members API with a generated audience, and one import request.
            LocalMembersApi api = LocalMembersApi.start(0);
            resources.add(api);
            api.requireSecret(DEMO_SECRET);
            String path = api.addAudience("demo", LocalMembersApi.generate(7, 480, 0.1, 0.05));
            Path secret = workDir.toAbsolutePath().resolve("whop-demo.secret");
            Files.writeString(secret, DEMO_SECRET);
            // SPEC §4.1: the demo credential may go to the local members API and nowhere else.
            config =
                    config.withCredential(
                            "whop-demo", secret.toString(), List.of(api.baseUrl() + "/api/v2/"));
            String request =
                    "{\"job_id\":\"demo-import-1\",\"audience_id\":\"aud-demo\",\"list_name\":\"Demo members\","
                            + "\"source\":{\"url\":\""
                            + api.baseUrl()
                            + path
                            + "\",\"credential\":\"whop-demo\"},\"priority\":0,\"ts\":"
                            + (System.currentTimeMillis() - 1000)
                            + "}";
            try (TopicWriter writer =
                    new TopicWriter(
                            kafka.bootstrapServers(),
                            config.membersTopic,
                            null,
                            "import request",
                            1)) {
                writer.send("demo-import-1", request.getBytes(StandardCharsets.UTF_8));
                writer.finish();
            }
            out.println(
                    "Members   : local members API at "
                            + api.baseUrl()
                            + " (credential whop-demo allowed under "
                            + api.baseUrl()
                            + "/api/v2/), one import request sent to "
                            + config.membersTopic);
        }

        LocalRunner.LocalJob local = LocalRunner.start(config, true);
        JobClient job = local.client();
        resources.add(0, () -> job.cancel().get(10, java.util.concurrent.TimeUnit.SECONDS));
        // SPEC §1.6: a failing job says why on the console instead of restarting silently.
        RestartWatcher watcher =
                new RestartWatcher(local.restUrl(), job.getJobID(), System.err).start();
        resources.add(0, watcher::close);
        out.println("Flink     : job " + job.getJobID() + " running; web UI on " + local.restUrl());

        if (sent > 0) {
            waitForStatus(config, "chat", sent);
        }
        if (reviews > 0) {
            waitForStatus(config, "reviews", reviews);
        }
        if (members) {
            waitForImport(config);
        }
        try (Connection c = Preflight.connect(config)) {
            for (String[] table : tablesToShow(sent > 0, reviews > 0, members)) {
                TablePrinter.print(out, c, table[0], table[1]);
            }
        }
        out.println();
        if (sent > 0) {
            out.println("Feed more messages while it runs, e.g.:");
            out.println(
                    "  bin/tally produce chat --file pipeline/src/main/resources"
                            + SAMPLE
                            + " --bootstrap-servers "
                            + kafka.bootstrapServers());
        }
        out.println("Query the tables: psql '" + psqlUrl(JdbcUrls.redact(jdbcUrl)) + "'");
        startServe(config, out);
        if (exitAfterPrint) {
            closeAll();
            return 0;
        }
        out.println("Running until Ctrl-C.");
        try {
            job.getJobExecutionResult().get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (!JobStops.isCancellation(e)) {
                throw e;
            }
            // Stopped (Ctrl-C / SIGTERM): the job was cancelled; its last checkpoint is kept.
        }
        return 0;
    }

    /** SPEC §6: the old apps' HTTP endpoints over the demo's tables, with one URL of each. */
    private void startServe(TallyConfig config, PrintStream out) throws Exception {
        ServeCommand.Running serve;
        try {
            serve = ServeCommand.start(config, serveSettings(servePort), 4, out);
        } catch (io.tally.pipeline.config.ConfigException e) {
            if (servePort == 0) {
                throw e;
            }
            // 8088 is taken (another serve?): any free port does for the demo.
            serve = ServeCommand.start(config, serveSettings(0), 4, out);
        }
        resources.add(0, serve);
        String base = serve.baseUrl;
        out.println("Try the HTTP API (SPEC §6):");
        out.println("  curl " + base + "/healthz");
        out.println("  curl '" + base + "/api/leaderboard?sortBy=reviews_given&limit=5'");
        out.println("  curl " + base + "/api/leaderboard/lookup?username=farmer1");
        out.println("  curl " + base + "/api/v1/health");
        out.println("  curl " + base + "/api/v1/stats/batch/status");
        out.println("  curl " + base + "/api/v1/stats/users/alice/category/talkers");
        out.println("  curl '" + base + "/api/v1/stats/leaderboard/talkers?limit=5'");
    }

    private static io.tally.pipeline.serve.ServeSettings serveSettings(int port) {
        // The sample's chat bot room is fatpizza, as the SPEC §6 examples.
        return new io.tally.pipeline.serve.ServeSettings(
                "127.0.0.1",
                port,
                List.of("*"),
                java.time.Duration.ofSeconds(30),
                "fatpizza",
                ServeCommand.VERSION);
    }

    private EmbeddedKafka startKafka() throws IOException {
        try {
            return EmbeddedKafka.start(workDir.resolve("kafka"), kafkaPort);
        } catch (IOException e) {
            if (kafkaPort == 0) {
                throw e;
            }
            // 9092 is taken (another broker?): any free port does for the demo.
            return EmbeddedKafka.start(workDir.resolve("kafka"), 0);
        }
    }

    /** What the demo prints: a few columns of each filled cache table. */
    private static List<String[]> tablesToShow(boolean chat, boolean reviews, boolean members) {
        List<String[]> t = new java.util.ArrayList<>();
        if (chat) {
            t.add(
                    new String[] {
                        "user_stats",
                        "SELECT username, message_count, total_words,"
                                + " to_timestamp(last_seen / 1000.0) AT TIME ZONE 'UTC' AS last_seen_utc"
                                + " FROM user_stats ORDER BY message_count DESC, username"
                    });
            t.add(
                    new String[] {
                        "user_daily_activity (first rows)",
                        "SELECT username, date, message_count,"
                                + " word_count, avg_message_length FROM user_daily_activity"
                                + " ORDER BY username, date LIMIT 10"
                    });
            t.add(
                    new String[] {
                        "user_chat_streaks",
                        "SELECT username, current_streak, best_streak,"
                                + " last_active_date, total_active_days, as_of FROM user_chat_streaks ORDER BY username"
                    });
            t.add(
                    new String[] {
                        "user_activity_summary",
                        "SELECT username, most_active_hour,"
                                + " least_active_hour, night_owl_score, early_bird_score, consistency_score"
                                + " FROM user_activity_summary ORDER BY username"
                    });
            t.add(
                    new String[] {
                        "message_analysis_cache",
                        "SELECT username, total_messages,"
                                + " avg_message_length, emoji_count, url_count, mention_count, vocabulary_size"
                                + " FROM message_analysis_cache ORDER BY username"
                    });
            t.add(
                    new String[] {
                        "achievement_progress (message_count)",
                        "SELECT username, current_value,"
                                + " next_tier, next_threshold, progress_percent FROM achievement_progress"
                                + " WHERE achievement_type = 'message_count' ORDER BY username"
                    });
        }
        if (reviews) {
            t.add(
                    new String[] {
                        "leaderboard_entries",
                        "SELECT username, reviews_given,"
                                + " reviews_received, reciprocal_reviews, farming_score, risk_level,"
                                + " quick_reciprocations, avg_reciprocal_time, high_risk_r4rs"
                                + " FROM leaderboard_entries ORDER BY farming_score DESC, userkey"
                    });
            t.add(
                    new String[] {
                        "r4r_alerts",
                        "SELECT userkey, from_level, to_level, score, at"
                                + " FROM r4r_alerts ORDER BY at, userkey"
                    });
        }
        t.add(
                new String[] {
                    "cache_freshness",
                    "SELECT table_name, records, last_update FROM cache_freshness"
                });
        t.add(
                new String[] {
                    "pipeline_status",
                    "SELECT pipeline, watermark, records_in, records_out,"
                            + " dead_letters, late_dropped FROM pipeline_status ORDER BY pipeline"
                });
        return t;
    }

    /** Sends a bundled JSON-lines sample, keyed as {@code produce} keys it. */
    private static int produceSample(
            String bootstrap, String resource, String topic, ProduceCommand.Kind kind)
            throws IOException, InterruptedException {
        List<String> lines;
        try (InputStream in = DemoCommand.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(
                        "the bundled sample " + resource + " is missing from the build");
            }
            lines =
                    new String(in.readAllBytes(), StandardCharsets.UTF_8)
                            .lines()
                            .filter(l -> !l.isBlank())
                            .toList();
        }
        try (TopicWriter writer =
                new TopicWriter(bootstrap, topic, null, "sample " + topic, lines.size())) {
            for (String line : lines) {
                writer.send(
                        ProduceCommand.keyOf(kind, line), line.getBytes(StandardCharsets.UTF_8));
            }
            return (int) writer.finish();
        }
    }

    /** Waits until pipeline_status has counted every sample record (at most two minutes). */
    private static void waitForStatus(TallyConfig config, String pipeline, int expected)
            throws Exception {
        if (!waitForStatus(config, pipeline, expected, java.time.Duration.ofMinutes(2))) {
            System.err.println(
                    "tally: the "
                            + pipeline
                            + " sample was not fully processed within 2 minutes; printing what is"
                            + " there");
        }
    }

    /**
     * True once {@code pipeline}'s row in pipeline_status has counted {@code expected} records in
     * (and a few flush intervals more have passed, so the cache rows of the last records are
     * written too); false when {@code timeout} passes first.
     */
    static boolean waitForStatus(
            TallyConfig config, String pipeline, long expected, java.time.Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection c = Preflight.connect(config);
                    PreparedStatement s =
                            c.prepareStatement(
                                    "SELECT records_in FROM pipeline_status WHERE pipeline = ?")) {
                s.setString(1, pipeline);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next() && rs.getLong(1) >= expected) {
                        Thread.sleep(config.flushInterval.toMillis() * 3 + 500);
                        return true;
                    }
                }
            }
            Thread.sleep(500);
        }
        return false;
    }

    /** Waits until the demo import finished (at most a minute). */
    private static void waitForImport(TallyConfig config) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Connection c = Preflight.connect(config);
                    Statement s = c.createStatement();
                    ResultSet rs =
                            s.executeQuery(
                                    "SELECT count(*) FROM import_jobs WHERE status IN ('completed', 'failed')")) {
                if (rs.next() && rs.getLong(1) > 0) {
                    Thread.sleep(config.flushInterval.toMillis() * 3 + 500);
                    return;
                }
            }
            Thread.sleep(500);
        }
        System.err.println(
                "tally: the demo import did not finish within a minute; printing what is there");
    }

    private static String psqlUrl(String jdbcUrl) {
        return jdbcUrl.substring("jdbc:".length());
    }

    private void closeAll() {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception ignored) {
                // Best effort on the way out.
            }
        }
        resources.clear();
    }
}
