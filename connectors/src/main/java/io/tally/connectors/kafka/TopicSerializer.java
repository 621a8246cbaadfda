package io.tally.connectors.kafka;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes records of a stream to a topic with a key and a value computed from each record. */
public final class TopicSerializer<T> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    /** A serializable text encoder of one part of a record. */
    @FunctionalInterface
    public interface Encoder<T> extends Serializable {
        String encode(T record);
    }

    private final String topic;
    private final Encoder<T> key;
    private final Encoder<T> value;

    public TopicSerializer(String topic, Encoder<T> key, Encoder<T> value) {
        this.topic = topic;
        this.key = key;
        this.value = value;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T record, KafkaSinkContext context, Long timestamp) {
        String k = key.encode(record);
        return new ProducerRecord<>(
                topic,
                null,
                null,
                k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                value.encode(record).getBytes(StandardCharsets.UTF_8));
    }
}
