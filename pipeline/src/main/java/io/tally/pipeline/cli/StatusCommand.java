package io.tally.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.job.Preflight;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tally status} (SPEC §5.2): the Flink job and its last checkpoint (REST), consumer lag per
 * topic and partition, cache freshness and dead letters. Shows what it can reach and says what it
 * cannot.
 */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description =
                "Flink job state and last checkpoint, consumer lag, cache freshness, dead letters.")
final class StatusCommand implements Callable<Integer> {
    @Option(
            names = "--flink-rest",
            paramLabel = "URL",
            description = "Flink REST endpoint (default http://127.0.0.1:8081).")
    String flinkRest = "http://127.0.0.1:8081";

    @Mixin CommonOptions options;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        TallyConfig config = options.load();
        PrintStream out = System.out;
        flink(out);
        lag(out, config);
        if (config.jdbcUrl == null) {
            out.println("\nPostgreSQL: no --jdbc-url given; cache freshness not shown");
            return 0;
        }
        Preflight.checkPostgres(config);
        try (Connection c = Preflight.connect(config)) {
            TablePrinter.print(
                    out,
                    c,
                    "cache_freshness",
                    "SELECT table_name, records, last_update FROM cache_freshness");
            TablePrinter.print(
                    out,
                    c,
                    "pipeline_status",
                    "SELECT pipeline, watermark, last_flush_at, records_in, records_out, dead_letters, late_dropped FROM pipeline_status ORDER BY pipeline");
        }
        return 0;
    }

    private void flink(PrintStream out) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            JsonNode jobs = get(http, "/jobs/overview").path("jobs");
            out.println("Flink at " + flinkRest + ":");
            if (jobs.isEmpty()) {
                out.println("  no jobs");
            }
            for (JsonNode j : jobs) {
                String id = j.path("jid").asText();
                String line =
                        "  " + j.path("name").asText() + " " + id + " " + j.path("state").asText();
                JsonNode latest =
                        get(http, "/jobs/" + id + "/checkpoints").path("latest").path("completed");
                if (!latest.isMissingNode() && !latest.isNull()) {
                    line +=
                            ", last checkpoint "
                                    + latest.path("id").asLong()
                                    + " at "
                                    + Instant.ofEpochMilli(
                                            latest.path("latest_ack_timestamp").asLong());
                }
                out.println(line);
            }
        } catch (Exception e) {
            out.println(
                    "Flink: no cluster answers at "
                            + flinkRest
                            + " ("
                            + e.getClass().getSimpleName()
                            + ")");
        }
    }

    private JsonNode get(HttpClient http, String path) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(flinkRest + path))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode());
        }
        return MAPPER.readTree(r.body());
    }

    private static void lag(PrintStream out, TallyConfig config) {
        Properties p = new Properties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers);
        p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        out.println(
                "\nConsumer lag (committed at checkpoints) at " + config.bootstrapServers + ":");
        try (Admin admin = Admin.create(p)) {
            for (Map.Entry<String, String> g :
                    Map.of(
                                    config.groupId + "-chat", config.chatTopic,
                                    config.groupId + "-reviews", config.reviewsTopic,
                                    config.groupId + "-members", config.membersTopic)
                            .entrySet()) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(g.getKey())
                                .partitionsToOffsetAndMetadata()
                                .get(10, TimeUnit.SECONDS);
                if (committed.isEmpty()) {
                    out.println("  " + g.getValue() + ": nothing committed by group " + g.getKey());
                    continue;
                }
                Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
                committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                        admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
                List<TopicPartition> sorted =
                        committed.keySet().stream()
                                .sorted(
                                        java.util.Comparator.comparing(TopicPartition::topic)
                                                .thenComparingInt(TopicPartition::partition))
                                .toList();
                for (TopicPartition tp : sorted) {
                    long at = committed.get(tp).offset();
                    long end = ends.get(tp).offset();
                    out.printf(
                            "  %s/%d: committed %d, end %d, lag %d%n",
                            tp.topic(), tp.partition(), at, end, end - at);
                }
            }
        } catch (Exception e) {
            out.println("  Kafka not reachable (" + e.getClass().getSimpleName() + ")");
        }
    }
}
