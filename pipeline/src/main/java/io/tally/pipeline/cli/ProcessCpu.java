package io.tally.pipeline.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * CPU seconds for {@code tally bench}: this process's (the embedded Flink cluster and broker
 * included), and a local PostgreSQL server's, read from {@code /proc} as {@code
 * ../shared/peers/bench.sh} does.
 */
final class ProcessCpu {
    /** Linux reports {@code /proc/<pid>/stat} times in USER_HZ ticks, 100 a second. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessCpu() {}

    /** CPU seconds this JVM used so far (user + system, every thread). */
    static double selfSeconds() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }

    /**
     * The postmaster of the server {@code c} talks to, when that server runs on this machine (a
     * loopback JDBC host and its backend visible in {@code /proc}); -1 otherwise.
     */
    static long postmasterPid(Connection c, String jdbcUrl) throws SQLException {
        try {
            String host = URI.create(jdbcUrl.substring("jdbc:".length())).getHost();
            if (host == null || !InetAddress.getByName(host).isLoopbackAddress()) {
                return -1;
            }
        } catch (IOException | IllegalArgumentException e) {
            return -1;
        }
        long backend;
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            backend = rs.getLong(1);
        }
        String[] stat = stat(backend);
        return stat == null ? -1 : Long.parseLong(stat[1]);
    }

    /**
     * CPU seconds of a PostgreSQL server so far: its postmaster (with the backends it reaped) and
     * every live child. A backend reaped while the children are read would be missed or counted
     * twice, so the read is repeated until the postmaster's own figure holds still.
     */
    static double postgresSeconds(long postmaster) throws IOException {
        long before = 0;
        long children = 0;
        for (int attempt = 0; attempt < 10; attempt++) {
            before = ticks(postmaster, true);
            children = 0;
            try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"))) {
                for (Path p : procs) {
                    String name = p.getFileName().toString();
                    if (!name.chars().allMatch(Character::isDigit)) {
                        continue;
                    }
                    String[] stat = stat(Long.parseLong(name));
                    if (stat != null && Long.parseLong(stat[1]) == postmaster) {
                        children += ticks(stat, true);
                    }
                }
            }
            if (ticks(postmaster, true) == before) {
                break;
            }
        }
        return (before + children) / TICKS_PER_SECOND;
    }

    private static long ticks(long pid, boolean withReaped) {
        String[] stat = stat(pid);
        return stat == null ? 0 : ticks(stat, withReaped);
    }

    /** utime + stime (+ cutime + cstime): fields 14–17 of {@code /proc/<pid>/stat}. */
    private static long ticks(String[] afterName, boolean withReaped) {
        long t = Long.parseLong(afterName[11]) + Long.parseLong(afterName[12]);
        return withReaped ? t + Long.parseLong(afterName[13]) + Long.parseLong(afterName[14]) : t;
    }

    /** The fields after the command name ({@code state ppid …}), or null when gone. */
    private static String[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return s.substring(s.lastIndexOf(") ") + 2).trim().split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
