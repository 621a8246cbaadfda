package io.tally.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.pipeline.chat.UserKey;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.job.Preflight;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tally produce chat|reviews|members --file F.jsonl}: sends each line as one record, exactly
 * as written (bad lines too: the pipeline validates and dead-letters them, SPEC §1.6).
 */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = "Feed a JSON-lines file to a pipeline's topic, with a progress bar.")
final class ProduceCommand implements Callable<Integer> {
    enum Kind {
        chat,
        reviews,
        members
    }

    @Parameters(index = "0", paramLabel = "chat|reviews|members", description = "Which topic.")
    Kind kind;

    @Option(
            names = "--file",
            required = true,
            paramLabel = "F.jsonl",
            description = "One JSON event per line.")
    Path file;

    @Option(
            names = "--rate",
            paramLabel = "N",
            description = "At most N records a second (default: as fast as possible).")
    Integer rate;

    @Mixin CommonOptions options;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        TallyConfig config = options.load();
        if (!Files.isReadable(file)) {
            throw new io.tally.pipeline.config.ConfigException("--file: cannot read " + file);
        }
        if (rate != null && rate < 1) {
            throw new io.tally.pipeline.config.ConfigException("--rate: must be at least 1");
        }
        String topic = topic(config);
        Preflight.checkKafka(config.bootstrapServers);
        Preflight.ensureTopics(config.bootstrapServers, List.of(topic));
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        lines.removeIf(String::isBlank);
        long sent = send(config.bootstrapServers, topic, lines);
        System.out.println("Sent " + sent + " record(s) to " + topic + ".");
        return 0;
    }

    private long send(String bootstrap, String topic, List<String> lines)
            throws InterruptedException, IOException {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.setProperty(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.setProperty(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.setProperty(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        ProgressBar bar = new ProgressBar(System.err, "produce " + topic, lines.size());
        long start = System.nanoTime();
        long sent = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (String line : lines) {
                if (rate != null) {
                    long due = start + sent * 1_000_000_000L / rate;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                String key = keyOf(kind, line);
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                                line.getBytes(StandardCharsets.UTF_8)));
                sent++;
                bar.update(sent);
            }
            producer.flush();
        }
        bar.finish(sent);
        return sent;
    }

    private String topic(TallyConfig config) {
        switch (kind) {
            case chat:
                return config.chatTopic;
            case reviews:
                return config.reviewsTopic;
            default:
                return config.membersTopic;
        }
    }

    /**
     * The recommended Kafka key (SPEC §2.1, §3.1): the user key for chat, the review id, the job
     * id. A line that is not JSON gets no key; it is still sent.
     */
    static String keyOf(Kind kind, String line) {
        try {
            JsonNode n = MAPPER.readTree(line);
            String field = kind == Kind.chat ? "username" : kind == Kind.reviews ? "id" : "job_id";
            JsonNode v = n == null ? null : n.get(field);
            if (v == null || !v.isTextual()) {
                return null;
            }
            return kind == Kind.chat ? UserKey.of(v.textValue()) : v.textValue();
        } catch (IOException e) {
            return null;
        }
    }
}
