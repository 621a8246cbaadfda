package io.tally.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.connectors.testing.PostgresExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.time.Duration;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Transient failures are retried on a new connection (and only for {@code retryTimeout}), with real
 * failures: a terminated backend and a server that is not there. Connections carry timeouts, so a
 * dead one is noticed (issue 9).
 */
class UpsertRetryTest {
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final LocalDate DAY = LocalDate.of(2026, 3, 30);

    @Test
    void aFlushAfterTheBackendWasTerminatedRetriesOnANewConnection() throws Exception {
        PG.execute(ScoreRow.ddl("scores"));
        JdbcSettings settings =
                JdbcSettings.builder(PG.jdbcUrl()).retryBackoff(Duration.ofMillis(50)).build();
        try (CoalescingUpserter<ScoreRow> upserter =
                new CoalescingUpserter<>(ScoreRow.table("scores"), settings)) {
            upserter.add(ScoreRow.upsert("alice", DAY, 1, null, 1));
            upserter.add(ScoreRow.upsert("bob", DAY, 1, null, 1));
            assertThat(upserter.flush().retries()).isZero();

            // An administrator (or a failover) ends the sink's idle connection between flushes.
            assertThat(
                            Rows.query(
                                    PG,
                                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                            + " WHERE datname = current_database()"
                                            + " AND pid <> pg_backend_pid()"))
                    .containsExactly("t");
            upserter.add(ScoreRow.upsert("alice", DAY, 2, 0.5, 2));
            upserter.add(ScoreRow.delete("bob", DAY, 2));
            upserter.add(ScoreRow.upsert("carol", DAY, 1, null, 1));
            CoalescingUpserter.FlushResult second = upserter.flush();

            assertThat(second.retries()).isEqualTo(1);
            assertThat(second.rows()).isEqualTo(3);
            assertThat(Rows.scores(PG, "scores"))
                    .containsExactly("alice|2026-03-30|2|0.5|2", "carol|2026-03-30|1|null|1");
        }
    }

    @Test
    void anUnreachableServerIsRetriedUntilTheRetryTimeoutThenReportedWithTheTableName()
            throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        JdbcSettings settings =
                JdbcSettings.builder("jdbc:postgresql://127.0.0.1:" + closedPort + "/tally")
                        .retryBackoff(Duration.ofMillis(10))
                        .maxRetryBackoff(Duration.ofMillis(100))
                        .retryTimeout(Duration.ofMillis(1500))
                        .build();
        try (CoalescingUpserter<ScoreRow> upserter =
                new CoalescingUpserter<>(ScoreRow.table("scores"), settings)) {
            upserter.add(ScoreRow.upsert("alice", DAY, 1, null, 1));

            // Connection refused is SQLState 08001: transient, so retried with back-off capped at
            // 100 ms (10, 20, 40, 80, 100, 100, …: more than the 8 retries uncapped doubling
            // would fit in 1.5 s), then given up on so the job restarts from its checkpoint
            // (SPEC §1.8).
            long start = System.nanoTime();
            assertThatThrownBy(upserter::flush)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("upsert into scores failed: PostgreSQL unavailable")
                    .hasMessageContaining("longer than the sink retry timeout of 1 s")
                    .hasMessageMatching("(?s).*\\((1[0-9]|[2-9][0-9]) retries\\).*")
                    .hasMessageContaining("SQLState 08001")
                    .hasCauseInstanceOf(java.sql.SQLException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isBetween(Duration.ofMillis(1500), Duration.ofSeconds(10));
        }
    }

    @Test
    void connectionsNoticeADeadServerWithin30SecondsUnlessTheUrlSaysOtherwise() throws Exception {
        // Issue 9: without a socket timeout PgJDBC waits for a reply forever, so a connection
        // that a firewall or failover dropped silently hangs a flush and every checkpoint.
        // getNetworkTimeout() is PgJDBC's socket timeout, in milliseconds.
        try (Connection c = JdbcSettings.of(PG.jdbcUrl()).connect("test")) {
            assertThat(c.getNetworkTimeout()).isEqualTo(30_000);
        }
        assertThat(JdbcSettings.of(PG.jdbcUrl()).connectionProperties("test"))
                .containsEntry("connectTimeout", "10")
                .containsEntry("loginTimeout", "20")
                .containsEntry("socketTimeout", "30")
                .containsEntry("tcpKeepAlive", "true");

        // A URL that sets its own timeout keeps it.
        String own = PG.jdbcUrl() + (PG.jdbcUrl().contains("?") ? "&" : "?") + "socketTimeout=7";
        try (Connection c = JdbcSettings.of(own).connect("test")) {
            assertThat(c.getNetworkTimeout()).isEqualTo(7_000);
        }
    }
}
