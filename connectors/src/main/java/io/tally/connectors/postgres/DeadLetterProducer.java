package io.tally.connectors.postgres;

import io.tally.connectors.kafka.DeadLetter;
import io.tally.connectors.kafka.DeadLetterSerializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends an {@link UpsertSink}'s rejected rows to the dead-letter topic, at least once (SPEC §1.6):
 * {@link #send} is asynchronous, {@link #flush} waits for every send and fails if one failed. The
 * writer calls flush before each checkpoint barrier, so a completed checkpoint implies its dead
 * letters are in Kafka; a failure before that replays the rows, which are rejected and sent again.
 *
 * <p>The producer is created on the first rejection: most sinks never reject a row, and a job has
 * one sink per cache table and subtask.
 */
final class DeadLetterProducer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProducer.class);

    private final Rejections target;
    private final String clientId;
    // Set by the producer's I/O thread in send callbacks, read on the task thread in flush.
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private KafkaProducer<byte[], byte[]> producer;

    DeadLetterProducer(Rejections target, String clientId) {
        this.target = target;
        this.clientId = clientId;
    }

    void send(DeadLetter d) {
        if (producer == null) {
            producer = create();
        }
        String topic = target.topic().orElseThrow();
        // Keyed like DeadLetterSerializer keys every dead letter: by the `key` field.
        byte[] key = d.key == null ? null : d.key.getBytes(StandardCharsets.UTF_8);
        producer.send(
                new ProducerRecord<>(
                        topic, key, DeadLetterSerializer.toJson(d, target.maxValueBytes())),
                (metadata, e) -> {
                    if (e == null) {
                        return;
                    }
                    if (e instanceof RecordTooLargeException) {
                        // This one letter can never be sent; failing would restart the job for
                        // ever (SPEC §1.6). It is logged and still counted in the ledger.
                        LOG.error(
                                "Dropped the dead letter of a row rejected by {} ({}): {}",
                                d.sourceTopic,
                                d.error,
                                e.getMessage());
                    } else {
                        failure.compareAndSet(null, e);
                    }
                });
    }

    /** Waits until every dead letter sent so far is acknowledged. */
    void flush() throws IOException {
        if (producer == null) {
            return;
        }
        producer.flush();
        Exception e = failure.getAndSet(null);
        if (e != null) {
            throw new IOException(
                    "could not send rejected rows to the dead-letter topic "
                            + target.topic().orElseThrow()
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private KafkaProducer<byte[], byte[]> create() {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        p.setProperty(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.putAll(target.kafkaProperties());
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers());
        p.setProperty(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public void close() {
        if (producer != null) {
            // Not flushed: unsent letters belong to rows a restore replays (see flush).
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }
}
