package io.tally.connectors.kafka;

import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** Builds the Kafka sources and the dead-letter sink from plain settings. */
public final class KafkaEndpoints {
    /** Where a consumer group starts (SPEC §5.2 {@code --from}). */
    public enum StartFrom {
        EARLIEST,
        LATEST,
        /** The group's committed offsets, else earliest. */
        COMMITTED
    }

    private KafkaEndpoints() {}

    /**
     * A source of validated records. With {@code bounded}, it reads up to the end offsets the topic
     * has at start and then finishes (SPEC §5.2 {@code --bounded}).
     */
    public static <T> KafkaSource<ParsedRecord<T>> source(
            String bootstrapServers,
            String topic,
            String groupId,
            StartFrom from,
            boolean bounded,
            ValidatingDeserializer<T> deserializer) {
        return source(
                bootstrapServers, topic, groupId, from, bounded, deserializer, new Properties());
    }

    /**
     * As above, with the user's Kafka client properties (SASL, SSL, …; SPEC §5.2) underneath: the
     * settings this method makes (servers, group, offsets, commit and discovery) win over them.
     */
    public static <T> KafkaSource<ParsedRecord<T>> source(
            String bootstrapServers,
            String topic,
            String groupId,
            StartFrom from,
            boolean bounded,
            ValidatingDeserializer<T> deserializer,
            Properties clientProperties) {
        var builder =
                KafkaSource.<ParsedRecord<T>>builder()
                        .setProperties(clientProperties)
                        .setBootstrapServers(bootstrapServers)
                        .setTopics(topic)
                        .setGroupId(groupId)
                        .setStartingOffsets(offsets(from))
                        .setDeserializer(deserializer)
                        .setProperty("partition.discovery.interval.ms", bounded ? "-1" : "30000")
                        // A bounded run keeps no state for a later run to resume (SPEC §5.2), so
                        // offsets it committed would make that run skip records it never counted.
                        .setProperty("commit.offsets.on.checkpoint", Boolean.toString(!bounded));
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * Event-time watermarks with bounded out-of-orderness and idleness (SPEC §1.4), generated per
     * Kafka partition by the source. Bad records carry {@link Long#MIN_VALUE} and never move time.
     *
     * @param idleness null for none
     */
    public static <T> WatermarkStrategy<ParsedRecord<T>> watermarks(
            Duration maxOutOfOrderness, Duration idleness) {
        WatermarkStrategy<ParsedRecord<T>> strategy =
                WatermarkStrategy.<ParsedRecord<T>>forBoundedOutOfOrderness(maxOutOfOrderness)
                        .withTimestampAssigner((r, previous) -> r.eventTime);
        return idleness == null ? strategy : strategy.withIdleness(idleness);
    }

    /** The dead-letter topic sink, values cut to the default 64 KiB (SPEC §1.6). */
    public static KafkaSink<DeadLetter> deadLetterSink(String bootstrapServers, String topic) {
        return deadLetterSink(
                bootstrapServers, topic, DeadLetterSerializer.DEFAULT_MAX_VALUE_BYTES);
    }

    /**
     * The dead-letter topic sink: at-least-once (a replayed rejection is harmless), values and keys
     * cut to {@code maxValueBytes} ({@code dead-letter-max-value-bytes}, SPEC §1.6) so that a dead
     * letter always fits the producer's request size.
     */
    public static KafkaSink<DeadLetter> deadLetterSink(
            String bootstrapServers, String topic, int maxValueBytes) {
        return deadLetterSink(bootstrapServers, topic, maxValueBytes, new Properties());
    }

    /** As above, with the user's Kafka client properties (SPEC §5.2). */
    public static KafkaSink<DeadLetter> deadLetterSink(
            String bootstrapServers, String topic, int maxValueBytes, Properties clientProperties) {
        Properties props = new Properties();
        props.setProperty("linger.ms", "20");
        props.putAll(clientProperties);
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(bootstrapServers)
                .setKafkaProducerConfig(props)
                .setRecordSerializer(new DeadLetterSerializer(topic, maxValueBytes))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /**
     * An exactly-once topic sink: records become visible to {@code read_committed} consumers when
     * the checkpoint that covers them completes, so a replay after a failure adds no duplicates.
     */
    public static <T> KafkaSink<T> exactlyOnceSink(
            String bootstrapServers, String transactionalIdPrefix, TopicSerializer<T> serializer) {
        return exactlyOnceSink(
                bootstrapServers, transactionalIdPrefix, serializer, new Properties());
    }

    /** As above, with the user's Kafka client properties (SPEC §5.2). */
    public static <T> KafkaSink<T> exactlyOnceSink(
            String bootstrapServers,
            String transactionalIdPrefix,
            TopicSerializer<T> serializer,
            Properties clientProperties) {
        Properties props = new Properties();
        // Must not exceed the broker's transaction.max.timeout.ms (15 minutes by default).
        props.setProperty("transaction.timeout.ms", "900000");
        props.putAll(clientProperties);
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrapServers)
                .setKafkaProducerConfig(props)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .build();
    }

    private static OffsetsInitializer offsets(StartFrom from) {
        switch (from) {
            case EARLIEST:
                return OffsetsInitializer.earliest();
            case LATEST:
                return OffsetsInitializer.latest();
            default:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        }
    }
}
