package io.tally.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.pipeline.app.Preflight;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.runtime.UserKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
            description = "One JSON event per line; - reads standard input.")
    String file;

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
        boolean stdin = file.equals("-");
        Path path = stdin ? null : Path.of(file);
        if (!stdin && (!Files.isRegularFile(path) || !Files.isReadable(path))) {
            throw new io.tally.pipeline.config.ConfigException("--file: cannot read " + file);
        }
        if (rate != null && rate < 1) {
            throw new io.tally.pipeline.config.ConfigException("--rate: must be at least 1");
        }
        String topic = topic(config);
        Preflight.checkKafka(config);
        Preflight.ensureTopics(config, List.of(topic));
        // A file is counted first (one streaming pass, for the progress bar); standard input can
        // be read only once, so its bar shows a count without a total.
        long total = stdin ? -1 : countLines(path);
        try (BufferedReader in =
                        stdin
                                ? new BufferedReader(
                                        new InputStreamReader(System.in, StandardCharsets.UTF_8))
                                : Files.newBufferedReader(path, StandardCharsets.UTF_8);
                TopicWriter writer =
                        new TopicWriter(
                                config.bootstrapServers,
                                config.kafkaProperties,
                                topic,
                                rate,
                                "produce " + topic,
                                total)) {
            // Line by line: a file of any size is streamed, never held in memory.
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    writer.send(keyOf(kind, line), line.getBytes(StandardCharsets.UTF_8));
                }
            }
            writer.finish();
            System.out.println(writer.summary("record(s)"));
        }
        return 0;
    }

    private static long countLines(Path path) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            long n = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    n++;
                }
            }
            return n;
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
