package io.tally.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.connectors.kafka.KafkaEndpoints.StartFrom;
import io.tally.connectors.testing.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SPEC §1.6: every Kafka compression codec is read. Producers compress whole batches and the broker
 * keeps them as sent (topic {@code compression.type=producer}), so the source must decompress each
 * codec itself; lz4, snappy and zstd need their libraries on the consumer's classpath (STACK.md),
 * which kafka-clients only declares at runtime scope.
 */
class KafkaCodecsTest {
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static final List<String> CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");
    static final int PER_CODEC = 200;
    static final long TS = 1_719_800_000_000L;

    /** A minimal event: id and ts. */
    public static class Ping {
        public String id;
        public long ts;
    }

    static final RecordValidator<Ping> PING =
            json -> {
                Ping p = new Ping();
                p.id = json.requireString("id");
                Long ts = json.requireTimestamp("ts");
                p.ts = ts == null ? 0 : ts;
                return p;
            };

    @Test
    void recordsProducedWithEveryCodecAreReadByTheFlinkSource() throws Exception {
        String topic = KAFKA.uniqueTopic("codecs");
        KAFKA.createTopics(2, topic);
        List<String> expected = new ArrayList<>();
        for (String codec : CODECS) {
            expected.addAll(produce(topic, codec));
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        ValidatingDeserializer<Ping> deserializer =
                new ValidatingDeserializer<>(
                        PING, p -> p.ts, Types.POJO(Ping.class), 1 << 20, Duration.ofDays(1));
        List<ParsedRecord<Ping>> read = new ArrayList<>();
        try (CloseableIterator<ParsedRecord<Ping>> it =
                env.fromSource(
                                KafkaEndpoints.source(
                                        KAFKA.bootstrapServers(),
                                        topic,
                                        "codecs-test",
                                        StartFrom.EARLIEST,
                                        true,
                                        deserializer),
                                WatermarkStrategy.noWatermarks(),
                                "codecs")
                        .executeAndCollect()) {
            it.forEachRemaining(read::add);
        }

        assertThat(read).allSatisfy(r -> assertThat(r.deadLetter).isNull());
        assertThat(read.stream().map(r -> r.value.id).toList())
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    /** Sends one batch-friendly burst with {@code compression.type=codec}; returns the ids. */
    private static List<String> produce(String topic, String codec) throws Exception {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
        p.setProperty(ProducerConfig.LINGER_MS_CONFIG, "50");
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        List<String> ids = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < PER_CODEC; i++) {
                String id = codec + "-" + i;
                ids.add(id);
                // Repetitive, non-ASCII text so that every codec really compresses something.
                String json =
                        "{\"id\":\""
                                + id
                                + "\",\"ts\":"
                                + (TS + i)
                                + ",\"text\":\"Chloé "
                                + "李雷 ".repeat(20)
                                + "\"}";
                sent.add(
                        producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        id.getBytes(StandardCharsets.UTF_8),
                                        json.getBytes(StandardCharsets.UTF_8))));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        }
        return ids;
    }
}
