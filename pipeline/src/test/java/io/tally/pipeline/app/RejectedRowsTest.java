package io.tally.pipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.connectors.kafka.DeadLetter;
import io.tally.connectors.kafka.TopicSerializer;
import io.tally.connectors.postgres.UpsertTable;
import io.tally.connectors.testing.KafkaBrokerExtension;
import io.tally.connectors.testing.PostgresExtension;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.runtime.StatusTable;
import io.tally.pipeline.runtime.TallySinks;
import io.tally.pipeline.testing.Db;
import io.tally.pipeline.testing.FlinkTestCluster;
import io.tally.pipeline.testing.JobRunner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SPEC §1.6 "last line of defence" and §5.1 through the whole job: a row PostgreSQL refuses (here
 * through a CHECK constraint the chat validator knows nothing of) becomes a {@code
 * rejected-by-database} dead letter, is counted in {@code pipeline_status.dead_letters} of its
 * pipeline, and the job neither fails nor restarts.
 */
class RejectedRowsTest {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create();
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long TS = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();

    @Test
    void aRowTheDatabaseRefusesIsADeadLetterCountedInPipelineStatus() throws Exception {
        String suffix = "rejected" + System.nanoTime();
        TallyConfig config =
                JobRunner.config(KAFKA.bootstrapServers(), PG.jdbcUrl(), suffix, Map.of());
        KAFKA.createTopics(2, config.chatTopic, config.deadLetterTopic);
        Preflight.migrate(config);
        PG.execute(
                "ALTER TABLE user_stats ADD CONSTRAINT no_mallory CHECK (username <> 'mallory')");

        // Keyed by sender, like ChatDeadLetterTest, so both partitions carry records. A source
        // subtask whose split is empty ends at once, and if the other one is still idle (1 s)
        // its end-of-input watermark makes every message "too-late" (an existing race).
        produce(config, "alice", message("m1", "alice", "hello there", TS));
        produce(config, "mallory", message("m2", "mallory", "you cannot store me", TS + 1));
        produce(config, "bob", message("m3", "bob", "café naïve", TS + 2));
        produce(config, "alice", message("m4", "alice", "again", TS + 3));

        runWithoutRestarts(config);

        // The good users are counted; mallory's other tables were written, only user_stats refused.
        assertThat(
                        Db.rows(
                                PG.jdbcUrl(),
                                "SELECT username, message_count FROM user_stats ORDER BY username"))
                .containsExactly(List.of("alice", "2"), List.of("bob", "1"));
        assertThat(
                        Db.count(
                                PG.jdbcUrl(),
                                "SELECT count(*) FROM user_daily_activity WHERE username = 'mallory'"))
                .isEqualTo(1);

        List<ConsumerRecord<byte[], byte[]>> letters =
                KAFKA.consumeAll(config.deadLetterTopic, Duration.ofSeconds(2));
        assertThat(letters).hasSize(1);
        JsonNode letter = MAPPER.readTree(letters.get(0).value());
        assertThat(letter.get("reason").asText()).isEqualTo("rejected-by-database");
        assertThat(letter.get("source_topic").asText()).isEqualTo("user_stats");
        assertThat(letter.get("partition").asInt()).isEqualTo(-1);
        assertThat(letter.get("offset").asLong()).isEqualTo(-1);
        assertThat(letter.get("key").asText()).isEqualTo("{\"username\":\"mallory\"}");
        assertThat(MAPPER.readTree(letter.get("value").asText()).get("message_count").asLong())
                .isEqualTo(1);
        assertThat(letter.get("error").asText())
                .startsWith("SQLSTATE 23514: ")
                .contains("no_mallory");

        // SPEC §5.1: counted with the chat pipeline's dead letters (no bad records here).
        assertThat(
                        Db.rows(
                                PG.jdbcUrl(),
                                "SELECT pipeline, records_in, records_out, dead_letters FROM pipeline_status"))
                .containsExactly(List.of("chat", "4", "4", "1"));
    }

    @Test
    void everyTableTheJobWritesBelongsToAPipelineInCacheTables() throws Exception {
        TallyConfig config =
                JobRunner.config(
                        KAFKA.bootstrapServers(),
                        PG.jdbcUrl(),
                        "tables" + System.nanoTime(),
                        Map.of("pipelines", "chat,reviews,members"));
        Preflight.migrate(config);
        List<String> written = new ArrayList<>();
        TallyJob.define(
                StreamExecutionEnvironment.getExecutionEnvironment(),
                config,
                new KafkaSources(config),
                new TableNames(written));

        // A table missing from cache_tables would hide its rejected rows from pipeline_status.
        TreeSet<String> mapped = new TreeSet<>();
        for (List<String> row : Db.rows(PG.jdbcUrl(), "SELECT table_name FROM cache_tables")) {
            mapped.add(row.get(0));
        }
        assertThat(written).contains(StatusTable.TABLE);
        assertThat(mapped)
                .containsAll(written.stream().filter(t -> !t.equals(StatusTable.TABLE)).toList());
    }

    /** The production job, on the MiniCluster, with any task failure failing the job. */
    private static void runWithoutRestarts(TallyConfig config) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        TallyJob.configure(env, config);
        io.tally.pipeline.app.LocalRunner.applyEmbeddedDefaults(env, config);
        TallyJob.define(env, config, new KafkaSources(config), new ProductionSinks(config));
        env.execute("tally-rejected-rows");
    }

    private static void produce(TallyConfig config, String key, String value) {
        KAFKA.produce(config.chatTopic, key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String message(String id, String user, String text, long ts) {
        var n = MAPPER.createObjectNode();
        n.put("id", id);
        n.put("username", user);
        n.put("text", text);
        n.put("ts", ts);
        return n.toString();
    }

    /** Records the tables a job would upsert into, and nothing else. */
    private record TableNames(List<String> tables) implements TallySinks {
        @Override
        public <T> void upsert(DataStream<T> rows, UpsertTable<T> table, String uid) {
            tables.add(table.name());
        }

        @Override
        public <T> void publish(
                DataStream<T> records,
                String topic,
                TopicSerializer.Encoder<T> key,
                TopicSerializer.Encoder<T> value,
                String uid) {}

        @Override
        public void deadLetters(DataStream<DeadLetter> deadLetters, String pipeline) {}
    }
}
