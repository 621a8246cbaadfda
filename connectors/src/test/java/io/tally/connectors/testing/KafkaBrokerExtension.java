package io.tally.connectors.testing;

import io.tally.connectors.kafka.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * A real Kafka broker for a test class, with helpers to feed and read topics.
 *
 * <p>One {@link EmbeddedKafka} serves the whole test JVM: it is started by the first class that
 * needs it and stopped when the test run ends, because start-up costs seconds. Classes share it, so
 * each test takes its own topics from {@link #uniqueTopic(String)}. Use it as a static field with
 * {@code @RegisterExtension}.
 *
 * <p>Reads are {@code read_committed}, like the pipeline's own consumers: a test of an exactly-once
 * Kafka sink sees what a downstream reader would, and for plain producers it makes no difference.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback {
    private static final Namespace NAMESPACE = Namespace.create(KafkaBrokerExtension.class);
    private static final AtomicInteger TOPIC_SEQUENCE = new AtomicInteger();

    /** consumeAll gives up on a topic that never falls quiet rather than hang the build. */
    private static final Duration CONSUME_ALL_LIMIT = Duration.ofMinutes(2);

    private static final Duration POLL = Duration.ofMillis(100);

    private SharedBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) {
        // The root store lives as long as the test run and closes its resources at the end.
        broker =
                context.getRoot()
                        .getStore(NAMESPACE)
                        .getOrComputeIfAbsent(
                                SharedBroker.class, k -> SharedBroker.start(), SharedBroker.class);
    }

    public String bootstrapServers() {
        return broker().kafka.bootstrapServers();
    }

    /** Creates the topics that do not exist yet and waits until they are usable. */
    public void createTopics(int partitions, String... names) {
        broker().kafka.createTopics(partitions, names);
    }

    /**
     * A topic name no other test in this JVM (or an earlier run against the same broker) uses, e.g.
     * {@code chat-messages-7-1a2b3c4d}. It is not created.
     */
    public String uniqueTopic(String prefix) {
        return prefix
                + "-"
                + TOPIC_SEQUENCE.incrementAndGet()
                + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt())
                        .toLowerCase(Locale.ROOT);
    }

    /** Writes one record ({@code key} UTF-8, may be null) and waits until the broker has it. */
    public void produce(String topic, String key, byte[] value) {
        byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        Future<RecordMetadata> sent =
                broker().producer().send(new ProducerRecord<>(topic, keyBytes, value));
        broker().producer().flush();
        await(sent, topic);
    }

    /** Writes each line as one UTF-8 value without a key, in order, and waits until all are in. */
    public void produce(String topic, List<String> jsonLines) {
        KafkaProducer<byte[], byte[]> producer = broker().producer();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (String line : jsonLines) {
            sent.add(
                    producer.send(
                            new ProducerRecord<>(
                                    topic, null, line.getBytes(StandardCharsets.UTF_8))));
        }
        producer.flush();
        for (Future<RecordMetadata> f : sent) {
            await(f, topic);
        }
    }

    /**
     * Reads the topic from the beginning of every partition until at least {@code expectedCount}
     * records have arrived or {@code timeout} has passed, and returns what it read (so fewer
     * records than expected means they did not come in time; more means they all arrived in the
     * last poll). Sorted by partition, then offset.
     */
    public List<ConsumerRecord<byte[], byte[]>> consume(
            String topic, int expectedCount, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = fromBeginning(topic)) {
            while (records.size() < expectedCount && System.nanoTime() < deadline) {
                consumer.poll(POLL).forEach(records::add);
            }
        }
        return sorted(records);
    }

    /**
     * Reads the topic from the beginning of every partition until no new record has arrived for
     * {@code quietPeriod}, for when a test cannot know how many records to expect (dead letters, or
     * proving that nothing more comes). Sorted by partition, then offset.
     *
     * @throws IllegalStateException if records keep arriving for two minutes
     */
    public List<ConsumerRecord<byte[], byte[]>> consumeAll(String topic, Duration quietPeriod) {
        long limit = System.nanoTime() + CONSUME_ALL_LIMIT.toNanos();
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = fromBeginning(topic)) {
            long quietUntil = System.nanoTime() + quietPeriod.toNanos();
            while (System.nanoTime() < quietUntil) {
                if (System.nanoTime() > limit) {
                    throw new IllegalStateException(
                            topic + " was still receiving records after " + CONSUME_ALL_LIMIT);
                }
                int before = records.size();
                consumer.poll(POLL).forEach(records::add);
                if (records.size() > before) {
                    quietUntil = System.nanoTime() + quietPeriod.toNanos();
                }
            }
        }
        return sorted(records);
    }

    private KafkaConsumer<byte[], byte[]> fromBeginning(String topic) {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Reading a misspelt topic must fail, not create it.
        p.setProperty(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic);
            if (partitions.isEmpty()) {
                throw new IllegalArgumentException(
                        "topic " + topic + " does not exist; create it with createTopics first");
            }
            // Assigned rather than subscribed: no group, so no rebalance to wait for and nothing
            // committed that another reader of the topic could trip over.
            List<TopicPartition> assigned =
                    partitions.stream()
                            .map(info -> new TopicPartition(topic, info.partition()))
                            .toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            return consumer;
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> sorted(
            List<ConsumerRecord<byte[], byte[]>> records) {
        records.sort(
                Comparator.comparingInt((ConsumerRecord<byte[], byte[]> r) -> r.partition())
                        .thenComparingLong(ConsumerRecord::offset));
        return records;
    }

    private static void await(Future<RecordMetadata> sent, String topic) {
        try {
            sent.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not produce to " + topic, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while producing to " + topic, e);
        }
    }

    private SharedBroker broker() {
        if (broker == null) {
            throw new IllegalStateException(
                    "KafkaBrokerExtension is not started: register it on a static field with"
                            + " @RegisterExtension");
        }
        return broker;
    }

    /** The JVM's broker and a producer for it, closed by JUnit when the test run ends. */
    private static final class SharedBroker implements ExtensionContext.Store.CloseableResource {
        private final EmbeddedKafka kafka;
        private KafkaProducer<byte[], byte[]> producer;

        private SharedBroker(EmbeddedKafka kafka) {
            this.kafka = kafka;
        }

        static SharedBroker start() {
            try {
                // Surefire runs tests in the module directory: the data lands in target/kafka-*.
                return new SharedBroker(EmbeddedKafka.start(Path.of("target")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        synchronized KafkaProducer<byte[], byte[]> producer() {
            if (producer == null) {
                Properties p = new Properties();
                p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
                p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
                p.setProperty(ProducerConfig.CLIENT_ID_CONFIG, "tally-test-producer");
                producer =
                        new KafkaProducer<>(
                                p, new ByteArraySerializer(), new ByteArraySerializer());
            }
            return producer;
        }

        @Override
        public synchronized void close() {
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
            }
            kafka.close();
        }
    }
}
