package io.tally.pipeline.cli;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends records to one topic at an optional rate with a progress bar on stderr: what {@code
 * produce} and {@code import-dazza} share, so both feed Kafka with the same producer settings.
 * Every send is acknowledged through a callback, so a record the broker refused (too large, not
 * authorized, a topic that went away) is counted as failed, never as sent.
 */
final class TopicWriter implements AutoCloseable {
    private final String topic;
    private final Integer rate;
    private final KafkaProducer<byte[], byte[]> producer;
    private final ProgressBar bar;
    private final long startNanos = System.nanoTime();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private long attempted;

    TopicWriter(String bootstrapServers, String topic, Integer rate, String label, long total) {
        this(bootstrapServers, Map.of(), topic, rate, label, total);
    }

    /**
     * @param kafkaProperties the user's Kafka client properties (SPEC §5.2), under Tally's own
     * @param rate at most this many records a second, or {@code null} for as fast as possible
     * @param total how many records the caller expects to send, for the progress bar; -1 unknown
     */
    TopicWriter(
            String bootstrapServers,
            Map<String, String> kafkaProperties,
            String topic,
            Integer rate,
            String label,
            long total) {
        this.topic = topic;
        this.rate = rate;
        Properties p = new Properties();
        p.setProperty(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.setProperty(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.putAll(kafkaProperties);
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.setProperty(
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.setProperty(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        // Idempotence keeps one partition's records in send order across retries: the order the
        // pipeline sees is the order of the file (or of the legacy table).
        p.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        this.producer = new KafkaProducer<>(p);
        this.bar = new ProgressBar(System.err, label, total);
    }

    /** Sends one record; a {@code null} key is sent without a key. */
    void send(String key, byte[] value) throws InterruptedException {
        if (rate != null) {
            long due = startNanos + attempted * 1_000_000_000L / rate;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        attempted++;
        try {
            producer.send(
                    new ProducerRecord<>(
                            topic,
                            key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                            value),
                    (metadata, error) -> {
                        if (error == null) {
                            acknowledged.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                            firstError.compareAndSet(
                                    null,
                                    error.getClass().getSimpleName() + ": " + error.getMessage());
                        }
                    });
        } catch (org.apache.kafka.common.KafkaException e) {
            // Refused before it left (e.g. larger than max.request.size in some versions).
            failed.incrementAndGet();
            firstError.compareAndSet(null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        bar.update(attempted);
    }

    /**
     * Waits until every record is acknowledged or failed and draws the final bar; only then are the
     * counts true. Returns the records the broker acknowledged.
     */
    long finish() {
        producer.flush();
        bar.finish(attempted);
        return acknowledged.get();
    }

    /** Records the broker refused or that could not be sent (after {@link #finish()}). */
    long failed() {
        return failed.get();
    }

    /** The first send error, or null. */
    String firstError() {
        return firstError.get();
    }

    /**
     * One line for the end of a command: how many records were sent, and how many failed with the
     * first cause; a {@link CommandFailure} (exit 1) when any did.
     */
    String summary(String what) {
        checkNoFailures();
        return "Sent " + acknowledged.get() + " " + what + " to " + topic + ".";
    }

    /** A {@link CommandFailure} (exit 1) naming the count and the first cause, if any failed. */
    void checkNoFailures() {
        if (failed.get() > 0) {
            throw new CommandFailure(
                    1,
                    failed.get()
                            + " of "
                            + attempted
                            + " record(s) could not be sent to "
                            + topic
                            + " (first: "
                            + firstError.get()
                            + "); "
                            + acknowledged.get()
                            + " sent");
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
