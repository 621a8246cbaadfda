package io.tally.connectors.postgres;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway PostgreSQL cluster run from the server binaries installed on the machine (STACK.md):
 * {@code initdb} into a directory, {@code pg_ctl start} on a free port, {@code pg_ctl stop} on
 * close. PostgreSQL refuses to run as root, so as root the binaries run as the {@code postgres} OS
 * user.
 */
public final class LocalPostgres implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);

    private final Path binDir;
    private final Path dataDir;
    private final int port;
    private final boolean asPostgresUser;
    private volatile boolean running;

    private LocalPostgres(Path binDir, Path dataDir, int port, boolean asPostgresUser) {
        this.binDir = binDir;
        this.dataDir = dataDir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** Starts a new cluster under {@code parent} (a fresh sub-directory) on a free port. */
    public static LocalPostgres start(Path parent) throws IOException, InterruptedException {
        Path binDir = findBinaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        Files.createDirectories(parent);
        if (root && !reachableByPostgres(parent.toAbsolutePath())) {
            // A checkout under a private directory (e.g. mktemp -d, mode 0700): the postgres user
            // cannot pass through it, so the data goes to the system's /tmp instead.
            parent = Path.of("/tmp");
        }
        Path dataDir = Files.createTempDirectory(parent.toAbsolutePath(), "pg-");
        int port = freePort();
        LocalPostgres pg = new LocalPostgres(binDir, dataDir, port, root);
        if (root) {
            // The postgres user must be able to reach and own the data directory.
            run(List.of("chown", "-R", "postgres:postgres", dataDir.toString()), false);
            run(List.of("chmod", "o+rx", parent.toAbsolutePath().toString()), false);
        }
        pg.exec(
                "initdb",
                "-D",
                dataDir.toString(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8");
        pg.startServer();
        LOG.info("Started a throwaway PostgreSQL on 127.0.0.1:{} in {}", port, dataDir);
        return pg;
    }

    /**
     * Starts the server of this cluster again after {@link #stopServer}, on the same port and data
     * (fault tests: a database that comes back).
     */
    public void startServer() throws IOException, InterruptedException {
        exec(
                "pg_ctl",
                "-D",
                dataDir.toString(),
                "-w",
                "-l",
                dataDir.resolve("server.log").toString(),
                "-o",
                "-p " + port + " -k " + dataDir + " -c listen_addresses=127.0.0.1 -c fsync=off",
                "start");
        running = true;
    }

    /**
     * Stops the server but keeps its data (fault tests: a database that goes away). Fast shutdown,
     * as a restart or failover does it: open connections are terminated (SQLState 57P01), new ones
     * are refused until {@link #startServer}.
     */
    public void stopServer() throws IOException, InterruptedException {
        exec("pg_ctl", "-D", dataDir.toString(), "-m", "fast", "-w", "stop");
        running = false;
    }

    /** True when PostgreSQL server binaries are installed here. */
    public static boolean available() {
        try {
            findBinaries();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** URL of the {@code postgres} database as the {@code postgres} user. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            if (running) {
                stopServer();
            }
        } catch (Exception e) {
            LOG.warn("Could not stop the throwaway PostgreSQL in {}: {}", dataDir, e.toString());
            return;
        }
        // Throwaway: its files go with it.
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", dataDir, e.toString());
        }
    }

    private void exec(String tool, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (asPostgresUser) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.add(binDir.resolve(tool).toString());
        cmd.addAll(List.of(args));
        run(cmd, true);
    }

    /** True when the postgres OS user can enter {@code dir} (every ancestor traversable). */
    private static boolean reachableByPostgres(Path dir) throws InterruptedException {
        try {
            Process p =
                    new ProcessBuilder(
                                    "runuser", "-u", "postgres", "--", "test", "-x", dir.toString())
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return true; // no runuser: leave it to initdb to say what is wrong
        }
    }

    private static void run(List<String> cmd, boolean mustSucceed)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", cmd));
        }
        if (mustSucceed && p.exitValue() != 0) {
            throw new IOException(
                    "failed (exit " + p.exitValue() + "): " + String.join(" ", cmd) + "\n" + out);
        }
    }

    private static Path findBinaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                var best =
                        versions.map(v -> v.resolve("bin"))
                                .filter(b -> Files.isExecutable(b.resolve("initdb")))
                                .max(
                                        Comparator.comparingInt(
                                                b -> versionOf(b.getParent().getFileName())));
                if (best.isPresent()) {
                    return best.get();
                }
            }
        }
        throw new IOException(
                "no PostgreSQL server binaries under /usr/lib/postgresql/<version>/bin"
                        + " (install postgresql, or pass --jdbc-url)");
    }

    private static int versionOf(Path name) {
        try {
            return Integer.parseInt(name.toString().replaceAll("[^0-9].*$", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
