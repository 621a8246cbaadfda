package io.tally.connectors.postgres;

import io.tally.connectors.kafka.DeadLetterSerializer;
import java.io.Serializable;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What an {@link UpsertSink} does with rows PostgreSQL refuses for their data (SPEC §1.6, "last
 * line of defence"). The sink always isolates them, writes the rest and logs each one; this says
 * where else they go:
 *
 * <ul>
 *   <li>{@link #toTopic}: each becomes a {@code rejected-by-database} dead letter on a Kafka topic,
 *       at least once (sent before the next checkpoint barrier completes);
 *   <li>{@link #countedIn}: each is recorded, once per (table, key, version), in a ledger table in
 *       the same transaction as the good rows, so a count over it survives replays exactly.
 * </ul>
 *
 * The ledger table must have the columns {@code table_name text, row_key text, version bigint,
 * error text, row_json text, rejected_at timestamptz} and a unique index that makes a repeat a
 * conflict (the pipeline's migration uses {@code (table_name, md5(row_key), version)}: a key that
 * was rejected for being too long for a btree must not be indexed as it is). Tables without a
 * version column record version -1.
 *
 * <p>Serializable, like the rest of the sink's configuration; immutable.
 */
public final class Rejections implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String bootstrapServers;
    private final String topic;
    private final TreeMap<String, String> kafkaProperties;
    private final String ledgerTable;
    private final int maxValueBytes;

    private Rejections(
            String bootstrapServers,
            String topic,
            Map<String, String> kafkaProperties,
            String ledgerTable,
            int maxValueBytes) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.kafkaProperties = new TreeMap<>(kafkaProperties);
        this.ledgerTable = ledgerTable;
        this.maxValueBytes = maxValueBytes;
    }

    /** Rejected rows are isolated and logged only (connector tests, tools without Kafka). */
    public static Rejections logOnly() {
        return new Rejections(
                null, null, Map.of(), null, DeadLetterSerializer.DEFAULT_MAX_VALUE_BYTES);
    }

    /** Rejected rows become dead letters on {@code topic} (e.g. {@code tally-dead-letters}). */
    public static Rejections toTopic(String bootstrapServers, String topic) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        return new Rejections(
                bootstrapServers,
                topic,
                Map.of(),
                null,
                DeadLetterSerializer.DEFAULT_MAX_VALUE_BYTES);
    }

    /**
     * Extra Kafka producer settings (e.g. {@code security.protocol}), on top of the sink's own
     * (acks=all, a short linger).
     */
    public Rejections withKafkaProperties(Map<String, String> properties) {
        return new Rejections(bootstrapServers, topic, properties, ledgerTable, maxValueBytes);
    }

    /** Also record each rejected row in {@code table} (see the class comment for its shape). */
    public Rejections countedIn(String table) {
        Objects.requireNonNull(table, "table");
        if (!UpsertTable.TABLE_NAME.matcher(table).matches()) {
            throw new IllegalArgumentException(
                    "table name must be lower-case [schema.]identifier: " + table);
        }
        return new Rejections(bootstrapServers, topic, kafkaProperties, table, maxValueBytes);
    }

    /**
     * SPEC §1.6: a dead letter's value is cut to this many bytes ({@code
     * dead-letter-max-value-bytes}).
     */
    public Rejections withMaxValueBytes(int bytes) {
        return new Rejections(bootstrapServers, topic, kafkaProperties, ledgerTable, bytes);
    }

    public int maxValueBytes() {
        return maxValueBytes;
    }

    public Optional<String> topic() {
        return Optional.ofNullable(topic);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Map<String, String> kafkaProperties() {
        return java.util.Collections.unmodifiableMap(kafkaProperties);
    }

    public Optional<String> ledgerTable() {
        return Optional.ofNullable(ledgerTable);
    }

    @Override
    public String toString() {
        return "Rejections{topic="
                + (topic == null ? "none" : topic + "@" + bootstrapServers)
                + ", ledger="
                + (ledgerTable == null ? "none" : ledgerTable)
                + "}";
    }
}
