package io.tally.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tally.pipeline.app.JobFingerprint;
import io.tally.pipeline.app.TallyJob;
import io.tally.pipeline.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tally stop}: stops a job on a Flink cluster with a savepoint ({@code POST
 * /jobs/<id>/stop}) and prints the savepoint's path, ready for {@code tally submit --savepoint}.
 * Leaves the job's fingerprint beside it, so that a later submit of another job refuses it (SPEC
 * §5.2 "Resuming is safe").
 */
@Command(
        name = "stop",
        mixinStandardHelpOptions = true,
        description = "Stop a job on a Flink cluster with a savepoint; prints the savepoint path.")
final class StopCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "JOB",
            description = "Job id (default: the one running Tally job).")
    String job;

    @Option(
            names = "--flink-rest",
            paramLabel = "URL",
            description = "Flink REST endpoint (TALLY_FLINK_REST; default http://127.0.0.1:8081).")
    String flinkRest = FlinkRest.defaultUrl();

    @Option(
            names = "--savepoint-dir",
            paramLabel = "DIR",
            description =
                    "Where the savepoint goes (default: the cluster's"
                            + " execution.checkpointing.savepoint-dir).")
    String savepointDir;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            description = "How long to wait for the savepoint (default 120).")
    int timeoutSeconds = 120;

    @Override
    public Integer call() throws Exception {
        FlinkRest rest = new FlinkRest(flinkRest);
        String id = job != null ? job : theRunningTallyJob(rest);
        JsonNode details;
        try {
            details = rest.get("/jobs/" + id);
        } catch (FlinkRest.RestError e) {
            throw new CommandFailure(1, "no job " + id + " at " + rest.url());
        }
        if (!"RUNNING".equals(details.path("state").asText())) {
            throw new CommandFailure(
                    1, "job " + id + " is " + details.path("state").asText() + ", not RUNNING");
        }
        JsonNode userConfig =
                rest.get("/jobs/" + id + "/config").path("execution-config").path("user-config");
        ObjectNode body = rest.object();
        body.put("drain", false);
        if (savepointDir != null) {
            Path local = SubmitCommand.localPath(savepointDir);
            body.put(
                    "targetDirectory",
                    local == null ? savepointDir : local.toAbsolutePath().toUri().toString());
        }
        String trigger;
        try {
            trigger = rest.post("/jobs/" + id + "/stop", body).path("request-id").asText();
        } catch (FlinkRest.RestError e) {
            throw new CommandFailure(
                    1, "the cluster refused to stop job " + id + ": " + e.getMessage());
        }
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        String location;
        while (true) {
            JsonNode status = rest.get("/jobs/" + id + "/savepoints/" + trigger);
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode op = status.path("operation");
                location = op.path("location").asText("");
                if (location.isEmpty()) {
                    String cause =
                            FlinkRest.innermost(
                                    op.path("failure-cause").path("stacktrace").asText());
                    throw new CommandFailure(
                            1,
                            "stop with savepoint of job "
                                    + id
                                    + " failed (it keeps running): "
                                    + cause
                                    + (cause.contains("savepoint directory")
                                                    || cause.contains("targetDirectory")
                                            ? " (pass --savepoint-dir)"
                                            : ""));
                }
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new CommandFailure(
                        1, "no savepoint of job " + id + " after " + timeoutSeconds + " s");
            }
            Thread.sleep(200);
        }
        writeFingerprint(location, userConfig);
        System.err.println("tally: job " + id + " stopped with a savepoint");
        System.out.println(location);
        return 0;
    }

    /** The job's fingerprint beside its savepoint, from the parameters the job registered. */
    private static void writeFingerprint(String location, JsonNode userConfig) {
        Path dir = SubmitCommand.localPath(location);
        if (dir == null || !Files.isDirectory(dir) || !userConfig.isObject()) {
            return;
        }
        Map<String, String> settings = new LinkedHashMap<>();
        List<String> known = ConfigLoader.keys();
        userConfig
                .fields()
                .forEachRemaining(
                        e -> {
                            // The password file need not exist here; the fingerprint does not use
                            // it.
                            if (known.contains(e.getKey())
                                    && !e.getKey().equals("jdbc-password-file")
                                    && !e.getValue().isNull()
                                    && !e.getValue().asText().isEmpty()
                                    && !e.getValue().asText().equals("null")) {
                                settings.put(e.getKey(), e.getValue().asText());
                            }
                        });
        try {
            JobFingerprint.of(ConfigLoader.load(settings, Map.of(), null)).write(dir);
        } catch (Exception e) {
            System.err.println(
                    "tally: note: could not record the job's fingerprint beside the savepoint ("
                            + e.getMessage()
                            + ")");
        }
    }

    private static String theRunningTallyJob(FlinkRest rest) {
        List<String> running = new ArrayList<>();
        for (JsonNode j : rest.get("/jobs/overview").path("jobs")) {
            if ("RUNNING".equals(j.path("state").asText())
                    && TallyJob.JOB_NAME.equals(j.path("name").asText())) {
                running.add(j.path("jid").asText());
            }
        }
        if (running.size() != 1) {
            throw new CommandFailure(
                    2,
                    (running.isEmpty()
                                    ? "no running Tally job"
                                    : "several running Tally jobs " + running)
                            + " at "
                            + rest.url()
                            + (running.isEmpty() ? "" : ": name one"));
        }
        return running.get(0);
    }
}
