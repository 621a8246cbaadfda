package io.tally.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.connectors.members.LocalMembersApi;
import io.tally.connectors.testing.KafkaBrokerExtension;
import io.tally.connectors.testing.PostgresExtension;
import io.tally.pipeline.app.LocalRunner;
import io.tally.pipeline.app.LocalRunner.LocalJob;
import io.tally.pipeline.config.ConfigLoader;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.testing.Db;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, SPEC §4.1 and §5.2: secrets and passwords are nowhere visible. A {@code tally run
 * --bounded} whose JDBC URL carries a password (trust auth ignores it) and whose member import uses
 * a bearer secret leaves neither in any console or log line (everything at INFO, the level {@code
 * bin/tally} logs at), any table, the state directory, or the job's configuration as the Flink REST
 * API shows it ({@code /jobs/<id>/config}, what the web UI reads).
 */
class SecretsNotVisibleTest {
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    static final String JDBC_CANARY = "s3cret-canary";
    static final String BEARER_CANARY = "bearer-canary-91c2";

    @TempDir Path dir;

    @Test
    void theJdbcPasswordAndTheBearerSecretAppearNowhere() throws Exception {
        String suffix = "canary" + System.nanoTime();
        String url = PG.jdbcUrl() + (PG.jdbcUrl().contains("?") ? "&" : "?");
        String canaryUrl = url + "password=" + JDBC_CANARY;

        LocalMembersApi api = LocalMembersApi.start(0);
        Capture logs = Capture.open();
        try {
            api.requireSecret(BEARER_CANARY);
            String audience =
                    api.addAudience("c-" + suffix, LocalMembersApi.generate(3, 60, 0.1, 0.1));
            Path secret = dir.resolve("whop.secret");
            Files.writeString(secret, BEARER_CANARY + "\n");
            Path yaml = dir.resolve("tally.yaml");
            Files.writeString(
                    yaml,
                    "credentials:\n  whop-main:\n    file: "
                            + secret
                            + "\n    allowed-urls: [\""
                            + api.baseUrl()
                            + "/api/v2/\"]\n");
            List<String> args =
                    new ArrayList<>(
                            List.of(
                                    "--config",
                                    yaml.toString(),
                                    "--bootstrap-servers",
                                    KAFKA.bootstrapServers(),
                                    "--jdbc-url",
                                    canaryUrl,
                                    "--pipelines",
                                    "chat,members",
                                    "--from",
                                    "earliest",
                                    "--idleness",
                                    "1s",
                                    "--flush-interval",
                                    "200ms",
                                    "--group-id",
                                    "test-" + suffix,
                                    "--topic-chat",
                                    "chat-" + suffix,
                                    "--topic-members",
                                    "members-" + suffix,
                                    "--topic-dead-letters",
                                    "dead-" + suffix,
                                    "--state-dir",
                                    dir.resolve("state").toString()));
            produceChat(args);
            KAFKA.createTopics(2, "members-" + suffix);
            KAFKA.produce(
                    "members-" + suffix,
                    "imp-1",
                    ("{\"job_id\":\"imp-1\",\"audience_id\":\"aud\",\"source\":{\"url\":\""
                                    + api.baseUrl()
                                    + audience
                                    + "?api_key=query-canary\",\"credential\":\"whop-main\"},\"ts\":"
                                    + (System.currentTimeMillis() - 1000)
                                    + "}")
                            .getBytes(StandardCharsets.UTF_8));

            List<CliRunner.Result> console = new ArrayList<>();
            console.add(CliRunner.tally("migrate", "--jdbc-url", canaryUrl));
            List<String> run = new ArrayList<>(List.of("run", "--bounded"));
            run.addAll(args);
            CliRunner.Result r = CliRunner.tally(run.toArray(String[]::new));
            console.add(r);
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.err()).contains("password=***");
            // An unreachable server is reported with the URL it tried, password masked.
            CliRunner.Result unreachable =
                    CliRunner.tally(
                            "migrate",
                            "--jdbc-url",
                            "jdbc:postgresql://tally:"
                                    + JDBC_CANARY
                                    + "@127.0.0.1:1/x?password="
                                    + JDBC_CANARY);
            console.add(unreachable);
            assertThat(unreachable.exit()).isNotZero();
            assertThat(unreachable.err())
                    .contains(
                            "cannot reach PostgreSQL at jdbc:postgresql://tally:***@127.0.0.1:1/x");
            // The run did its work: the import completed with the bearer secret.
            assertThat(
                            Db.rows(
                                    PG.jdbcUrl(),
                                    "SELECT status FROM import_jobs WHERE job_id = 'imp-1'"))
                    .containsExactly(List.of("completed"));
            assertThat(Db.count(PG.jdbcUrl(), "SELECT count(*) FROM user_stats")).isPositive();

            String restConfig = restConfigOfARunningJob(canaryUrl, yaml);

            for (CliRunner.Result c : console) {
                assertNoCanary("console", c.out() + c.err());
            }
            assertThat(logs.lines).as("log lines were captured").isNotEmpty();
            for (String line : logs.lines) {
                assertNoCanary("log", line);
            }
            assertThat(restConfig).contains("\"jdbc-url\"").contains("password=***");
            assertNoCanary("REST /jobs/<id>/config", restConfig);
            for (String cell : everyCellOfEveryTable()) {
                assertNoCanary("table", cell);
            }
            try (Stream<Path> files = Files.walk(dir.resolve("state"))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    assertNoCanary(
                            "state file " + f,
                            new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
                }
            }
        } finally {
            logs.close();
            api.close();
        }
    }

    static void assertNoCanary(String where, String text) {
        assertThat(text)
                .as(where)
                .doesNotContain(JDBC_CANARY)
                .doesNotContain(BEARER_CANARY)
                .doesNotContain("query-canary");
    }

    /** Starts the same job unbounded on a local cluster and reads its config over REST. */
    private String restConfigOfARunningJob(String canaryUrl, Path yaml) throws Exception {
        Map<String, String> flags = new HashMap<>();
        flags.put("bootstrap-servers", KAFKA.bootstrapServers());
        flags.put("jdbc-url", canaryUrl);
        flags.put("pipelines", "members");
        flags.put("from", "earliest");
        flags.put("topic-members", "rest-members-" + System.nanoTime());
        flags.put("topic-dead-letters", "rest-dead-" + System.nanoTime());
        flags.put("state-dir", dir.resolve("rest-state").toString());
        TallyConfig config = ConfigLoader.load(flags, Map.of(), yaml);
        KAFKA.createTopics(1, config.membersTopic, config.deadLetterTopic);
        LocalJob job = LocalRunner.start(config, false);
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest get =
                    HttpRequest.newBuilder(
                                    URI.create(
                                            job.restUrl()
                                                    + "/jobs/"
                                                    + job.client().getJobID()
                                                    + "/config"))
                            .timeout(Duration.ofSeconds(10))
                            .build();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            HttpResponse<String> response = http.send(get, HttpResponse.BodyHandlers.ofString());
            while (response.statusCode() != 200 && System.nanoTime() < deadline) {
                Thread.sleep(200);
                response = http.send(get, HttpResponse.BodyHandlers.ofString());
            }
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return response.body();
        } finally {
            job.client().cancel().get();
        }
    }

    /** Every column of every table in the schema, cast to text (a pg_dump-like scan). */
    private static List<String> everyCellOfEveryTable() throws Exception {
        List<String> cells = new ArrayList<>();
        List<List<String>> columns =
                Db.rows(
                        PG.jdbcUrl(),
                        "SELECT c.table_name, c.column_name FROM information_schema.columns c"
                                + " JOIN information_schema.tables t USING (table_schema, table_name)"
                                + " WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'");
        assertThat(columns).isNotEmpty();
        for (List<String> col : columns) {
            for (List<String> row :
                    Db.rows(
                            PG.jdbcUrl(),
                            "SELECT \""
                                    + col.get(1)
                                    + "\"::text FROM \""
                                    + col.get(0)
                                    + "\" WHERE \""
                                    + col.get(1)
                                    + "\" IS NOT NULL")) {
                cells.add(col.get(0) + "." + col.get(1) + " = " + row.get(0));
            }
        }
        return cells;
    }

    private void produceChat(List<String> args) throws Exception {
        Path file = dir.resolve("chat.jsonl");
        try (InputStream in = getClass().getResourceAsStream("/demo/chat-messages.jsonl")) {
            Files.copy(in, file);
        }
        CliRunner.Result r =
                CliRunner.tally(
                        "produce",
                        "chat",
                        "--file",
                        file.toString(),
                        "--bootstrap-servers",
                        args.get(args.indexOf("--bootstrap-servers") + 1),
                        "--topic-chat",
                        args.get(args.indexOf("--topic-chat") + 1));
        assertThat(r.exit()).as(r.err()).isZero();
    }

    /**
     * Every log event of every logger at INFO and above while it is open — the level of {@code
     * bin/tally}'s log file — whatever the test logging configuration prints.
     */
    static final class Capture extends AbstractAppender implements AutoCloseable {
        final List<String> lines = new CopyOnWriteArrayList<>();
        private Level rootLevel;
        private final Map<String, Appender> others = new HashMap<>();

        private Capture() {
            super("secrets-capture", null, null, true, Property.EMPTY_ARRAY);
        }

        static Capture open() {
            Capture c = new Capture();
            c.start();
            LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
            var config = ctx.getConfiguration();
            config.addAppender(c);
            LoggerConfig root = config.getRootLogger();
            c.rootLevel = root.getLevel();
            // Keep the console as quiet as before: its appender refs get the old root level.
            c.others.putAll(root.getAppenders());
            for (Map.Entry<String, Appender> a : c.others.entrySet()) {
                root.removeAppender(a.getKey());
                root.addAppender(a.getValue(), c.rootLevel, null);
            }
            root.addAppender(c, Level.INFO, null);
            root.setLevel(Level.INFO);
            ctx.updateLoggers();
            return c;
        }

        @Override
        public void append(LogEvent event) {
            StringBuilder line =
                    new StringBuilder(event.getLoggerName())
                            .append(' ')
                            .append(event.getMessage().getFormattedMessage());
            if (event.getThrown() != null) {
                StringWriter trace = new StringWriter();
                event.getThrown().printStackTrace(new PrintWriter(trace));
                line.append(' ').append(trace);
            }
            lines.add(line.toString());
        }

        @Override
        public void close() {
            LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
            var config = ctx.getConfiguration();
            LoggerConfig root = config.getRootLogger();
            root.removeAppender(getName());
            for (Map.Entry<String, Appender> a : others.entrySet()) {
                root.removeAppender(a.getKey());
                root.addAppender(a.getValue(), null, null);
            }
            root.setLevel(rootLevel);
            ctx.updateLoggers();
            stop();
        }
    }
}
