package io.tally.pipeline.cli;

import io.tally.connectors.kafka.EmbeddedKafka;
import io.tally.connectors.postgres.JdbcUrls;
import io.tally.connectors.postgres.LocalPostgres;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.config.TallyConfig.Keys;
import io.tally.pipeline.job.LocalRunner;
import io.tally.pipeline.job.Preflight;
import io.tally.pipeline.job.TopicNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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
            names = "--exit-after-print",
            description = "Exit after printing the tables instead of running until Ctrl-C.")
    boolean exitAfterPrint;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Runtime.getRuntime().addShutdownHook(new Thread(this::closeAll));
        Files.createDirectories(workDir);

        EmbeddedKafka kafka = startKafka();
        resources.add(0, kafka);
        out.println("Kafka     : in-process broker at " + kafka.bootstrapServers());

        String jdbcUrl =
                options.jdbcUrl != null ? options.jdbcUrl : System.getenv("TALLY_JDBC_URL");
        if (jdbcUrl == null) {
            LocalPostgres pg = LocalPostgres.start(workDir.resolve("pg"));
            resources.add(pg);
            JdbcUrls.createDatabaseIfMissing(pg.jdbcUrl(), "tally");
            jdbcUrl = JdbcUrls.withDatabase(pg.jdbcUrl(), "tally");
            out.println("PostgreSQL: throwaway cluster at " + jdbcUrl);
        } else {
            out.println("PostgreSQL: " + jdbcUrl);
        }

        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put(Keys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        defaults.put(Keys.JDBC_URL, jdbcUrl);
        defaults.put(Keys.FROM, "earliest");
        defaults.put(Keys.CHECKPOINT_INTERVAL, "5s");
        // Partitions the small sample leaves empty should not hold the watermark back for long.
        defaults.put(Keys.IDLENESS, "2s");
        // The broker is new each time, so the demo starts from empty state too.
        defaults.put(
                Keys.STATE_DIR,
                Files.createTempDirectory(workDir.toAbsolutePath(), "state-").toString());
        TallyConfig config = options.load(defaults);
        // The demo's own broker always wins over a configured one.
        config = config.with(Map.of(Keys.BOOTSTRAP_SERVERS, kafka.bootstrapServers()));

        Preflight.migrate(config);
        kafka.createTopics(
                Preflight.DEFAULT_PARTITIONS,
                TopicNames.inputsAndOutputs(config).toArray(String[]::new));
        int sent = produceSample(kafka.bootstrapServers(), config.chatTopic);
        out.println(
                "Sample    : "
                        + sent
                        + " chat messages sent to "
                        + config.chatTopic
                        + " (some deliberately bad or repeated)");

        JobClient job = LocalRunner.start(config, true);
        resources.add(0, () -> job.cancel().get());
        out.println(
                "Flink     : job "
                        + job.getJobID()
                        + " running; web UI on http://localhost:8081 (or the next free port)");

        waitForStatus(config, sent);
        try (Connection c = Preflight.connect(config)) {
            TablePrinter.print(
                    out,
                    c,
                    "user_stats",
                    "SELECT username, message_count, total_words, to_timestamp(first_seen/1000.0) AT TIME ZONE 'UTC' AS first_seen_utc, to_timestamp(last_seen/1000.0) AT TIME ZONE 'UTC' AS last_seen_utc FROM user_stats ORDER BY message_count DESC, username");
            TablePrinter.print(
                    out,
                    c,
                    "user_daily_activity",
                    "SELECT username, date, message_count, word_count, avg_message_length FROM user_daily_activity ORDER BY username, date");
            TablePrinter.print(
                    out,
                    c,
                    "pipeline_status",
                    "SELECT pipeline, watermark, records_in, records_out, dead_letters, late_dropped FROM pipeline_status");
        }
        out.println();
        out.println("Feed more messages while it runs, e.g.:");
        out.println(
                "  bin/tally produce chat --file pipeline/src/main/resources"
                        + SAMPLE
                        + " --bootstrap-servers "
                        + kafka.bootstrapServers());
        out.println("Query the tables: psql '" + psqlUrl(jdbcUrl) + "'");
        if (exitAfterPrint) {
            closeAll();
            return 0;
        }
        out.println("Running until Ctrl-C.");
        job.getJobExecutionResult().get();
        return 0;
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

    private static int produceSample(String bootstrap, String topic) throws IOException {
        List<String> lines;
        try (InputStream in = DemoCommand.class.getResourceAsStream(SAMPLE)) {
            if (in == null) {
                throw new IOException(
                        "the bundled sample " + SAMPLE + " is missing from the build");
            }
            lines =
                    new String(in.readAllBytes(), StandardCharsets.UTF_8)
                            .lines()
                            .filter(l -> !l.isBlank())
                            .toList();
        }
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.setProperty(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (String line : lines) {
                producer.send(
                        new ProducerRecord<>(topic, null, line.getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
        return lines.size();
    }

    /** Waits until pipeline_status has counted every sample record (at most two minutes). */
    private static void waitForStatus(TallyConfig config, int expected) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Connection c = Preflight.connect(config);
                    Statement s = c.createStatement();
                    ResultSet rs =
                            s.executeQuery(
                                    "SELECT records_in FROM pipeline_status WHERE pipeline = 'chat'")) {
                if (rs.next() && rs.getLong(1) >= expected) {
                    // One more flush interval so the cache rows of the last records are written
                    // too.
                    Thread.sleep(config.flushInterval.toMillis() * 3 + 500);
                    return;
                }
            }
            Thread.sleep(500);
        }
        System.err.println(
                "tally: the sample was not fully processed within 2 minutes; printing what is there");
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
