package io.tally.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tally.connectors.kafka.EmbeddedKafka;
import io.tally.connectors.postgres.JdbcUrls;
import io.tally.connectors.postgres.LocalPostgres;
import io.tally.pipeline.app.LocalRunner;
import io.tally.pipeline.app.Preflight;
import io.tally.pipeline.app.TopicNames;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.runtime.UserKey;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.apache.flink.core.execution.JobClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tally bench chat}: measures the chat pipeline on this machine and prints the figures —
 * throughput of a bounded run over generated messages, then freshness (message produced → its
 * {@code user_stats} row visible) on a running job. Everything embedded, like the demo.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Measure the chat pipeline here: bounded throughput, then message-to-row freshness.")
final class BenchCommand implements Callable<Integer> {
    @Option(
            names = "--messages",
            paramLabel = "N",
            description = "Messages for the throughput run (default 200000).")
    int messages = 200_000;

    @Option(names = "--users", paramLabel = "N", description = "Distinct senders (default 2000).")
    int users = 2000;

    @Option(names = "--probes", paramLabel = "N", description = "Freshness probes (default 20).")
    int probes = 20;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description = "Broker and database files (default .tally/bench).")
    Path workDir = Path.of(".tally", "bench");

    @Mixin CommonOptions options;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String[] TEXTS = {
        "hello world",
        "lol 😂 that was great",
        "check this https://example.com/a?b=1 out",
        "@bob are you coming tonight?",
        "I have 123 apples and 456 oranges",
        "don't panic!!!",
        "&gt; quote of the day",
        "café naïve crème brûlée",
        "WHY IS EVERYTHING ON FIRE",
        "gm ☀️",
    };

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Files.createDirectories(workDir);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(workDir.resolve("kafka"), 0)) {
            LocalPostgres pg = null;
            // The bench's own defaults; flags, TALLY_* and a --config file win over them.
            Map<String, String> defaults = new LinkedHashMap<>();
            defaults.put(TallyConfig.PIPELINES.name(), "chat");
            defaults.put(TallyConfig.FROM.name(), "earliest");
            TallyConfig config = options.load(defaults);
            String jdbcUrl = config.jdbcUrl;
            try {
                if (jdbcUrl == null) {
                    pg = LocalPostgres.start(workDir.resolve("pg"));
                    JdbcUrls.createDatabaseIfMissing(pg.jdbcUrl(), "bench");
                    jdbcUrl = JdbcUrls.withDatabase(pg.jdbcUrl(), "bench");
                }
                // Its own broker, and state that goes with it, always win over configured ones.
                config =
                        config.with(
                                Map.of(
                                        TallyConfig.BOOTSTRAP_SERVERS.name(),
                                        kafka.bootstrapServers(),
                                        TallyConfig.JDBC_URL.name(),
                                        jdbcUrl,
                                        TallyConfig.STATE_DIR.name(),
                                        Files.createTempDirectory(
                                                        workDir.toAbsolutePath(), "state-")
                                                .toString()));
                Preflight.migrate(config);
                try (Connection c = Preflight.connect(config);
                        Statement s = c.createStatement()) {
                    s.execute(
                            "TRUNCATE user_stats, user_daily_activity, user_chat_streaks, user_active_hours,"
                                    + " user_activity_summary, message_analysis_cache, user_vocabulary, chat_achievements,"
                                    + " achievement_progress, pipeline_status_counts, rejected_rows");
                }
                kafka.createTopics(
                        Preflight.DEFAULT_PARTITIONS,
                        TopicNames.inputsAndOutputs(config).toArray(String[]::new));

                out.printf(
                        "machine: %d cores, JVM max heap %d MiB; parallelism %d, flush %d ms, checkpoints %d s%n",
                        Runtime.getRuntime().availableProcessors(),
                        Runtime.getRuntime().maxMemory() >> 20,
                        LocalRunner.parallelism(config),
                        config.flushInterval.toMillis(),
                        LocalRunner.checkpointInterval(config).toSeconds());
                long t0 = System.nanoTime();
                produce(kafka.bootstrapServers(), config.chatTopic, messages, 0);
                double produceSeconds = (System.nanoTime() - t0) / 1e9;
                out.printf(
                        "produce: %d messages in %.1f s (%.0f msg/s)%n",
                        messages, produceSeconds, messages / produceSeconds);

                long t1 = System.nanoTime();
                LocalRunner.environment(
                                config.with(Map.of(TallyConfig.BOUNDED.name(), "true")), false)
                        .execute("tally-bench");
                double runSeconds = (System.nanoTime() - t1) / 1e9;
                out.printf(
                        "bounded run (job start to all rows flushed): %.1f s, %.0f msg/s%n",
                        runSeconds, messages / runSeconds);
                try (Connection c = Preflight.connect(config);
                        Statement s = c.createStatement();
                        ResultSet rs =
                                s.executeQuery(
                                        "SELECT table_name, records FROM chat_cache_status")) {
                    StringBuilder rows = new StringBuilder("rows:");
                    while (rs.next()) {
                        rows.append(' ').append(rs.getString(1)).append('=').append(rs.getLong(2));
                    }
                    out.println(rows);
                }

                freshness(out, config, kafka.bootstrapServers());
            } finally {
                if (pg != null) {
                    pg.close();
                }
            }
        }
        return 0;
    }

    /** Message produced → its user_stats row visible, on a running (unbounded) job. */
    private void freshness(PrintStream out, TallyConfig config, String bootstrap) throws Exception {
        TallyConfig live =
                config.with(
                        Map.of(
                                TallyConfig.FROM.name(),
                                "latest",
                                TallyConfig.GROUP_ID.name(),
                                "bench-live"));
        JobClient job = LocalRunner.start(live, false).client();
        try {
            Thread.sleep(5000); // the job starts and its sources reach the end of the topic
            List<Long> millis = new ArrayList<>();
            java.util.Properties p = new java.util.Properties();
            p.setProperty("bootstrap.servers", bootstrap);
            p.setProperty(
                    "key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
            p.setProperty(
                    "value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
            p.setProperty("linger.ms", "0");
            try (var producer =
                    new org.apache.kafka.clients.producer.KafkaProducer<String, String>(p)) {
                for (int i = 0; i < probes; i++) {
                    String user = "probe-" + i;
                    long start = System.nanoTime();
                    ObjectNode m = MAPPER.createObjectNode();
                    m.put("id", "probe:" + start + ":" + i);
                    m.put("username", user);
                    m.put("text", "probe message");
                    m.put("ts", System.currentTimeMillis());
                    producer.send(
                                    new org.apache.kafka.clients.producer.ProducerRecord<>(
                                            config.chatTopic, user, m.toString()))
                            .get();
                    try (Connection c = Preflight.connect(config)) {
                        while (true) {
                            try (Statement s = c.createStatement();
                                    ResultSet rs =
                                            s.executeQuery(
                                                    "SELECT 1 FROM user_stats WHERE username = '"
                                                            + user
                                                            + "'")) {
                                if (rs.next()) {
                                    break;
                                }
                            }
                            if (System.nanoTime() - start > 30_000_000_000L) {
                                throw new IllegalStateException(
                                        "a probe message did not show within 30 s");
                            }
                            Thread.sleep(5);
                        }
                    }
                    millis.add((System.nanoTime() - start) / 1_000_000);
                }
            }
            long[] sorted = millis.stream().mapToLong(Long::longValue).sorted().toArray();
            out.printf(
                    "freshness (produce -> user_stats row, %d probes, flush %d ms): p50 %d ms, p95 %d ms, max %d ms%n",
                    probes,
                    live.flushInterval.toMillis(),
                    sorted[sorted.length / 2],
                    sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.95) - 1)],
                    sorted[sorted.length - 1]);
            out.println("all: " + Arrays.toString(sorted));
        } finally {
            job.cancel().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private void produce(String bootstrap, String topic, int n, long seed) throws Exception {
        Random r = new Random(seed);
        long base = System.currentTimeMillis() - 30L * 86_400_000L;
        try (TopicWriter w = new TopicWriter(bootstrap, topic, null, "bench " + topic, n)) {
            for (int i = 0; i < n; i++) {
                String user = "user" + r.nextInt(users);
                ObjectNode m = MAPPER.createObjectNode();
                m.put("id", "bench:" + i);
                m.put("room", "room" + r.nextInt(5));
                m.put("username", user);
                m.put("text", TEXTS[r.nextInt(TEXTS.length)]);
                m.put("ts", base + (long) i * 30L * 86_400_000L / n);
                w.send(UserKey.of(user), m.toString().getBytes(StandardCharsets.UTF_8));
            }
            w.finish();
        }
    }
}
