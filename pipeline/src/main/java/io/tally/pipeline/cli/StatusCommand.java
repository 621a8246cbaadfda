package io.tally.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tally.pipeline.app.Preflight;
import io.tally.pipeline.config.TallyConfig;
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
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
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
            description = "Flink REST endpoint (TALLY_FLINK_REST; default http://127.0.0.1:8081).")
    String flinkRest = FlinkRest.defaultUrl();

    @Option(
            names = "--json",
            description = "One JSON document (flink, lag, tables) instead of the tables.")
    boolean json;

    @Mixin CommonOptions options;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final String FRESHNESS_SQL =
            "SELECT table_name, records, last_update FROM cache_freshness";
    private static final String STATUS_SQL =
            "SELECT pipeline, watermark, last_flush_at, records_in, records_out, dead_letters,"
                    + " late_dropped FROM pipeline_status ORDER BY pipeline";

    @Override
    public Integer call() throws Exception {
        TallyConfig config = options.load();
        // One gathering, two renderings: the table and --json show the same facts.
        ObjectNode doc = MAPPER.createObjectNode();
        doc.set("flink", flink());
        doc.set("kafka", lag(config));
        if (config.jdbcUrl != null) {
            Preflight.checkPostgres(config);
            try (Connection c = Preflight.connect(config)) {
                ObjectNode tables = doc.putObject("postgres");
                tables.set("cache_freshness", rows(c, FRESHNESS_SQL));
                tables.set("pipeline_status", rows(c, STATUS_SQL));
            }
        }
        PrintStream out = System.out;
        if (json) {
            out.println(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
            return 0;
        }
        printFlink(out, doc.path("flink"));
        printLag(out, doc.path("kafka"));
        if (config.jdbcUrl == null) {
            out.println("\nPostgreSQL: no --jdbc-url given; cache freshness not shown");
            return 0;
        }
        try (Connection c = Preflight.connect(config)) {
            TablePrinter.print(out, c, "cache_freshness", FRESHNESS_SQL);
            TablePrinter.print(out, c, "pipeline_status", STATUS_SQL);
        }
        return 0;
    }

    private ObjectNode flink() {
        ObjectNode f = MAPPER.createObjectNode();
        f.put("url", flinkRest);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            JsonNode jobs = get(http, "/jobs/overview").path("jobs");
            f.put("reachable", true);
            ArrayNode list = f.putArray("jobs");
            for (JsonNode j : jobs) {
                String id = j.path("jid").asText();
                ObjectNode job = list.addObject();
                job.put("id", id);
                job.put("name", j.path("name").asText());
                job.put("state", j.path("state").asText());
                JsonNode latest =
                        get(http, "/jobs/" + id + "/checkpoints").path("latest").path("completed");
                if (!latest.isMissingNode() && !latest.isNull()) {
                    ObjectNode cp = job.putObject("last_checkpoint");
                    cp.put("id", latest.path("id").asLong());
                    cp.put(
                            "at",
                            Instant.ofEpochMilli(latest.path("latest_ack_timestamp").asLong())
                                    .toString());
                }
            }
        } catch (Exception e) {
            f.put("reachable", false);
            f.put("error", e.getClass().getSimpleName());
        }
        return f;
    }

    private static void printFlink(PrintStream out, JsonNode f) {
        if (!f.path("reachable").asBoolean()) {
            out.println(
                    "Flink: no cluster answers at "
                            + f.path("url").asText()
                            + " ("
                            + f.path("error").asText()
                            + ")");
            return;
        }
        out.println("Flink at " + f.path("url").asText() + ":");
        if (f.path("jobs").isEmpty()) {
            out.println("  no jobs");
        }
        for (JsonNode j : f.path("jobs")) {
            String line =
                    "  "
                            + j.path("name").asText()
                            + " "
                            + j.path("id").asText()
                            + " "
                            + j.path("state").asText();
            JsonNode cp = j.path("last_checkpoint");
            if (!cp.isMissingNode()) {
                line +=
                        ", last checkpoint "
                                + cp.path("id").asLong()
                                + " at "
                                + cp.path("at").asText();
            }
            out.println(line);
        }
    }

    private static ArrayNode rows(Connection c, String sql) throws java.sql.SQLException {
        ArrayNode rows = MAPPER.createArrayNode();
        try (var st = c.createStatement();
                var rs = st.executeQuery(sql)) {
            var meta = rs.getMetaData();
            while (rs.next()) {
                ObjectNode row = rows.addObject();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    if (v == null) {
                        row.putNull(meta.getColumnLabel(i));
                    } else if (v instanceof Number n) {
                        row.put(meta.getColumnLabel(i), n.longValue());
                    } else {
                        row.put(meta.getColumnLabel(i), v.toString());
                    }
                }
            }
        }
        return rows;
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

    private static ObjectNode lag(TallyConfig config) {
        ObjectNode k = MAPPER.createObjectNode();
        k.put("bootstrap_servers", config.bootstrapServers);
        ArrayNode partitions = k.putArray("lag");
        ArrayNode uncommitted = k.putArray("nothing_committed");
        try (Admin admin =
                Admin.create(
                        Preflight.adminProps(config.bootstrapServers, config.kafkaProperties))) {
            Map<String, String> groups = new java.util.LinkedHashMap<>();
            groups.put(config.groupId + "-chat", config.chatTopic);
            groups.put(config.groupId + "-reviews", config.reviewsTopic);
            groups.put(config.groupId + "-members", config.membersTopic);
            for (Map.Entry<String, String> g : groups.entrySet()) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(g.getKey())
                                .partitionsToOffsetAndMetadata()
                                .get(10, TimeUnit.SECONDS);
                if (committed.isEmpty()) {
                    uncommitted.addObject().put("topic", g.getValue()).put("group", g.getKey());
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
                    partitions
                            .addObject()
                            .put("group", g.getKey())
                            .put("topic", tp.topic())
                            .put("partition", tp.partition())
                            .put("committed", at)
                            .put("end", end)
                            .put("lag", end - at);
                }
            }
            k.put("reachable", true);
        } catch (Exception e) {
            k.put("reachable", false);
            k.put("error", e.getClass().getSimpleName());
        }
        return k;
    }

    private static void printLag(PrintStream out, JsonNode k) {
        out.println(
                "\nConsumer lag (committed at checkpoints) at "
                        + k.path("bootstrap_servers").asText()
                        + ":");
        for (JsonNode u : k.path("nothing_committed")) {
            out.println(
                    "  "
                            + u.path("topic").asText()
                            + ": nothing committed by group "
                            + u.path("group").asText());
        }
        for (JsonNode p : k.path("lag")) {
            out.printf(
                    "  %s/%d: committed %d, end %d, lag %d%n",
                    p.path("topic").asText(),
                    p.path("partition").asInt(),
                    p.path("committed").asLong(),
                    p.path("end").asLong(),
                    p.path("lag").asLong());
        }
        if (!k.path("reachable").asBoolean()) {
            out.println("  Kafka not reachable (" + k.path("error").asText() + ")");
        }
    }
}
