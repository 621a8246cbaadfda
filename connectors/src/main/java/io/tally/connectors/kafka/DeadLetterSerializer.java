package io.tally.connectors.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a {@link DeadLetter} as the SPEC §1.6 JSON object to the dead-letter topic, keyed like the
 * original record. The Kafka timestamp is left to the producer (a bad record has no event time).
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            DeadLetter d, KafkaSinkContext context, Long timestamp) {
        byte[] key = d.key == null ? null : d.key.getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, null, null, key, toJson(d));
    }

    /** The SPEC §1.6 JSON form. */
    public static byte[] toJson(DeadLetter d) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("source_topic", d.sourceTopic);
        n.put("partition", d.partition);
        n.put("offset", d.offset);
        n.put("key", d.key);
        if (d.keyEncoding != null) {
            n.put("key_encoding", d.keyEncoding);
        }
        n.put("value", d.value);
        if (d.valueEncoding != null) {
            n.put("value_encoding", d.valueEncoding);
        }
        n.put("reason", d.reason);
        n.put("error", d.error);
        n.put("at", d.at);
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write a dead letter as JSON", e);
        }
    }
}
