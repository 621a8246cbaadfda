package io.tally.connectors.kafka;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.function.ToLongFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Validates every Kafka record against SPEC §1.6 — size, UTF-8, JSON, object, then the event's own
 * fields — and emits either the typed event or a {@link DeadLetter} with the first reason that
 * applies. Never throws for bad input, so one bad record never stops the job.
 */
public final class ValidatingDeserializer<T>
        implements KafkaRecordDeserializationSchema<ParsedRecord<T>> {
    private static final long serialVersionUID = 1L;

    private final RecordValidator<T> validator;
    private final SerializableToLong<T> eventTime;
    private final TypeInformation<T> valueType;
    private final int maxRecordBytes;
    private final long maxFutureMillis;
    private final Clock clock;

    private transient ObjectMapper mapper;

    /** A serializable event-time extractor. */
    @FunctionalInterface
    public interface SerializableToLong<T> extends ToLongFunction<T>, java.io.Serializable {}

    public ValidatingDeserializer(
            RecordValidator<T> validator,
            SerializableToLong<T> eventTime,
            TypeInformation<T> valueType,
            int maxRecordBytes,
            Duration maxFuture) {
        this(validator, eventTime, valueType, maxRecordBytes, maxFuture, Clock.systemUTC());
    }

    ValidatingDeserializer(
            RecordValidator<T> validator,
            SerializableToLong<T> eventTime,
            TypeInformation<T> valueType,
            int maxRecordBytes,
            Duration maxFuture,
            Clock clock) {
        this.validator = validator;
        this.eventTime = eventTime;
        this.valueType = valueType;
        this.maxRecordBytes = maxRecordBytes;
        this.maxFutureMillis = maxFuture.toMillis();
        this.clock = clock;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ParsedRecord<T>> out) {
        out.collect(
                parse(
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.key(),
                        record.value()));
    }

    /** Validates one record; public so the same rules can be applied outside a Flink source. */
    public ParsedRecord<T> parse(
            String topic, int partition, long offset, byte[] key, byte[] value) {
        try {
            T event = validate(topic, partition, offset, value);
            return ParsedRecord.valid(event, eventTime.applyAsLong(event));
        } catch (BadRecordException e) {
            return ParsedRecord.bad(
                    deadLetter(topic, partition, offset, key, value, e.reason(), e.getMessage()));
        }
    }

    /** The SPEC §1.6 checks in their order; the first that applies wins. */
    T validate(String topic, int partition, long offset, byte[] value) throws BadRecordException {
        byte[] bytes = value == null ? new byte[0] : value;
        if (bytes.length > maxRecordBytes) {
            throw new BadRecordException(
                    BadRecordReason.TOO_LARGE,
                    "record is "
                            + bytes.length
                            + " bytes, more than max-record-bytes "
                            + maxRecordBytes);
        }
        if (!isUtf8(bytes)) {
            throw new BadRecordException(BadRecordReason.INVALID_UTF8, "value is not valid UTF-8");
        }
        JsonNode root;
        try {
            root = mapper().readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new BadRecordException(
                    BadRecordReason.NOT_JSON, "value is not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new BadRecordException(BadRecordReason.NOT_JSON, "value is not JSON: " + e);
        }
        if (root == null || root.isMissingNode()) {
            throw new BadRecordException(BadRecordReason.NOT_JSON, "value is empty, not JSON");
        }
        if (!root.isObject()) {
            throw new BadRecordException(
                    BadRecordReason.NOT_OBJECT,
                    "expected a JSON object, got "
                            + root.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        JsonRecord json =
                new JsonRecord(root, clock.millis(), maxFutureMillis)
                        .from(topic, partition, offset);
        T event = validator.read(json);
        json.check();
        return event;
    }

    private DeadLetter deadLetter(
            String topic,
            int partition,
            long offset,
            byte[] key,
            byte[] value,
            BadRecordReason reason,
            String error) {
        DeadLetter d = new DeadLetter();
        d.sourceTopic = topic;
        d.partition = partition;
        d.offset = offset;
        if (key != null) {
            if (isUtf8(key)) {
                d.key = new String(key, StandardCharsets.UTF_8);
            } else {
                d.key = Base64.getEncoder().encodeToString(key);
                d.keyEncoding = "base64";
            }
        }
        byte[] v = value == null ? new byte[0] : value;
        if (isUtf8(v)) {
            d.value = new String(v, StandardCharsets.UTF_8);
        } else {
            d.value = Base64.getEncoder().encodeToString(v);
            d.valueEncoding = "base64";
        }
        d.reason = reason.code();
        d.error = error;
        d.at = Instant.ofEpochMilli(clock.millis()).toString();
        return d;
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private ObjectMapper mapper() {
        if (mapper == null) {
            mapper =
                    new ObjectMapper()
                            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        }
        return mapper;
    }

    @Override
    public TypeInformation<ParsedRecord<T>> getProducedType() {
        return ParsedRecord.typeInfo(valueType);
    }
}
