package io.tally.pipeline.app;

import io.tally.connectors.kafka.DeadLetter;
import io.tally.connectors.kafka.KafkaEndpoints;
import io.tally.connectors.kafka.TopicSerializer;
import io.tally.connectors.postgres.JdbcSettings;
import io.tally.connectors.postgres.Rejections;
import io.tally.connectors.postgres.UpsertSink;
import io.tally.connectors.postgres.UpsertTable;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.runtime.TallySinks;
import java.time.Duration;
import org.apache.flink.streaming.api.datastream.DataStream;

/** The real edges: the PostgreSQL upsert sink and the Kafka dead-letter topic. */
public final class ProductionSinks implements TallySinks {
    /**
     * Where the sinks record rows PostgreSQL refused (migration V6), counted per pipeline in the
     * {@code pipeline_status} view.
     */
    public static final String REJECTED_ROWS_TABLE = "rejected_rows";

    private final TallyConfig config;

    public ProductionSinks(TallyConfig config) {
        this.config = config;
    }

    @Override
    public <T> void upsert(DataStream<T> rows, UpsertTable<T> table, String uid) {
        upsert(rows, table, uid, jdbcSettings(config));
    }

    /**
     * The rows come in one burst per operator flush (chained, on the same thread): a 1 ms timer
     * writes the burst as soon as the operator's flush returns.
     */
    @Override
    public <T> void upsertFlushed(DataStream<T> rows, UpsertTable<T> table) {
        upsert(
                rows,
                table,
                "sink-" + table.name(),
                jdbcSettings(config).toBuilder().flushInterval(Duration.ofMillis(1)).build());
    }

    private <T> void upsert(
            DataStream<T> rows, UpsertTable<T> table, String uid, JdbcSettings settings) {
        rows.sinkTo(UpsertSink.of(table, settings, rejections(config)))
                .uid(uid)
                .name("PostgreSQL " + table.name())
                .setParallelism(rows.getParallelism());
    }

    @Override
    public <T> void publish(
            DataStream<T> records,
            String topic,
            TopicSerializer.Encoder<T> key,
            TopicSerializer.Encoder<T> value,
            String uid) {
        records.sinkTo(
                        KafkaEndpoints.exactlyOnceSink(
                                config.bootstrapServers,
                                config.groupId + "-" + uid,
                                new TopicSerializer<>(topic, key, value),
                                KafkaSources.kafkaProperties(config)))
                .uid(uid)
                .name("Kafka " + topic);
    }

    @Override
    public void deadLetters(DataStream<DeadLetter> deadLetters, String pipeline) {
        deadLetters
                .sinkTo(
                        KafkaEndpoints.deadLetterSink(
                                config.bootstrapServers,
                                config.deadLetterTopic,
                                config.deadLetterMaxValueBytes,
                                KafkaSources.kafkaProperties(config)))
                .uid(pipeline + "-dead-letter-sink")
                .name("Kafka " + config.deadLetterTopic + " (" + pipeline + ")");
    }

    /**
     * SPEC §1.6, last line of defence: a row PostgreSQL refuses for its data becomes a {@code
     * rejected-by-database} dead letter on the same topic as every other, and is counted once in
     * {@code rejected_rows}.
     */
    public static Rejections rejections(TallyConfig config) {
        return Rejections.toTopic(config.bootstrapServers, config.deadLetterTopic)
                .withKafkaProperties(config.kafkaProperties)
                .countedIn(REJECTED_ROWS_TABLE)
                .withMaxValueBytes(config.deadLetterMaxValueBytes);
    }

    public static JdbcSettings jdbcSettings(TallyConfig config) {
        return JdbcSettings.builder(config.jdbcUrl)
                .user(config.jdbcUser)
                .passwordFile(
                        config.jdbcPasswordFile == null
                                ? null
                                : java.nio.file.Path.of(config.jdbcPasswordFile))
                .flushInterval(config.flushInterval)
                .retryTimeout(config.sinkRetryTimeout)
                .build();
    }
}
