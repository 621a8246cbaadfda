package io.tally.pipeline.cli;

import io.tally.connectors.postgres.JdbcUrls;
import io.tally.pipeline.app.Preflight;
import io.tally.pipeline.app.UnreachableException;
import io.tally.pipeline.config.ConfigException;
import io.tally.pipeline.config.ConfigLoader;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.serve.Database;
import io.tally.pipeline.serve.HttpServer;
import io.tally.pipeline.serve.QueryApi;
import io.tally.pipeline.serve.ServeSettings;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tally serve}: the old apps' HTTP endpoints, read-only over the cache tables (SPEC §6),
 * until Ctrl-C or SIGTERM.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description =
                "Serve the chat bot's /api/v1 and the R4R app's /api/leaderboard endpoints (and"
                        + " /healthz) read-only from the cache tables in --jdbc-url, until Ctrl-C.")
final class ServeCommand implements Callable<Integer> {
    static final String DEFAULT_LISTEN = "127.0.0.1:8088";
    static final String VERSION = "0.1.0";

    @Mixin DatabaseOptions options;

    @Option(
            names = "--listen",
            paramLabel = "HOST:PORT",
            defaultValue = "${env:TALLY_LISTEN:-" + DEFAULT_LISTEN + "}",
            description = "Address to listen on (TALLY_LISTEN; default ${DEFAULT-VALUE}).")
    String listen;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            description = "Port to listen on; overrides the port of --listen (0: any free port).")
    Integer port;

    @Option(
            names = "--cors-origins",
            paramLabel = "LIST",
            defaultValue = "${env:TALLY_CORS_ORIGINS:-*}",
            description =
                    "Comma-separated origins allowed to read answers in a browser, or * for any"
                            + " (TALLY_CORS_ORIGINS; default ${DEFAULT-VALUE}).")
    String corsOrigins;

    @Option(
            names = "--stale-after",
            paramLabel = "DURATION",
            defaultValue = "${env:TALLY_STALE_AFTER:-30s}",
            description =
                    "A pipeline whose status is older than this is stale in /healthz and the batch"
                            + " status (TALLY_STALE_AFTER; default ${DEFAULT-VALUE}).")
    String staleAfter;

    @Option(
            names = "--default-room",
            paramLabel = "ROOM",
            defaultValue = "${env:TALLY_DEFAULT_ROOM:-fatpizza}",
            description =
                    "Room of the chat endpoints when a request gives none (TALLY_DEFAULT_ROOM;"
                            + " default ${DEFAULT-VALUE}).")
    String defaultRoom;

    @Option(
            names = "--max-connections",
            paramLabel = "N",
            defaultValue = "10",
            description = "Size of the connection pool (default ${DEFAULT-VALUE}).")
    int maxConnections;

    @Override
    public Integer call() throws Exception {
        TallyConfig config = options.load();
        ServeSettings settings = settings();
        Running running = start(config, settings, maxConnections, System.out);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    running.close();
                                    System.out.println("tally serve: stopped");
                                    stopped.countDown();
                                },
                                "tally-serve-shutdown"));
        running.server.join();
        stopped.await();
        return 0;
    }

    ServeSettings settings() {
        String host = DEFAULT_LISTEN.substring(0, DEFAULT_LISTEN.indexOf(':'));
        int listenPort;
        int colon = listen.lastIndexOf(':');
        try {
            if (colon < 0) {
                listenPort = Integer.parseInt(listen);
            } else {
                host = listen.substring(0, colon);
                listenPort = Integer.parseInt(listen.substring(colon + 1));
            }
        } catch (NumberFormatException e) {
            throw new ConfigException("--listen: expected HOST:PORT, got '" + listen + "'");
        }
        int p = port != null ? port : listenPort;
        if (p < 0 || p > 65535) {
            throw new ConfigException("--port: expected 0 to 65535, got " + p);
        }
        Duration stale;
        try {
            stale = ConfigLoader.duration(staleAfter);
        } catch (ConfigException e) {
            throw new ConfigException("--stale-after: " + e.getMessage());
        }
        if (defaultRoom.isEmpty() || defaultRoom.codePointCount(0, defaultRoom.length()) > 100) {
            throw new ConfigException("--default-room: expected 1 to 100 characters");
        }
        List<String> origins =
                Arrays.stream(corsOrigins.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toList();
        return new ServeSettings(host, p, origins, stale, defaultRoom, VERSION);
    }

    /** A started server with its pool; closing stops both, in that order. */
    static final class Running implements AutoCloseable {
        final HttpServer server;
        final QueryApi api;
        final Database db;
        final String baseUrl;

        Running(HttpServer server, QueryApi api, Database db, String baseUrl) {
            this.server = server;
            this.api = api;
            this.db = db;
            this.baseUrl = baseUrl;
        }

        @Override
        public void close() {
            try {
                server.close(); // stops accepting, lets requests in flight finish
            } catch (Exception ignored) {
                // Best effort on the way out.
            }
            api.close();
            db.close();
        }
    }

    /**
     * Connects (an unreachable database is one line and exit 3, like the other commands), then
     * listens. Shared with {@code demo}.
     */
    static Running start(TallyConfig config, ServeSettings settings, int poolSize, PrintStream out)
            throws Exception {
        Preflight.checkPostgres(config);
        Database db;
        try {
            db =
                    Database.open(
                            config.jdbcUrl, config.jdbcUser, Preflight.password(config), poolSize);
        } catch (SQLException e) {
            throw new UnreachableException(
                    "cannot reach PostgreSQL at "
                            + JdbcUrls.redact(config.jdbcUrl)
                            + ": "
                            + String.valueOf(e.getMessage()).replaceAll("\\s+", " ").trim());
        }
        warnIfNotMigrated(config, out);
        QueryApi api = new QueryApi(db, settings, Clock.systemUTC());
        HttpServer server;
        try {
            server = HttpServer.start(api, settings.host(), settings.port());
        } catch (java.io.IOException e) {
            api.close();
            db.close();
            throw new ConfigException(
                    "cannot listen on "
                            + settings.host()
                            + ":"
                            + settings.port()
                            + ": "
                            + e.getMessage());
        }
        String host =
                settings.host().isEmpty() || settings.host().equals("0.0.0.0")
                        ? "127.0.0.1"
                        : settings.host();
        String base = "http://" + host + ":" + server.port();
        out.println(
                "Serving   : "
                        + base
                        + " (read-only over "
                        + JdbcUrls.redact(config.jdbcUrl)
                        + "; Ctrl-C stops)");
        return new Running(server, api, db, base);
    }

    /** Serving an empty database is allowed (the job may migrate it later); say so once. */
    private static void warnIfNotMigrated(TallyConfig config, PrintStream out) {
        try (Connection c = Preflight.connect(config);
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT to_regclass('leaderboard_entries') IS NOT NULL"
                                        + " AND to_regclass('pipeline_status') IS NOT NULL")) {
            if (rs.next() && !rs.getBoolean(1)) {
                out.println(
                        "tally serve: the schema is not migrated yet (run bin/tally migrate, or"
                                + " start the job); requests fail with 500 until it is");
            }
        } catch (SQLException e) {
            // The pool connected a moment ago; requests will report any problem themselves.
        }
    }
}
