package io.tally.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tally.pipeline.app.LocalRunner;
import io.tally.pipeline.app.Preflight;
import io.tally.pipeline.config.TallyConfig;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One bounded run of {@code tally bench}: the embedded job over what a topic holds, measured from
 * job start to every row flushed — events a second, CPU seconds of this process and of a local
 * PostgreSQL, distinct rows and row writes per table, and the job's checkpoints as its REST API
 * reports them.
 */
final class CatchUpRun {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private CatchUpRun() {}

    /** What a run waits for once its job started: returns the run's seconds and checkpoints. */
    private interface Drive {
        double until(LocalRunner.LocalJob job, long startNanos, ObjectNode checkpoints)
                throws Exception;
    }

    /**
     * Runs {@code config} bounded, with fresh state, over {@code events} input records, measured
     * from job start to the end of the job (every row flushed); the checkpoints are the periodic
     * ones the job completed meanwhile. {@code tables} are the tables reported.
     */
    static ObjectNode bounded(PrintStream log, TallyConfig config, long events, List<String> tables)
            throws Exception {
        TallyConfig bounded = config.with(Map.of(TallyConfig.BOUNDED.name(), "true"));
        return measure(
                log,
                bounded,
                events,
                tables,
                (job, t0, checkpoints) -> {
                    CompletableFuture<?> result = job.client().getJobExecutionResult();
                    String path = "/jobs/" + job.client().getJobID() + "/checkpoints";
                    long maxDurationMs = 0;
                    while (!result.isDone()) {
                        JsonNode stats = get(job.restUrl() + path);
                        JsonNode latest =
                                stats == null ? null : stats.path("latest").path("completed");
                        if (latest != null && latest.isObject()) {
                            maxDurationMs =
                                    Math.max(
                                            maxDurationMs,
                                            latest.path("end_to_end_duration").asLong());
                            checkpoints.put(
                                    "completed", stats.path("counts").path("completed").asLong());
                            describe(checkpoints, latest);
                            checkpoints.put("max_duration_ms", maxDurationMs);
                        }
                        Thread.sleep(500);
                    }
                    result.get();
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    LocalRunner.discardBoundedCheckpoints(
                            bounded, job.client().getJobID().toString());
                    return seconds;
                });
    }

    /**
     * Runs {@code config} unbounded, with fresh state, until {@code pipeline_status} has counted
     * all {@code events} of {@code pipeline} (the run's seconds), lets the last rows flush, then
     * triggers a checkpoint through the REST API and reports it: the state of every event, not
     * whatever a periodic checkpoint happened to catch.
     */
    static ObjectNode thenCheckpoint(
            PrintStream log, TallyConfig config, String pipeline, long events, List<String> tables)
            throws Exception {
        TallyConfig live = config.with(Map.of(TallyConfig.BOUNDED.name(), "false"));
        return measure(
                log,
                live,
                events,
                tables,
                (job, t0, checkpoints) -> {
                    try (Connection c = Preflight.connect(live)) {
                        while (recordsIn(c, pipeline) < events) {
                            if (job.client().getJobExecutionResult().isDone()) {
                                job.client().getJobExecutionResult().get();
                                throw new IllegalStateException("the job ended early");
                            }
                            Thread.sleep(200);
                        }
                    }
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    Thread.sleep(live.flushInterval.toMillis() * 3 + 500);
                    String jobPath = job.restUrl() + "/jobs/" + job.client().getJobID();
                    JsonNode trigger =
                            post(jobPath + "/checkpoints", "{\"checkpointType\":\"CONFIGURED\"}");
                    String request = trigger.path("request-id").asText();
                    long id = -1;
                    while (id < 0) {
                        Thread.sleep(500);
                        JsonNode status = get(jobPath + "/checkpoints/" + request);
                        if (status == null) {
                            continue;
                        }
                        JsonNode op = status.path("operation");
                        if (op.has("failureCause")) {
                            throw new IllegalStateException(
                                    "the checkpoint failed: " + op.get("failureCause"));
                        }
                        if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                            id = op.path("checkpointId").asLong();
                        }
                    }
                    JsonNode details = get(jobPath + "/checkpoints/details/" + id);
                    checkpoints.put("completed", 1);
                    checkpoints.put("id", id);
                    describe(checkpoints, details);
                    job.client().cancel().get(30, java.util.concurrent.TimeUnit.SECONDS);
                    return seconds;
                });
    }

    private static ObjectNode measure(
            PrintStream log, TallyConfig config, long events, List<String> tables, Drive drive)
            throws Exception {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode checkpoints = JSON.createObjectNode();
        checkpoints.put("completed", 0);
        try (Connection c = Preflight.connect(config)) {
            long postmaster = ProcessCpu.postmasterPid(c, config.jdbcUrl);
            Map<String, Long> before = TableWrites.settled(c, tables);
            double cpu0 = ProcessCpu.selfSeconds();
            double pg0 = postmaster > 0 ? ProcessCpu.postgresSeconds(postmaster) : Double.NaN;
            long t0 = System.nanoTime();
            LocalRunner.LocalJob job = LocalRunner.start(config, false, LocalRunner.Resume.fresh());
            double seconds;
            try {
                seconds = drive.until(job, t0, checkpoints);
            } finally {
                if (!job.client().getJobExecutionResult().isDone()) {
                    job.client().cancel().get(30, java.util.concurrent.TimeUnit.SECONDS);
                }
            }
            double cpu = ProcessCpu.selfSeconds() - cpu0;
            double pg = postmaster > 0 ? ProcessCpu.postgresSeconds(postmaster) - pg0 : Double.NaN;
            log.printf("  run: %.1f s%n", seconds);

            Map<String, Long> after = TableWrites.settled(c, tables);
            out.put("events", events);
            out.put("seconds", round(seconds, 2));
            out.put("events_per_s", round(events / seconds, 1));
            out.put("tally_cpu_s", round(cpu, 1));
            if (!Double.isNaN(pg)) {
                out.put("postgres_cpu_s", round(pg, 1));
            } else {
                out.putNull("postgres_cpu_s");
            }
            ObjectNode perTable = out.putObject("tables");
            long rows = 0;
            long writes = 0;
            for (String t : tables) {
                long r = TableWrites.rows(c, t);
                long w = after.get(t) - before.get(t);
                ObjectNode row = perTable.putObject(t);
                row.put("rows", r);
                row.put("writes", w);
                rows += r;
                writes += w;
            }
            out.put("rows", rows);
            out.put("writes", writes);
            out.put("writes_per_row", rows == 0 ? 0 : round((double) writes / rows, 2));
            out.put("writes_per_event", round((double) writes / Math.max(1, events), 2));
            out.set("checkpoints", checkpoints);
        }
        return out;
    }

    private static void describe(ObjectNode checkpoints, JsonNode stats) {
        checkpoints.put("state_bytes", stats.path("state_size").asLong());
        checkpoints.put("checkpointed_bytes", stats.path("checkpointed_size").asLong());
        checkpoints.put("duration_ms", stats.path("end_to_end_duration").asLong());
    }

    private static long recordsIn(Connection c, String pipeline) throws java.sql.SQLException {
        try (java.sql.PreparedStatement s =
                c.prepareStatement("SELECT records_in FROM pipeline_status WHERE pipeline = ?")) {
            s.setString(1, pipeline);
            try (java.sql.ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private static JsonNode post(String url, String body) throws Exception {
        HttpResponse<String> r =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(10))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("POST " + url + ": " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** A REST answer, or null while the embedded cluster is not (or no longer) answering. */
    private static JsonNode get(String url) {
        try {
            HttpResponse<String> r =
                    HTTP.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
