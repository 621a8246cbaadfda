package io.tally.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.connectors.testing.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SPEC §1.6 "dead letters fit the topic", against the real broker: a record of almost 1 MiB is
 * rejected, and its dead letter goes through the production dead-letter sink (whose producer
 * refuses anything over its 1 MiB {@code max.request.size}) cut to 64 KiB.
 */
class DeadLetterSinkTest {
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static final ObjectMapper MAPPER = new ObjectMapper();

    public static class Ping {
        public String id;
    }

    @Test
    void aNearOneMebibyteRecordBecomesADeadLetterTheBrokerAccepts() throws Exception {
        String topic = KAFKA.uniqueTopic("dead");
        KAFKA.createTopics(2, topic);
        // 1 000 000 bytes of valid JSON whose only problem is its id field (non-ASCII padding, so
        // the cut has to respect character boundaries).
        String padding = "é".repeat(499_980);
        String json = "{\"id\":\"\\u0000\",\"pad\":\"" + padding + "\"}";
        byte[] value = json.getBytes(StandardCharsets.UTF_8);
        ValidatingDeserializer<Ping> deserializer =
                new ValidatingDeserializer<>(
                        r -> {
                            Ping p = new Ping();
                            p.id = r.requireText("id", 256);
                            return p;
                        },
                        p -> 0L,
                        Types.POJO(Ping.class),
                        1 << 20,
                        Duration.ofDays(1));
        DeadLetter d =
                deserializer.parse("chat", 0, 5, "k".getBytes(StandardCharsets.UTF_8), value)
                        .deadLetter;
        assertThat(d.reason).isEqualTo("bad-value");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.fromData(Types.POJO(DeadLetter.class), d, d)
                .sinkTo(KafkaEndpoints.deadLetterSink(KAFKA.bootstrapServers(), topic));
        env.execute("dead-letter-size");

        List<ConsumerRecord<byte[], byte[]>> read = KAFKA.consume(topic, 2, Duration.ofSeconds(30));
        assertThat(read).hasSize(2);
        for (ConsumerRecord<byte[], byte[]> r : read) {
            assertThat(r.value().length).isLessThan(1 << 20);
            JsonNode n = MAPPER.readTree(r.value());
            assertThat(n.get("reason").asText()).isEqualTo("bad-value");
            assertThat(n.get("error").asText())
                    .isEqualTo("id: contains U+0000 (NUL), which PostgreSQL text cannot hold");
            assertThat(n.get("value_truncated").asBoolean()).isTrue();
            assertThat(n.get("value_bytes").asLong()).isEqualTo(value.length);
            assertThat(n.get("value").asText().getBytes(StandardCharsets.UTF_8).length)
                    .isBetween(65_535, 65_536);
            assertThat(json).startsWith(n.get("value").asText());
        }
    }
}
