package io.tally.pipeline.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.connectors.testing.KafkaBrokerExtension;
import io.tally.connectors.testing.PostgresExtension;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.runtime.UserKey;
import io.tally.pipeline.testing.ChatOracle;
import io.tally.pipeline.testing.ChatStream;
import io.tally.pipeline.testing.Db;
import io.tally.pipeline.testing.FlinkTestCluster;
import io.tally.pipeline.testing.JobRunner;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A generated chat (duplicates, out-of-order and days-late events, excluded senders, non-ASCII, a
 * DST change in {@code Australia/Sydney}) gives exactly the rows of an independent batch
 * computation, and the same input run twice gives identical rows (SPEC §1.1, §2.4, §2.5).
 */
class ChatOracleReplayTest {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create();
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    /** Sydney moves to daylight time on Sunday 2026-10-04 (a 23-hour day). */
    static final long START = Instant.parse("2026-10-01T00:00:00Z").toEpochMilli();

    static final ZoneId SYDNEY = ZoneId.of("Australia/Sydney");

    @Test
    void generatedChatMatchesTheOracleAndAReplayGivesIdenticalRows() throws Exception {
        ChatStream stream = ChatStream.generate(42, 4000, 7, START);
        String suffix = "oracle" + System.nanoTime();
        TallyConfig config =
                JobRunner.config(
                        KAFKA.bootstrapServers(),
                        PG.jdbcUrl(),
                        suffix,
                        Map.of("timezone", "Australia/Sydney"));
        KAFKA.createTopics(4, config.chatTopic, config.deadLetterTopic);
        for (String line : stream.lines) {
            String user = line.substring(line.indexOf("\"username\":\"") + 12);
            KAFKA.produce(
                    config.chatTopic,
                    UserKey.of(user.substring(0, user.indexOf('"'))),
                    line.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(stream.lines.size()).isGreaterThan(stream.messages.size());

        JobRunner.runBounded(config);
        List<List<String>> stats = Db.userStats(PG.jdbcUrl());
        List<List<String>> daily = Db.dailyActivity(PG.jdbcUrl());

        assertThat(stats).isEqualTo(ChatOracle.userStats(stream.messages));
        assertThat(daily)
                .isEqualTo(ChatOracle.dailyActivity(stream.messages, SYDNEY, Set.of("dazza")));
        assertThat(daily).extracting(r -> r.get(1)).contains("2026-10-04");
        assertThat(daily).extracting(r -> r.get(0)).doesNotContain("dazza", "[server]");
        assertThat(stats).extracting(r -> r.get(0)).contains("dazza", "[server]", "李雷", "chloé");
        assertThat(Db.count(PG.jdbcUrl(), "SELECT records_out FROM pipeline_status"))
                .isEqualTo(stream.messages.size());

        // Replay: the same topic from the start, into emptied tables, with a new consumer group.
        Db.execute(
                PG.jdbcUrl(),
                "TRUNCATE user_stats, user_daily_activity, pipeline_status_counts, rejected_rows");
        JobRunner.runBounded(config.with(Map.of("group-id", "replay-" + suffix)));
        assertThat(Db.count(PG.jdbcUrl(), "SELECT records_in FROM pipeline_status"))
                .as("the replay read every record")
                .isEqualTo(stream.lines.size());
        assertThat(Db.userStats(PG.jdbcUrl())).isEqualTo(stats);
        assertThat(Db.dailyActivity(PG.jdbcUrl())).isEqualTo(daily);
    }

    @Test
    void chatMessagesAreFlinkPojos() {
        org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo(ChatMessage.class);
        org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo(
                io.tally.pipeline.chat.records.DailyActivityRow.class);
        org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo(
                io.tally.pipeline.chat.records.UserStatsRow.class);
        org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo(
                io.tally.pipeline.runtime.PipelineStatusRow.class);
        org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo(
                io.tally.pipeline.runtime.StatusDelta.class);
    }
}
