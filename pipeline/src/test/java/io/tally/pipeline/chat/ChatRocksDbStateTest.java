package io.tally.pipeline.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.connectors.kafka.ParsedRecord;
import io.tally.connectors.testing.KafkaBrokerExtension;
import io.tally.connectors.testing.PostgresExtension;
import io.tally.pipeline.app.KafkaSources;
import io.tally.pipeline.app.TallyJob;
import io.tally.pipeline.app.TallySources;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.config.ConfigException;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.runtime.UserKey;
import io.tally.pipeline.testing.ChatBatchOracle;
import io.tally.pipeline.testing.ChatStream;
import io.tally.pipeline.testing.Db;
import io.tally.pipeline.testing.FlinkTestCluster;
import io.tally.pipeline.testing.JobRunner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12: {@code state-backend rocksdb} keeps the chat state in RocksDB, checkpoints it
 * (incrementally), and a restore from such a checkpoint after a failure mid-stream ends with the
 * same rows in every chat table as the batch oracle (SPEC §1.8), at parallelism 2.
 */
class ChatRocksDbStateTest {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create();
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    static final ZoneId SYDNEY = ZoneId.of("Australia/Sydney");
    static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
    static final AtomicBoolean FAILED = new AtomicBoolean();
    static final AtomicLong SEEN = new AtomicLong();

    /** Throws once, well after a checkpoint completed, so the restart restores RocksDB state. */
    static final class FailOnce
            implements MapFunction<ParsedRecord<ChatMessage>, ParsedRecord<ChatMessage>>,
                    CheckpointListener {
        @Override
        public ParsedRecord<ChatMessage> map(ParsedRecord<ChatMessage> r) throws Exception {
            long n = SEEN.incrementAndGet();
            if (!CHECKPOINTED.get()) {
                Thread.sleep(1); // let a checkpoint complete before the input runs out
            } else if (n > 4000 && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after " + n + " records");
            }
            return r;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTED.set(true);
        }
    }

    @Test
    void restoredRocksDbStateEndsWithEveryChatTableAsTheOracleHasIt() throws Exception {
        ChatStream stream =
                ChatStream.generate(
                        2026, 6000, 10, Instant.parse("2026-09-28T00:00:00Z").toEpochMilli());
        String suffix = "rocks" + System.nanoTime();
        TallyConfig config =
                JobRunner.config(
                        KAFKA.bootstrapServers(),
                        PG.jdbcUrl(),
                        suffix,
                        // As ChatAllTablesTest: awards are judged in the oracle's sorted order.
                        Map.of(
                                "timezone",
                                SYDNEY.getId(),
                                "max-out-of-orderness",
                                "30d",
                                "state-backend",
                                "rocksdb"));
        KAFKA.createTopics(4, config.chatTopic, config.deadLetterTopic);
        for (String line : stream.lines) {
            String user = ChatBatchOracle.firstDeliveries(List.of(line)).get(0).username();
            KAFKA.produce(
                    config.chatTopic, UserKey.of(user), line.getBytes(StandardCharsets.UTF_8));
        }
        TallySources failing =
                new KafkaSources(config) {
                    @Override
                    public DataStream<ParsedRecord<ChatMessage>> chatMessages(
                            StreamExecutionEnvironment env) {
                        return super.chatMessages(env)
                                .map(new FailOnce())
                                .returns(ParsedRecord.typeInfo(Types.POJO(ChatMessage.class)))
                                .name("Inject one failure");
                    }
                };
        JobExecutionResult result = JobRunner.runBounded(config, failing);

        assertThat(FAILED).as("the failure was injected").isTrue();
        assertThat(SEEN.get())
                .as("records were replayed from the restored checkpoint")
                .isGreaterThan(stream.lines.size());
        JsonNode checkpointConfig = rest("/jobs/" + result.getJobID() + "/checkpoints/config");
        assertThat(checkpointConfig.path("state_backend").asText())
                .isEqualTo("EmbeddedRocksDBStateBackend");

        ChatBatchOracle oracle =
                new ChatBatchOracle(
                        ChatBatchOracle.firstDeliveries(stream.lines),
                        SYDNEY,
                        config.retentionDays,
                        Set.of("dazza"));
        String url = PG.jdbcUrl();
        assertThat(Db.userStats(url)).isEqualTo(oracle.userStats());
        assertThat(Db.dailyActivity(url)).isEqualTo(oracle.dailyActivity());
        assertThat(
                        Db.rows(
                                url,
                                "SELECT username, room_id, hour, message_count, word_count, avg_message_length"
                                        + " FROM user_active_hours"
                                        + " ORDER BY username COLLATE \"C\", room_id COLLATE \"C\", hour"))
                .isEqualTo(oracle.activeHours());
        assertThat(
                        Db.rows(
                                url,
                                "SELECT username, most_active_hour, least_active_hour, morning_messages,"
                                        + " afternoon_messages, evening_messages, night_messages,"
                                        + " night_owl_score, early_bird_score, consistency_score"
                                        + " FROM user_activity_summary ORDER BY username COLLATE \"C\""))
                .isEqualTo(oracle.activitySummary());
        assertThat(
                        Db.rows(
                                url,
                                "SELECT username, total_messages, total_words, avg_message_length,"
                                        + " avg_words_per_message, emoji_count, emoji_usage_rate, caps_count,"
                                        + " caps_usage_rate, question_count, exclamation_count, url_count,"
                                        + " mention_count, longest_message, shortest_message, vocabulary_size"
                                        + " FROM message_analysis_cache ORDER BY username COLLATE \"C\""))
                .isEqualTo(oracle.messageAnalysis());
        assertThat(
                        Db.rows(
                                url,
                                "SELECT username, word, first_used FROM user_vocabulary"
                                        + " ORDER BY username COLLATE \"C\", word COLLATE \"C\""))
                .isEqualTo(oracle.vocabulary());
        assertThat(
                        Db.rows(
                                url,
                                "SELECT username, achievement_type, achievement_level,"
                                        + " (extract(epoch from achieved_at)*1000)::bigint, NULL"
                                        + " FROM chat_achievements ORDER BY username COLLATE \"C\","
                                        + " achievement_type COLLATE \"C\", achievement_level COLLATE \"C\""))
                .isEqualTo(oracle.achievements());
        assertThat(
                        Db.rows(
                                url,
                                "SELECT username, achievement_type, current_value, next_tier,"
                                        + " next_threshold, progress_percent FROM achievement_progress"
                                        + " ORDER BY username COLLATE \"C\", achievement_type COLLATE \"C\""))
                .isEqualTo(oracle.achievementProgress());
        assertThat(
                        Db.rows(
                                url,
                                "SELECT username FROM user_chat_streaks ORDER BY username COLLATE \"C\""))
                .extracting(r -> r.get(0))
                .containsExactlyElementsOf(oracle.streakUsers());
    }

    @Test
    void
            rocksdbTurnsOnIncrementalCheckpointsHeapTimersAndDynamicLevelsUnlessTheUserSaysOtherwise() {
        TallyConfig rocks = TallyConfig.defaults().with(Map.of("state-backend", "rocksdb"));
        assertThat(TallyJob.stateBackendConf(rocks))
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("execution.checkpointing.incremental", "true")
                .containsEntry("state.backend.rocksdb.timer-service.factory", "HEAP")
                .containsEntry("state.backend.rocksdb.compaction.level.use-dynamic-size", "true");
        TallyConfig full =
                TallyConfig.defaults()
                        .with(
                                Map.of(
                                        "state-backend",
                                        "rocksdb",
                                        "flink.execution.checkpointing.incremental",
                                        "false",
                                        "flink.state.backend.rocksdb.timer-service.factory",
                                        "ROCKSDB",
                                        "flink.state.backend.rocksdb.compaction.level.use-dynamic-size",
                                        "false"));
        assertThat(TallyJob.stateBackendConf(full))
                .doesNotContainKey("execution.checkpointing.incremental")
                .containsEntry("state.backend.rocksdb.timer-service.factory", "ROCKSDB")
                .containsEntry("state.backend.rocksdb.compaction.level.use-dynamic-size", "false");
        assertThat(TallyJob.stateBackendConf(TallyConfig.defaults()))
                .as("not given: the cluster's own backend applies (SPEC 5.2)")
                .isEmpty();
    }

    @Test
    void aContradictingFlinkSettingOrAnUnknownBackendIsRefused() {
        TallyConfig both =
                TallyConfig.defaults()
                        .with(
                                Map.of(
                                        "state-backend",
                                        "rocksdb",
                                        "flink.state.backend.type",
                                        "hashmap"));
        assertThatThrownBy(() -> TallyJob.stateBackendConf(both))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("contradicts");
        assertThatThrownBy(() -> TallyConfig.defaults().with(Map.of("state-backend", "forst-ish")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("hashmap or rocksdb");
    }

    private static JsonNode rest(String path) throws Exception {
        var conf = FLINK.getClientConfiguration();
        String base = "http://" + conf.get(RestOptions.ADDRESS) + ":" + conf.get(RestOptions.PORT);
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(base + path)).build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }
}
