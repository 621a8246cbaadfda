package io.tally.pipeline.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.connectors.kafka.ParsedRecord;
import io.tally.connectors.testing.KafkaBrokerExtension;
import io.tally.connectors.testing.PostgresExtension;
import io.tally.pipeline.app.KafkaSources;
import io.tally.pipeline.app.TallySources;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.testing.ChatOracle;
import io.tally.pipeline.testing.ChatStream;
import io.tally.pipeline.testing.Db;
import io.tally.pipeline.testing.FlinkTestCluster;
import io.tally.pipeline.testing.JobRunner;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SPEC §1.8: a job that fails mid-stream, after rows were already written past its last checkpoint,
 * restarts from that checkpoint and ends with exactly the rows of a failure-free run — no lost
 * update, no double count.
 */
class ChatFailureRecoveryTest {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create();
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
    static final AtomicBoolean FAILED = new AtomicBoolean();
    static final AtomicLong SEEN = new AtomicLong();

    /** Throws once, after a checkpoint completed and well after it (rows beyond it are written). */
    static final class FailOnce
            implements MapFunction<ParsedRecord<ChatMessage>, ParsedRecord<ChatMessage>>,
                    CheckpointListener {
        @Override
        public ParsedRecord<ChatMessage> map(ParsedRecord<ChatMessage> r) throws Exception {
            long n = SEEN.incrementAndGet();
            if (!CHECKPOINTED.get()) {
                Thread.sleep(1); // let a checkpoint complete before the input runs out
            } else if (n > 8000 && FAILED.compareAndSet(false, true)) {
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
    void failureMidStreamEndsWithTheRowsOfAFailureFreeRun() throws Exception {
        ChatStream stream =
                ChatStream.generate(
                        7, 12_000, 5, Instant.parse("2026-11-01T00:00:00Z").toEpochMilli());
        String suffix = "crash" + System.nanoTime();
        TallyConfig config =
                JobRunner.config(KAFKA.bootstrapServers(), PG.jdbcUrl(), suffix, Map.of());
        KAFKA.createTopics(4, config.chatTopic, config.deadLetterTopic);
        int i = 0;
        for (String line : stream.lines) {
            KAFKA.produce(
                    config.chatTopic, "k" + (i++ % 16), line.getBytes(StandardCharsets.UTF_8));
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
        JobRunner.runBounded(config, failing);

        assertThat(FAILED).as("the failure was injected").isTrue();
        assertThat(SEEN.get())
                .as("records were replayed after the restart")
                .isGreaterThan(stream.lines.size());
        assertThat(Db.userStats(PG.jdbcUrl())).isEqualTo(ChatOracle.userStats(stream.messages));
        assertThat(Db.dailyActivity(PG.jdbcUrl()))
                .isEqualTo(
                        ChatOracle.dailyActivity(stream.messages, ZoneOffset.UTC, Set.of("dazza")));
        assertThat(Db.count(PG.jdbcUrl(), "SELECT records_in FROM pipeline_status"))
                .as("pipeline_status counts each record once")
                .isEqualTo(stream.lines.size());
    }
}
