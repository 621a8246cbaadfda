package io.tally.connectors.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a {@link DeadLetter} as the SPEC §1.6 JSON object to the dead-letter topic, keyed like the
 * original record. The Kafka timestamp is left to the producer (a bad record has no event time).
 *
 * <p>Dead letters fit the topic (SPEC §1.6): a record near {@code max-record-bytes} (1 MiB) copied
 * whole into a dead letter would exceed the producer's 1 MiB {@code max.request.size}, the sink
 * would fail and the replay would fail again, forever. So {@code value} and {@code key} are cut to
 * {@code maxValueBytes} here, where every dead letter passes, whoever built it.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** SPEC §1.6 default of {@code dead-letter-max-value-bytes}: 64 KiB. */
    public static final int DEFAULT_MAX_VALUE_BYTES = 65_536;

    /** Errors are sentences; one quoting a huge input must not blow the budget either. */
    static final int MAX_ERROR_CHARS = 4096;

    /**
     * Key plus JSON value of a dead letter stay under this, leaving room below the producer's 1 MiB
     * {@code max.request.size} for the record and batch overhead.
     */
    static final int MAX_DEAD_LETTER_BYTES = 1_000_000;

    private final String topic;
    private final int maxValueBytes;

    public DeadLetterSerializer(String topic) {
        this(topic, DEFAULT_MAX_VALUE_BYTES);
    }

    public DeadLetterSerializer(String topic, int maxValueBytes) {
        if (maxValueBytes < 1) {
            throw new IllegalArgumentException("maxValueBytes must be positive: " + maxValueBytes);
        }
        this.topic = topic;
        this.maxValueBytes = maxValueBytes;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            DeadLetter d, KafkaSinkContext context, Long timestamp) {
        Encoded e = encode(d, maxValueBytes);
        return new ProducerRecord<>(topic, null, null, e.key, e.json);
    }

    /** The SPEC §1.6 JSON form, {@code value} and {@code key} cut to the default 64 KiB. */
    public static byte[] toJson(DeadLetter d) {
        return toJson(d, DEFAULT_MAX_VALUE_BYTES);
    }

    /**
     * The SPEC §1.6 JSON form. A {@code value} longer than {@code maxValueBytes} UTF-8 bytes is cut
     * on a character boundary and marked {@code "value_truncated": true, "value_bytes": N}, N being
     * the size of the original Kafka value in bytes (for a base64 value, the decoded size; its
     * base64 text is cut to a multiple of 4 characters so the prefix still decodes). The key gets
     * the same treatment ({@code key_truncated}, {@code key_bytes}).
     */
    public static byte[] toJson(DeadLetter d, int maxValueBytes) {
        return encode(d, maxValueBytes).json;
    }

    private record Encoded(byte[] key, byte[] json) {}

    /**
     * Cuts to {@code maxValueBytes}, then, should JSON escaping have blown the result past {@link
     * #MAX_DEAD_LETTER_BYTES} (six bytes for each control character), halves the cut until it fits:
     * whatever a producer sent, its dead letter is accepted.
     */
    private static Encoded encode(DeadLetter d, int maxValueBytes) {
        int budget = maxValueBytes;
        while (true) {
            byte[] key =
                    d.key == null
                            ? null
                            : cut(d.key, "base64".equals(d.keyEncoding), budget)
                                    .getBytes(StandardCharsets.UTF_8);
            byte[] json = json(d, budget);
            long size = json.length + (key == null ? 0 : key.length);
            if (size <= MAX_DEAD_LETTER_BYTES || budget <= 16) {
                return new Encoded(key, json);
            }
            budget /= 2;
        }
    }

    private static byte[] json(DeadLetter d, int maxValueBytes) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("source_topic", d.sourceTopic);
        n.put("partition", d.partition);
        n.put("offset", d.offset);
        putCut(n, "key", d.key, d.keyEncoding, maxValueBytes);
        putCut(n, "value", d.value, d.valueEncoding, maxValueBytes);
        n.put("reason", d.reason);
        n.put("error", d.error == null ? null : TextRules.shortened(d.error, MAX_ERROR_CHARS));
        n.put("at", d.at);
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write a dead letter as JSON", e);
        }
    }

    private static void putCut(
            ObjectNode n, String field, String text, String encoding, int maxBytes) {
        boolean base64 = "base64".equals(encoding);
        String cut = text == null ? null : cut(text, base64, maxBytes);
        n.put(field, cut);
        if (encoding != null) {
            n.put(field + "_encoding", encoding);
        }
        if (cut != null && cut.length() < text.length()) {
            n.put(field + "_truncated", true);
            n.put(field + "_bytes", base64 ? decodedLength(text) : TextRules.utf8Length(text));
        }
    }

    /** {@code text} within {@code maxBytes} UTF-8 bytes; base64 text (ASCII) in whole quads. */
    static String cut(String text, boolean base64, int maxBytes) {
        if (base64) {
            return text.length() <= maxBytes
                    ? text
                    : text.substring(0, Math.max(4, maxBytes - maxBytes % 4));
        }
        return TextRules.utf8Prefix(text, maxBytes);
    }

    /** The number of bytes a (padded) base64 text encodes. */
    private static long decodedLength(String base64) {
        long len = base64.length();
        int padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
        return len / 4 * 3 - padding;
    }
}
