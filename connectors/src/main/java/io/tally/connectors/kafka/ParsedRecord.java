package io.tally.connectors.kafka;

import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * What the source emits for each Kafka record: either a valid event ({@link #value}) or a {@link
 * #deadLetter}. Validation happens in the source so that watermarks are generated per Kafka
 * partition from the events' own timestamps; the split into the two streams happens right after.
 */
public class ParsedRecord<T> {
    /** The event, or null for a bad record. */
    public T value;

    /** The rejection, or null for a valid event. */
    public DeadLetter deadLetter;

    /** Event time of a valid event; {@link Long#MIN_VALUE} for a bad record (never moves time). */
    public long eventTime = Long.MIN_VALUE;

    public ParsedRecord() {}

    public static <T> ParsedRecord<T> valid(T value, long eventTime) {
        ParsedRecord<T> r = new ParsedRecord<>();
        r.value = value;
        r.eventTime = eventTime;
        return r;
    }

    public static <T> ParsedRecord<T> bad(DeadLetter deadLetter) {
        ParsedRecord<T> r = new ParsedRecord<>();
        r.deadLetter = deadLetter;
        return r;
    }

    public boolean isValid() {
        return deadLetter == null;
    }

    /** Explicit POJO type information, so the generic field never falls back to Kryo. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <T> TypeInformation<ParsedRecord<T>> typeInfo(TypeInformation<T> valueType) {
        return (TypeInformation)
                Types.POJO(
                        ParsedRecord.class,
                        Map.of(
                                "value",
                                valueType,
                                "deadLetter",
                                Types.POJO(DeadLetter.class),
                                "eventTime",
                                Types.LONG));
    }
}
