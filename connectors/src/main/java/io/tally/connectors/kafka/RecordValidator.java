package io.tally.connectors.kafka;

import java.io.Serializable;

/**
 * Turns one JSON object into a typed event, noting every problem on the {@link JsonRecord}; the
 * caller then reports the first problem in SPEC §1.6 order. Pure: no Flink, no I/O.
 */
@FunctionalInterface
public interface RecordValidator<T> extends Serializable {
    /** Reads the fields; may return null or garbage when problems were noted (it is discarded). */
    T read(JsonRecord record);
}
