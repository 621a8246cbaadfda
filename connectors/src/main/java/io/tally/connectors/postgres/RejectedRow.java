package io.tally.connectors.postgres;

import io.tally.connectors.kafka.BadRecordReason;
import io.tally.connectors.kafka.DeadLetter;
import java.time.Instant;

/**
 * A row PostgreSQL refused for its data (SPEC §1.6): its key and values as JSON ({@link RowJson},
 * safe to store and to send), its version (-1 when the table has none) and the database's error.
 */
record RejectedRow(String table, String keyJson, String rowJson, long version, String error) {

    /**
     * The SPEC §1.6 dead letter: {@code source_topic} = the table, {@code partition} and {@code
     * offset} = -1 (the row has no single source record), {@code key} = the primary key and {@code
     * value} = the row, both as JSON objects column → value.
     */
    DeadLetter toDeadLetter(Instant at) {
        DeadLetter d = new DeadLetter();
        d.sourceTopic = table;
        d.partition = -1;
        d.offset = -1;
        d.key = keyJson;
        d.value = rowJson;
        d.reason = BadRecordReason.REJECTED_BY_DATABASE.code();
        d.error = error;
        d.at = at.toString();
        return d;
    }
}
