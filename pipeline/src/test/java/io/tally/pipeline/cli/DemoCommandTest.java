package io.tally.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.connectors.testing.PostgresExtension;
import io.tally.pipeline.testing.Db;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code tally demo} as the README's first command: embedded broker and Flink, the bundled sample,
 * filled tables printed. (Here against the test database; without {@code --jdbc-url} it starts a
 * throwaway PostgreSQL, the same {@code LocalPostgres} the test harness falls back to.)
 */
class DemoCommandTest {
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @Test
    void demoFeedsTheSampleAndPrintsFilledTables() throws Exception {
        CliRunner.Result r =
                CliRunner.tally(
                        "demo",
                        "--jdbc-url",
                        PG.jdbcUrl(),
                        "--kafka-port",
                        "0",
                        "--work-dir",
                        "target/demo-test",
                        "--exit-after-print");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("user_stats", "user_daily_activity", "pipeline_status");
        // The bundled sample: 122 lines, 4 of them bad, one repeated (see
        // demo/chat-messages.jsonl).
        assertThat(
                        Db.rows(
                                PG.jdbcUrl(),
                                "SELECT records_in, records_out, dead_letters FROM pipeline_status"
                                        + " ORDER BY pipeline"))
                .containsExactly(
                        List.of("122", "117", "4"),
                        List.of("1", "1", "0"),
                        List.of("62", "60", "2"));
        assertThat(Db.count(PG.jdbcUrl(), "SELECT sum(message_count) FROM user_stats"))
                .isEqualTo(117);
        assertThat(Db.count(PG.jdbcUrl(), "SELECT count(*) FROM user_daily_activity"))
                .isGreaterThan(10);
        assertThat(r.out()).contains("alice", "李雷", "leaderboard_entries");
        // The reviews sample (demo/reviews.jsonl): nine users, three of them farming in a quick
        // positive ring; a self-review and a bad sentiment are dead-lettered.
        assertThat(Db.count(PG.jdbcUrl(), "SELECT count(*) FROM leaderboard_entries")).isEqualTo(9);
        assertThat(
                        Db.rows(
                                PG.jdbcUrl(),
                                "SELECT username FROM leaderboard_entries WHERE risk_level = 'high'"
                                        + " ORDER BY username"))
                .containsExactly(List.of("farmer1"), List.of("farmer2"), List.of("farmer3"));
        // Distinct users: a farmer may reach high more than once when a multiplier timer and a
        // late review interleave differently (alert instants depend on the watermark, SPEC §1.4).
        assertThat(
                        Db.count(
                                PG.jdbcUrl(),
                                "SELECT count(DISTINCT userkey) FROM r4r_alerts WHERE to_level = 'high'"))
                .isEqualTo(3);
    }
}
