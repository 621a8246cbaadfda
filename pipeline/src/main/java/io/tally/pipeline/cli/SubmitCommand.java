package io.tally.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tally.pipeline.app.JobFingerprint;
import io.tally.pipeline.config.TallyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tally submit} (SPEC §5.2): uploads the job jar to a running Flink cluster over REST and
 * runs it with the common options as program arguments, optionally from a savepoint; prints the job
 * id once every task runs. A setting the user did not give is left to the cluster.
 */
@Command(
        name = "submit",
        mixinStandardHelpOptions = true,
        description =
                "Submit the job jar to a Flink cluster (--flink-rest), optionally from a"
                        + " savepoint; prints the job id.")
final class SubmitCommand implements Callable<Integer> {
    @Option(
            names = "--flink-rest",
            paramLabel = "URL",
            description = "Flink REST endpoint (TALLY_FLINK_REST; default http://127.0.0.1:8081).")
    String flinkRest = FlinkRest.defaultUrl();

    @Option(
            names = "--savepoint",
            paramLabel = "PATH",
            description = "Start from this savepoint (or retained checkpoint).")
    String savepoint;

    @Option(
            names = "--jar",
            paramLabel = "FILE",
            description = "The job jar (default pipeline/target/tally-job.jar).")
    Path jar;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            description = "How long to wait for free slots and for every task to run (default 60).")
    int timeoutSeconds = 60;

    @Mixin CommonOptions options;

    @Override
    public Integer call() throws Exception {
        TallyConfig config = options.load();
        Path jobJar = jar != null ? jar : TallyHome.jobJar();
        if (!Files.isRegularFile(jobJar)) {
            throw new CommandFailure(
                    2, "no job jar at " + jobJar + " (build it: mvn -B -DskipTests package)");
        }
        if (savepoint != null) {
            checkSavepoint(config, savepoint);
        }
        FlinkRest rest = new FlinkRest(flinkRest);
        int needed = neededSlots(rest, config);
        waitForSlots(rest, needed);

        List<String> args = new java.util.ArrayList<>(config.jobArguments());
        if (options.database.config != null) {
            // Credentials (file paths and allowed URLs) live in the YAML; the job reads it on the
            // JobManager, so it must be there too (a dev cluster shares this machine).
            args.add("--config");
            args.add(options.database.config.toAbsolutePath().toString());
        }
        String jarId = rest.upload(jobJar);
        ObjectNode run = rest.object();
        ArrayNode list = run.putArray("programArgsList");
        args.forEach(list::add);
        if (savepoint != null) {
            run.put("savepointPath", savepoint);
        }
        String jobId;
        try {
            jobId = rest.post("/jars/" + jarId + "/run", run).path("jobid").asText();
        } catch (FlinkRest.RestError e) {
            throw refused(e);
        } finally {
            // The running job has its own copy in the blob store; uploads would pile up.
            rest.delete("/jars/" + jarId);
        }
        waitUntilRunning(rest, jobId, needed);
        System.err.println(
                "tally: job "
                        + jobId
                        + " running on "
                        + rest.url()
                        + (savepoint != null ? " from " + savepoint : "")
                        + "; stop it with a savepoint: bin/tally stop "
                        + jobId);
        System.out.println(jobId);
        return 0;
    }

    /**
     * SPEC §5.2 "Resuming is safe", for a cluster: {@code tally stop} leaves the job's fingerprint
     * beside the savepoint, and a savepoint of another job (pipelines, topics, brokers, database)
     * is refused here in one line instead of restoring another broker's offsets.
     */
    static void checkSavepoint(TallyConfig config, String savepoint) throws Exception {
        Path dir = localPath(savepoint);
        if (dir == null) {
            return; // not on this machine's file system (s3://…): Flink checks it
        }
        if (!Files.isRegularFile(dir.resolve("_metadata")) && !Files.isRegularFile(dir)) {
            throw new CommandFailure(
                    2, "--savepoint " + savepoint + ": not a savepoint (no _metadata there)");
        }
        JobFingerprint stored = JobFingerprint.read(dir);
        if (stored != null) {
            List<String> differences = JobFingerprint.of(config).differencesFrom(stored);
            if (!differences.isEmpty()) {
                throw new CommandFailure(
                        2,
                        "savepoint "
                                + savepoint
                                + " does not match this job: "
                                + String.join("; ", differences));
            }
        }
    }

    static Path localPath(String location) {
        if (location.startsWith("file:")) {
            return Path.of(java.net.URI.create(location.replaceFirst("^file:/+", "file:///")));
        }
        return location.contains("://") ? null : Path.of(location);
    }

    private static CommandFailure refused(FlinkRest.RestError e) {
        String all = e.allText();
        String cause = FlinkRest.innermost(all);
        if (all.contains("Cannot map checkpoint/savepoint state")
                || all.contains("Failed to rollback to checkpoint/savepoint")
                || all.contains("savepoint")
                        && (all.contains("FileNotFoundException")
                                || all.contains("Cannot find checkpoint or savepoint"))) {
            return new CommandFailure(
                    2,
                    "the savepoint does not match this job: "
                            + cause
                            + " (same --pipelines as the job that took it?)");
        }
        return new CommandFailure(1, "the cluster did not start the job: " + cause);
    }

    /** The slots the job needs: its highest parallelism (all operators share slots). */
    private static int neededSlots(FlinkRest rest, TallyConfig config) {
        if (config.parallelism != null) {
            return config.parallelism;
        }
        String p = config.flinkConf.get("parallelism.default");
        if (p != null) {
            return Integer.parseInt(p.trim());
        }
        for (JsonNode e : rest.get("/jobmanager/config")) {
            if ("parallelism.default".equals(e.path("key").asText())) {
                return Integer.parseInt(e.path("value").asText("1"));
            }
        }
        return 1;
    }

    private void waitForSlots(FlinkRest rest, int needed) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (true) {
            JsonNode o = rest.get("/overview");
            int free = o.path("slots-available").asInt();
            int total = o.path("slots-total").asInt();
            if (free >= needed) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new CommandFailure(
                        4,
                        "no free slots: the job needs "
                                + needed
                                + ", the cluster at "
                                + rest.url()
                                + " has "
                                + free
                                + " free of "
                                + total
                                + " after "
                                + timeoutSeconds
                                + " s (stop a job, add a TaskManager, or lower --parallelism)");
            }
            Thread.sleep(500);
        }
    }

    /**
     * A job shows RUNNING while its tasks still wait for slots (STACK.md): wait for the tasks. A
     * job that cannot get its slots in time is cancelled, not left restarting.
     */
    private void waitUntilRunning(FlinkRest rest, String jobId, int needed)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (true) {
            JsonNode job = rest.get("/jobs/" + jobId);
            String state = job.path("state").asText();
            int total = 0;
            int running = 0;
            for (JsonNode v : job.path("vertices")) {
                total += v.path("parallelism").asInt();
                running += v.path("tasks").path("RUNNING").asInt();
            }
            if (state.equals("RUNNING") && total > 0 && running == total) {
                return;
            }
            if (List.of("FAILED", "CANCELED", "FINISHED", "SUSPENDED").contains(state)
                    || System.nanoTime() > deadline) {
                String cause = rootCause(rest, jobId);
                if (!List.of("FAILED", "CANCELED", "FINISHED").contains(state)) {
                    rest.patch("/jobs/" + jobId + "?mode=cancel");
                }
                if (cause.contains("NoResourceAvailableException")
                        || (cause.isEmpty() && System.nanoTime() > deadline)) {
                    throw new CommandFailure(
                            4,
                            "no free slots: job "
                                    + jobId
                                    + " needs "
                                    + needed
                                    + " and did not get them within "
                                    + timeoutSeconds
                                    + " s; cancelled it");
                }
                if (cause.contains("Cannot map checkpoint/savepoint state")) {
                    throw new CommandFailure(2, "the savepoint does not match this job: " + cause);
                }
                throw new CommandFailure(
                        1,
                        "job "
                                + jobId
                                + " is "
                                + state
                                + (cause.isEmpty() ? "" : ": " + cause)
                                + (state.equals("FAILED") ? "" : "; cancelled it"));
            }
            Thread.sleep(500);
        }
    }

    private static String rootCause(FlinkRest rest, String jobId) {
        try {
            JsonNode e =
                    rest.get("/jobs/" + jobId + "/exceptions?maxExceptions=1")
                            .path("exceptionHistory")
                            .path("entries")
                            .path(0);
            return e.isMissingNode() ? "" : FlinkRest.innermost(e.path("stacktrace").asText());
        } catch (CommandFailure ignored) {
            return "";
        }
    }
}
