package io.tally.pipeline.runtime;

import io.tally.connectors.kafka.DeadLetter;
import io.tally.connectors.kafka.TopicSerializer;
import io.tally.connectors.postgres.UpsertTable;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Where a workflow's results go. Workflows never know whether they write to PostgreSQL and Kafka or
 * to something a test provides; {@link ProductionSinks} wires the real ones.
 */
public interface TallySinks {
    /**
     * Upserts {@code rows} into {@code table}. The stream must already be partitioned so that each
     * primary key comes from one subtask (a keyed operator whose key is part of the primary key),
     * and the sink is chained to it (SPEC §1.8).
     */
    default <T> void upsert(DataStream<T> rows, UpsertTable<T> table) {
        upsert(rows, table, "sink-" + table.name());
    }

    /**
     * As {@link #upsert(DataStream, UpsertTable)}, for rows a {@link FlushingKeyedOperator} already
     * coalesced: they arrive in one burst per operator flush, so the sink may write them right
     * after it instead of waiting another flush interval (SPEC §1.9: a row about a second after its
     * event, not two flush intervals).
     */
    default <T> void upsertFlushed(DataStream<T> rows, UpsertTable<T> table) {
        upsert(rows, table);
    }

    /** As {@link #upsert(DataStream, UpsertTable)}, for a table written by several sinks. */
    <T> void upsert(DataStream<T> rows, UpsertTable<T> table, String uid);

    /**
     * Publishes records to a topic, exactly once (e.g. the {@code r4r-alerts} topic, SPEC §3.5).
     */
    <T> void publish(
            DataStream<T> records,
            String topic,
            TopicSerializer.Encoder<T> key,
            TopicSerializer.Encoder<T> value,
            String uid);

    /** Sends rejected records to the dead-letter topic (SPEC §1.6). */
    void deadLetters(DataStream<DeadLetter> deadLetters, String pipeline);
}
