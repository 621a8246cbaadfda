package io.tally.pipeline.cli;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends records to one topic at an optional rate with a progress bar on stderr: what {@code
 * produce} and {@code import-dazza} share, so both feed Kafka with the same producer settings.
 */
final class TopicWriter implements AutoCloseable {
    private final String topic;
    private final Integer rate;
    private final KafkaProducer<byte[], byte[]> producer;
    private final ProgressBar bar;
    private final long startNanos = System.nanoTime();
    private long sent;

    /**
     * @param rate at most this many records a second, or {@code null} for as fast as possible
     * @param total how many records the caller expects to send, for the progress bar
     */
    TopicWriter(String bootstrapServers, String topic, Integer rate, String label, long total) {
        this.topic = topic;
        this.rate = rate;
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.setProperty(
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.setProperty(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        // Idempotence keeps one partition's records in send order across retries: the order the
        // pipeline sees is the order of the file (or of the legacy table).
        p.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.setProperty(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.setProperty(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        this.producer = new KafkaProducer<>(p);
        this.bar = new ProgressBar(System.err, label, total);
    }

    /** Sends one record; a {@code null} key is sent without a key. */
    void send(String key, byte[] value) throws InterruptedException {
        if (rate != null) {
            long due = startNanos + sent * 1_000_000_000L / rate;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        producer.send(
                new ProducerRecord<>(
                        topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value));
        sent++;
        bar.update(sent);
    }

    /**
     * Waits until every record is acknowledged and draws the final bar; only then is the count
     * true.
     */
    long finish() {
        producer.flush();
        bar.finish(sent);
        return sent;
    }

    @Override
    public void close() {
        producer.close();
    }
}
