package io.tally.connectors.postgres;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Locale;

/**
 * Not a test: prints rows/s of the upsert sink's INSERT path and COPY path (issue 12) for a wide
 * chat table ({@code message_analysis_cache}'s 17 columns), inserts then updates, per flush size.
 *
 * <pre>
 * mvn -B -q -pl connectors test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp connectors/target/test-classes:connectors/target/classes:$(cat connectors/target/cp.txt) \
 *     io.tally.connectors.postgres.UpsertBench [jdbc-url-of-a-scratch-database] [rows]
 * </pre>
 *
 * Without a URL it creates a scratch database on 127.0.0.1:5432 and drops it at the end.
 */
public final class UpsertBench {
    private UpsertBench() {}

    /** One row of the wide table: a username and 16 numbers. */
    record Wide(String username, long[] numbers, BigDecimal[] rates, long version) {}

    public static void main(String[] args) throws Exception {
        String server = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
        String database = "bench_upsert_" + ProcessHandle.current().pid();
        String url = args.length > 0 ? args[0] : null;
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        if (url == null) {
            try (Connection c = DriverManager.getConnection(server);
                    Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + database);
            }
            url = JdbcUrls.withDatabase(server, database);
        }
        try {
            System.out.printf(
                    Locale.ROOT,
                    "%d rows of a 17-column table, rows/s (median of 3 runs)%n%-10s %-7s %10s %10s"
                            + " %6s%n",
                    rows,
                    "flush",
                    "write",
                    "INSERT",
                    "COPY",
                    "ratio");
            for (int flush : new int[] {64, 256, 1000, 5000, 20_000}) {
                int n = flush < 1000 ? Math.min(rows, 20_000) : rows;
                for (String phase : new String[] {"insert", "update"}) {
                    // Interleaved, so a change in the machine's load hits both paths alike.
                    double[] viaInsert = new double[3];
                    double[] viaCopy = new double[3];
                    for (int i = 0; i < 3; i++) {
                        viaInsert[i] = run(url, n, flush, Integer.MAX_VALUE, phase);
                        viaCopy[i] = run(url, n, flush, 1, phase);
                    }
                    java.util.Arrays.sort(viaInsert);
                    java.util.Arrays.sort(viaCopy);
                    System.out.printf(
                            Locale.ROOT,
                            "%-10d %-7s %10.0f %10.0f %5.1fx%n",
                            flush,
                            phase,
                            viaInsert[1],
                            viaCopy[1],
                            viaCopy[1] / viaInsert[1]);
                }
            }
        } finally {
            if (args.length == 0) {
                try (Connection c = DriverManager.getConnection(server);
                        Statement s = c.createStatement()) {
                    s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
                }
            }
        }
    }

    /** Rows/s writing {@code rows} rows in flushes of {@code flush}; "update" pre-fills them. */
    private static double run(String url, int rows, int flush, int copyMinRows, String phase)
            throws Exception {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS message_analysis_cache");
            s.execute(DDL);
        }
        JdbcSettings settings =
                JdbcSettings.builder(url).copyMinRows(copyMinRows).maxBufferedRows(flush).build();
        try (CoalescingUpserter<Wide> upserter = new CoalescingUpserter<>(table(), settings)) {
            if (phase.equals("update")) {
                write(upserter, rows, 20_000, 1);
            }
            long start = System.nanoTime();
            write(upserter, rows, flush, 2);
            return rows / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static void write(CoalescingUpserter<Wide> upserter, int rows, int flush, long version)
            throws Exception {
        for (int i = 0; i < rows; i++) {
            long[] numbers = new long[13];
            for (int j = 0; j < numbers.length; j++) {
                numbers[j] = (long) i * (j + 1) + version;
            }
            BigDecimal[] rates = {
                BigDecimal.valueOf(i % 1000, 1),
                BigDecimal.valueOf((i * 7L) % 1000, 1).setScale(1, RoundingMode.HALF_UP),
                BigDecimal.valueOf((i * 3L) % 1000, 1)
            };
            upserter.add(new Wide("user-" + i + "-ünï", numbers, rates, version));
            if (upserter.pending() >= flush) {
                upserter.flush();
            }
        }
        upserter.flush();
    }

    static UpsertTable<Wide> table() {
        return UpsertTable.<Wide>builder("message_analysis_cache")
                .key("username", r -> r.username())
                .column("total_messages", r -> r.numbers()[0])
                .column("total_words", r -> r.numbers()[1])
                .column("avg_message_length", r -> (int) (r.numbers()[2] % 1000))
                .column("avg_words_per_message", r -> r.rates()[0])
                .column("emoji_count", r -> r.numbers()[3])
                .column("emoji_usage_rate", r -> r.rates()[1])
                .column("caps_count", r -> r.numbers()[4])
                .column("caps_usage_rate", r -> r.rates()[2])
                .column("question_count", r -> r.numbers()[5])
                .column("exclamation_count", r -> r.numbers()[6])
                .column("url_count", r -> r.numbers()[7])
                .column("mention_count", r -> r.numbers()[8])
                .column("longest_message", r -> (int) (r.numbers()[9] % 100_000))
                .column("shortest_message", r -> (int) (r.numbers()[10] % 100))
                .column("vocabulary_size", r -> (int) (r.numbers()[11] % 10_000))
                .column("version", r -> r.version())
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .build();
    }

    // As the pipeline's migration V2 creates it.
    private static final String DDL =
            "CREATE TABLE message_analysis_cache (username TEXT PRIMARY KEY, total_messages BIGINT"
                    + " NOT NULL, total_words BIGINT NOT NULL, avg_message_length INTEGER NOT NULL,"
                    + " avg_words_per_message NUMERIC(12,1) NOT NULL, emoji_count BIGINT NOT NULL,"
                    + " emoji_usage_rate NUMERIC(12,1) NOT NULL, caps_count BIGINT NOT NULL,"
                    + " caps_usage_rate NUMERIC(5,1) NOT NULL, question_count BIGINT NOT NULL,"
                    + " exclamation_count BIGINT NOT NULL, url_count BIGINT NOT NULL, mention_count"
                    + " BIGINT NOT NULL, longest_message INTEGER NOT NULL, shortest_message INTEGER"
                    + " NOT NULL, vocabulary_size INTEGER NOT NULL, version BIGINT NOT NULL,"
                    + " updated_at TIMESTAMPTZ NOT NULL DEFAULT now())";
}
