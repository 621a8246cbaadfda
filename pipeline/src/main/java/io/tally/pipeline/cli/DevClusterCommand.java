package io.tally.pipeline.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tally dev-cluster up|down|status} (SPEC §5.2): for machines without Docker, a Kafka
 * broker, a stock Flink standalone session cluster (JobManager with web UI and REST, one
 * TaskManager with 2 slots) and, only if none is reachable, PostgreSQL, as local processes whose
 * logs and PIDs live under one directory. The launcher owns the scripts in {@code scripts/} (the
 * same ones cluster-smoke.sh uses), pointing each at a sub-directory of {@code --dir}; {@code down}
 * stops only what {@code up} started (each script checks its PID file against the process's command
 * line).
 */
@Command(
        name = "dev-cluster",
        mixinStandardHelpOptions = true,
        description =
                "A local Kafka broker, Flink session cluster (web UI, 1 TaskManager, 2 slots) and,"
                        + " if none is reachable, PostgreSQL, as background processes.")
final class DevClusterCommand implements Callable<Integer> {
    enum Action {
        up,
        down,
        status
    }

    /** Written by {@code up}: the settings that point Tally at the dev cluster. */
    static final String ENV_FILE = "env";

    /** Present while {@code up} owns the PostgreSQL server (none was reachable). */
    static final String PG_MARKER = "postgres/started-by-dev-cluster";

    @Parameters(index = "0", paramLabel = "up|down|status", description = "What to do.")
    Action action;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            description = "Logs, PIDs, data (default .tally/dev-cluster of the Tally checkout).")
    Path dir;

    @Option(
            names = "--kafka-port",
            paramLabel = "PORT",
            description = "Broker port (default 9092, Tally's default bootstrap server).")
    int kafkaPort = 9092;

    @Option(
            names = "--flink-rest-port",
            paramLabel = "PORT",
            description = "First REST/web UI port tried (default 8081; the next free one is used).")
    int flinkRestPort = 8081;

    @Option(
            names = "--postgres-port",
            paramLabel = "PORT",
            description =
                    "PostgreSQL to use, or to start when nothing answers there (default 5432).")
    int postgresPort = 5432;

    @Option(
            names = "--database",
            paramLabel = "NAME",
            description = "Database created for Tally if missing (default tally).")
    String database = "tally";

    @Override
    public Integer call() throws Exception {
        Path home = TallyHome.find();
        Path base = (dir != null ? dir : home.resolve(".tally/dev-cluster")).toAbsolutePath();
        switch (action) {
            case up:
                return up(home, base);
            case down:
                return down(home, base);
            default:
                return status(home, base);
        }
    }

    private int up(Path home, Path base) throws Exception {
        if (!database.matches("[a-z_][a-z0-9_]*")) {
            throw new io.tally.pipeline.config.ConfigException(
                    "--database: use lower-case letters, digits and _ (got '" + database + "')");
        }
        Files.createDirectories(base);
        for (String s : List.of("kafka-standalone.sh", "flink-standalone.sh")) {
            if (running(home, s, env(base))) {
                // Checked first, so that the clean-up of a failed 'up' can never stop a cluster
                // that an earlier 'up' started.
                throw new CommandFailure(
                        1,
                        "the dev cluster in "
                                + relative(base)
                                + " is already up (bin/tally dev-cluster status; down first)");
            }
        }
        List<Runnable> undo = new ArrayList<>();
        try {
            // Broker and Flink start side by side: each takes 10-40 s on a busy machine.
            undo.add(() -> quietly(home, "kafka-standalone.sh", "down", env(base)));
            undo.add(() -> quietly(home, "flink-standalone.sh", "down", env(base)));
            var kafka =
                    java.util.concurrent.CompletableFuture.supplyAsync(
                            () -> scriptUnchecked(home, "kafka-standalone.sh", "up", env(base)));
            String rest;
            String bootstrap;
            try {
                rest = script(home, "flink-standalone.sh", "up", env(base)).trim();
            } finally {
                bootstrap = join(kafka).trim();
            }
            boolean ownPostgres = !listening(postgresPort);
            if (ownPostgres) {
                script(home, "postgres-standalone.sh", "up", env(base));
                undo.add(() -> quietly(home, "postgres-standalone.sh", "down", env(base)));
                Files.writeString(base.resolve(PG_MARKER), "");
            }
            String jdbc =
                    "jdbc:postgresql://127.0.0.1:"
                            + postgresPort
                            + "/"
                            + database
                            + "?user=postgres";
            String dbNote = createDatabase();
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("TALLY_BOOTSTRAP_SERVERS", bootstrap);
            settings.put("TALLY_JDBC_URL", jdbc);
            settings.put("TALLY_FLINK_REST", rest);
            StringBuilder env = new StringBuilder("# Written by tally dev-cluster up.\n");
            settings.forEach((k, v) -> env.append(k).append('=').append(v).append('\n'));
            Files.writeString(base.resolve(ENV_FILE), env.toString());

            Path shown = relative(base);
            System.out.println("Dev cluster up (logs and PIDs under " + shown + "):");
            System.out.println("  Kafka        " + bootstrap + " (topics are auto-created)");
            System.out.println(
                    "  Flink        " + rest + " (web UI and REST; 1 TaskManager, 2 slots)");
            System.out.println(
                    "  PostgreSQL   "
                            + jdbc
                            + (ownPostgres
                                    ? " (started here; data in " + shown + "/postgres)"
                                    : " (already running; not managed)")
                            + dbNote);
            System.out.println("Point Tally at it, then submit the job:");
            System.out.println("  set -a; . " + shown + "/" + ENV_FILE + "; set +a");
            System.out.println("  bin/tally submit          # prints the job id");
            System.out.println("  bin/tally status          # job, lag, tables");
            System.out.println("  bin/tally dev-cluster down");
            undo.clear();
            return 0;
        } finally {
            // Something failed half-way: leave nothing of this 'up' running.
            for (int i = undo.size() - 1; i >= 0; i--) {
                undo.get(i).run();
            }
        }
    }

    private int down(Path home, Path base) throws Exception {
        int rc = 0;
        rc |= scriptRc(home, "flink-standalone.sh", "down", env(base));
        rc |= scriptRc(home, "kafka-standalone.sh", "down", env(base));
        if (Files.exists(base.resolve(PG_MARKER))) {
            rc |= scriptRc(home, "postgres-standalone.sh", "down", env(base));
            if (rc == 0) {
                Files.delete(base.resolve(PG_MARKER));
            }
        }
        Files.deleteIfExists(base.resolve(ENV_FILE));
        System.out.println(
                rc == 0 ? "Dev cluster down." : "Dev cluster: something did not stop (above).");
        return rc == 0 ? 0 : 1;
    }

    private int status(Path home, Path base) throws Exception {
        int rc = 0;
        rc |= scriptRc(home, "kafka-standalone.sh", "status", env(base));
        rc |= scriptRc(home, "flink-standalone.sh", "status", env(base));
        if (Files.exists(base.resolve(PG_MARKER))) {
            rc |= scriptRc(home, "postgres-standalone.sh", "status", env(base));
        } else {
            System.out.println(
                    "postgres: not managed by the dev cluster ("
                            + (listening(postgresPort) ? "one answers" : "nothing answers")
                            + " on 127.0.0.1:"
                            + postgresPort
                            + ")");
        }
        if (Files.exists(base.resolve(ENV_FILE))) {
            System.out.print(Files.readString(base.resolve(ENV_FILE)));
        }
        return rc == 0 ? 0 : 1;
    }

    private Map<String, String> env(Path base) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_HOME_DIR", base.resolve("kafka").toString());
        env.put("KAFKA_PORT", Integer.toString(kafkaPort));
        env.put("KAFKA_CONTROLLER_PORT", Integer.toString(kafkaPort + 1));
        // The broker may create topics, so Tally creates its own with 4 partitions and the
        // broker's default replication factor (SPEC §5.2; Preflight.ensureTopics).
        env.put("KAFKA_AUTO_CREATE_TOPICS", "true");
        env.put("KAFKA_PARTITIONS", "4");
        env.put("FLINK_HOME_DIR", base.resolve("flink").toString());
        // Resolved once per checkout, whichever --dir a cluster uses.
        env.put(
                "FLINK_CLASSPATH_DIR",
                TallyHome.find().resolve(".tally/flink-classpath").toString());
        env.put("FLINK_REST_PORT", Integer.toString(flinkRestPort));
        env.put("PG_HOME_DIR", base.resolve("postgres").toString());
        env.put("PG_PORT", Integer.toString(postgresPort));
        return env;
    }

    /** Creates the database unless it exists; returns a note for the summary line. */
    private String createDatabase() {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("connectTimeout", "10");
        String url = "jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres";
        try (Connection c = new org.postgresql.Driver().connect(url, p);
                var st = c.createStatement()) {
            var rs =
                    st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'");
            if (rs.next()) {
                return "";
            }
            st.execute("CREATE DATABASE " + database);
            return "; created database " + database;
        } catch (SQLException e) {
            return "; could not create database "
                    + database
                    + " as user postgres ("
                    + e.getMessage().replaceAll("\\s+", " ")
                    + "): create it yourself";
        }
    }

    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path relative(Path p) {
        Path cwd = Path.of("").toAbsolutePath();
        return p.startsWith(cwd) ? cwd.relativize(p) : p;
    }

    /** Runs a script; its progress goes to stderr, its stdout is returned. Fails on non-zero. */
    private static String script(Path home, String name, String arg, Map<String, String> env)
            throws IOException, InterruptedException {
        Process p = start(home, name, arg, env, false);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0) {
            throw new CommandFailure(
                    1, name + " " + arg + " failed (exit " + rc + "; the cause is above)");
        }
        return out;
    }

    private static String scriptUnchecked(
            Path home, String name, String arg, Map<String, String> env) {
        try {
            return script(home, name, arg, env);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailure(1, "interrupted");
        }
    }

    private static String join(java.util.concurrent.CompletableFuture<String> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private static boolean running(Path home, String name, Map<String, String> env)
            throws IOException, InterruptedException {
        ProcessBuilder pb =
                new ProcessBuilder(home.resolve("scripts").resolve(name).toString(), "status")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        return pb.start().waitFor() == 0;
    }

    private static int scriptRc(Path home, String name, String arg, Map<String, String> env)
            throws IOException, InterruptedException {
        return start(home, name, arg, env, true).waitFor();
    }

    private static void quietly(Path home, String name, String arg, Map<String, String> env) {
        try {
            scriptRc(home, name, arg, env);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Process start(
            Path home, String name, String arg, Map<String, String> env, boolean stdoutToo)
            throws IOException {
        ProcessBuilder pb =
                new ProcessBuilder(home.resolve("scripts").resolve(name).toString(), arg)
                        .directory(home.toFile())
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (stdoutToo) {
            pb.redirectOutput(ProcessBuilder.Redirect.INHERIT);
        }
        pb.environment().putAll(env);
        return pb.start();
    }
}
