package io.tally.connectors.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.connectors.testing.KafkaBrokerExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void recordsRoundTripWithTheirKeysAcrossPartitions() {
        String topic = KAFKA.uniqueTopic("round-trip");
        KAFKA.createTopics(3, topic);
        List<String> users = List.of("alice", "bob", "carol", "dave", "erin", "frank", "grace");
        for (int n = 0; n < 3; n++) {
            for (String user : users) {
                KAFKA.produce(topic, user, (user + "#" + n).getBytes(UTF_8));
            }
        }

        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.consume(topic, 21, TIMEOUT);

        assertThat(records).hasSize(21);
        assertThat(records).extracting(ConsumerRecord::partition).containsOnly(0, 1, 2);
        Map<String, Set<Integer>> partitionsByKey =
                records.stream()
                        .collect(
                                Collectors.groupingBy(
                                        r -> new String(r.key(), UTF_8),
                                        Collectors.mapping(
                                                ConsumerRecord::partition, Collectors.toSet())));
        assertThat(partitionsByKey).containsOnlyKeys(users);
        assertThat(partitionsByKey.values()).allSatisfy(p -> assertThat(p).hasSize(1));
        // The key decides the partition, and a partition keeps its order: each user's records
        // come back in the order they were sent.
        for (String user : users) {
            assertThat(
                            records.stream()
                                    .filter(r -> new String(r.key(), UTF_8).equals(user))
                                    .map(r -> new String(r.value(), UTF_8)))
                    .containsExactly(user + "#0", user + "#1", user + "#2");
        }
    }

    @Test
    void nonAsciiAndArbitraryBytesSurviveUnchanged() {
        String topic = KAFKA.uniqueTopic("bytes");
        KAFKA.createTopics(1, topic);
        // Raw logged chat text: HTML entities, emoji outside the BMP, CJK, combining marks.
        String key = "zoë-ユーザー";
        String text =
                "{\"username\":\"Zoë\",\"text\":\"Grüße &gt; 😀🙌🏽 ありがとう e\u0301\","
                        + "\"room\":\"café\"}";
        byte[] everyByte = new byte[256];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) i;
        }
        KAFKA.produce(topic, key, text.getBytes(UTF_8));
        KAFKA.produce(topic, key, everyByte);
        KAFKA.produce(topic, List.of("{\"text\":\"naïve — “quotes” \uD83E\uDD84\"}"));

        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.consume(topic, 3, TIMEOUT);

        assertThat(records).hasSize(3);
        assertThat(new String(records.get(0).key(), UTF_8)).isEqualTo(key);
        assertThat(new String(records.get(0).value(), UTF_8)).isEqualTo(text);
        assertThat(records.get(1).value()).isEqualTo(everyByte);
        assertThat(records.get(2).key()).isNull();
        assertThat(new String(records.get(2).value(), UTF_8))
                .isEqualTo("{\"text\":\"naïve — “quotes” 🦄\"}");
    }

    @Test
    void readCommittedSeesCommittedTransactionsAndSkipsAbortedOnes() throws Exception {
        String topic = KAFKA.uniqueTopic("transactions");
        KAFKA.createTopics(1, topic);

        try (KafkaProducer<byte[], byte[]> producer = transactionalProducer(topic)) {
            producer.initTransactions();
            for (String[] txn :
                    new String[][] {
                        {"first", "commit"}, {"aborted", "abort"}, {"last", "commit"}
                    }) {
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, txn[0].getBytes(UTF_8))).get();
                if (txn[1].equals("commit")) {
                    producer.commitTransaction();
                } else {
                    producer.abortTransaction();
                }
            }
        }

        // The aborted record sits between the two committed ones, so reading two records proves
        // the committed reader skipped it.
        assertThat(KAFKA.consume(topic, 2, TIMEOUT))
                .extracting(r -> new String(r.value(), UTF_8))
                .containsExactly("first", "last");
        // ...and it was really written: an uncommitted reader sees all three.
        assertThat(readUncommitted(topic, 3))
                .extracting(r -> new String(r.value(), UTF_8))
                .containsExactly("first", "aborted", "last");
    }

    @Test
    void ownBrokerOnAGivenPortCreatesTopicsIdempotentlyAndDeletesItsDataOnClose(
            @TempDir Path parent) throws Exception {
        Path logDir;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(parent, freePort())) {
            try (Admin admin =
                    Admin.create(
                            Map.of(
                                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    kafka.bootstrapServers()))) {
                kafka.createTopics(2, "again");
                kafka.createTopics(2, "again", "other");

                assertThat(admin.listTopics().names().get()).contains("again", "other");
            }
            try (Stream<Path> dirs = Files.list(parent)) {
                logDir =
                        dirs.filter(d -> d.getFileName().toString().startsWith("kafka-"))
                                .findAny()
                                .orElseThrow();
            }
            // The port is taken now: a second broker there must fail clearly, not half-start.
            int port = Integer.parseInt(kafka.bootstrapServers().replaceAll(".*:", ""));
            assertThatThrownBy(() -> EmbeddedKafka.start(parent, port))
                    .hasMessageContaining(port + " is in use");
        }
        assertThat(logDir).doesNotExist();
    }

    private static KafkaProducer<byte[], byte[]> transactionalProducer(String topic) {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.setProperty(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "txn-" + topic);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static List<ConsumerRecord<byte[], byte[]>> readUncommitted(String topic, int count) {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
