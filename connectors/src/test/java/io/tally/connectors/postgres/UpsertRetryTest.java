package io.tally.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.connectors.testing.PostgresExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Transient failures are retried on a new connection (and only up to {@code maxRetries}), with real
 * failures: a terminated backend and a server that is not there.
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
    void anUnreachableServerIsRetriedThenReportedWithTheTableName() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        JdbcSettings settings =
                JdbcSettings.builder("jdbc:postgresql://127.0.0.1:" + closedPort + "/tally")
                        .maxRetries(2)
                        .retryBackoff(Duration.ofMillis(10))
                        .build();
        try (CoalescingUpserter<ScoreRow> upserter =
                new CoalescingUpserter<>(ScoreRow.table("scores"), settings)) {
            upserter.add(ScoreRow.upsert("alice", DAY, 1, null, 1));

            // Connection refused is SQLState 08001: transient, so retried, then given up on so
            // the job restarts from its checkpoint (SPEC §1.8).
            assertThatThrownBy(upserter::flush)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("upsert into scores failed after 2 retries")
                    .hasMessageContaining("SQLState 08001");
        }
    }
}
