package io.tally.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.connectors.testing.PostgresExtension;
import io.tally.pipeline.app.Preflight;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.testing.Db;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code tally demo --pipelines …} (issue 11): the demo feeds and waits for only the pipelines it
 * runs. Before, it sent the chat sample whatever {@code --pipelines} said, and waited for each
 * pipeline by looking at chat's row.
 */
class DemoPipelinesTest {
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @Test
    void waitingForAPipelineLooksAtThatPipelinesRow() throws Exception {
        TallyConfig config = TallyConfig.defaults().with(Map.of("jdbc-url", PG.jdbcUrl()));
        Preflight.migrate(config);
        PG.execute(
                "INSERT INTO pipeline_status_counts (pipeline, records_in, records_out,"
                        + " dead_letters, late_dropped, version) VALUES ('chat', 100, 100, 0, 0, 1)");
        try {
            assertThat(DemoCommand.waitForStatus(config, "reviews", 5, Duration.ofSeconds(2)))
                    .as("reviews has no row yet")
                    .isFalse();
            assertThat(DemoCommand.waitForStatus(config, "chat", 5, Duration.ofSeconds(10)))
                    .isTrue();
        } finally {
            PG.execute("DELETE FROM pipeline_status_counts");
        }
    }

    @Test
    void aDemoWithoutChatSendsNoChatSample() throws Exception {
        CliRunner.Result r =
                CliRunner.tally(
                        "demo",
                        "--jdbc-url",
                        PG.jdbcUrl(),
                        "--pipelines",
                        "reviews",
                        "--kafka-port",
                        "0",
                        "--serve-port",
                        "0",
                        "--work-dir",
                        "target/demo-pipelines-test",
                        "--exit-after-print");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .doesNotContain("chat messages sent")
                .contains("review states sent to reviews")
                .contains("leaderboard_entries")
                .doesNotContain("user_daily_activity (first rows)");
        assertThat(r.err()).doesNotContain("not fully processed");
        // Only reviews ran, and it counted every review of demo/reviews.jsonl: the demo sends right
        // after creating its topics, so a broker not yet serving them must not drop any.
        java.util.regex.Matcher sent =
                java.util.regex.Pattern.compile("Sample +: (\\d+) review states sent")
                        .matcher(r.out());
        assertThat(sent.find()).as(r.out()).isTrue();
        assertThat(sent.group(1)).isEqualTo("62");
        assertThat(
                        Db.rows(
                                PG.jdbcUrl(),
                                "SELECT pipeline, records_in FROM pipeline_status ORDER BY pipeline"))
                .as(r.out() + r.err())
                .containsExactly(List.of("reviews", sent.group(1)));
    }
}
