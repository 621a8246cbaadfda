package io.tally.connectors.kafka;

import java.util.Objects;

/**
 * One rejected record, as written to the dead-letter topic (SPEC §1.6). A Flink POJO: public fields
 * and a no-argument constructor, so it is never serialized with Kryo.
 */
public class DeadLetter {
    public String sourceTopic;
    public int partition;
    public long offset;

    /** The Kafka key as UTF-8 text, or base64 when {@link #keyEncoding} says so; null if none. */
    public String key;

    public String keyEncoding;

    /** The value as UTF-8 text, or base64 when {@link #valueEncoding} is {@code base64}. */
    public String value;

    public String valueEncoding;

    /** The {@link BadRecordReason#code()}. */
    public String reason;

    public String error;

    /** Wall-clock instant of the rejection, ISO-8601. */
    public String at;

    public DeadLetter() {}

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DeadLetter)) {
            return false;
        }
        DeadLetter d = (DeadLetter) o;
        return partition == d.partition
                && offset == d.offset
                && Objects.equals(sourceTopic, d.sourceTopic)
                && Objects.equals(key, d.key)
                && Objects.equals(value, d.value)
                && Objects.equals(reason, d.reason)
                && Objects.equals(error, d.error);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sourceTopic, partition, offset, reason);
    }

    @Override
    public String toString() {
        return sourceTopic + "/" + partition + "@" + offset + " " + reason + ": " + error;
    }
}
