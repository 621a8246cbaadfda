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
import java.util.concurrent.Callable;
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
            throws InterruptedException {
        try (TopicWriter writer =
                new TopicWriter(bootstrap, topic, rate, "produce " + topic, lines.size())) {
            for (String line : lines) {
                writer.send(keyOf(kind, line), line.getBytes(StandardCharsets.UTF_8));
            }
            return writer.finish();
        }
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
