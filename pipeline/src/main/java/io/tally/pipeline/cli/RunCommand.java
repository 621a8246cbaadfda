package io.tally.pipeline.cli;

import io.tally.connectors.kafka.KafkaEndpoints;
import io.tally.connectors.postgres.JdbcUrls;
import io.tally.pipeline.app.LocalRunner;
import io.tally.pipeline.app.LocalRunner.LocalJob;
import io.tally.pipeline.app.LocalRunner.Resume;
import io.tally.pipeline.app.Preflight;
import io.tally.pipeline.app.RestartWatcher;
import io.tally.pipeline.app.TopicNames;
import io.tally.pipeline.config.ConfigException;
import io.tally.pipeline.config.TallyConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tally run}: the pipelines on an embedded Flink against given Kafka and PostgreSQL. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description =
                "Run the pipelines on an embedded Flink against --bootstrap-servers and --jdbc-url"
                        + " until stopped (with --bounded: until the topics' current ends).")
final class RunCommand implements Callable<Integer> {
    /** A job that failed for good (after its restarts, SPEC §1.6). */
    static final int EXIT_JOB_FAILED = 1;

    @Mixin CommonOptions options;

    @Option(
            names = "--fresh",
            description =
                    "Start over: move the state in --state-dir aside (never deleted) and read the"
                            + " topics from the earliest offset unless --from says otherwise."
                            + " A --bounded run always starts over: it resumes no state, reads"
                            + " from the earliest offset unless --from is given, keeps nothing.")
    boolean fresh;

    @Option(
            names = "--from-checkpoint",
            paramLabel = "PATH",
            description = "Resume from this checkpoint or savepoint directory.")
    Path fromCheckpoint;

    @Override
    public Integer call() throws Exception {
        if (fresh && fromCheckpoint != null) {
            throw new ConfigException("--fresh and --from-checkpoint exclude each other");
        }
        if (fresh && options.from == null) {
            // SPEC §5.2: starting over means the new state sees every record; committed offsets
            // belong to the state just moved aside.
            options.from = "earliest";
        }
        TallyConfig config = options.load();
        if (config.bounded
                && options.from == null
                && !System.getenv().containsKey("TALLY_FROM")
                && config.from == KafkaEndpoints.StartFrom.COMMITTED) {
            // A bounded run starts with empty state (it resumes nothing), so it must see every
            // record: committed offsets would count only what came after them.
            config = config.with(java.util.Map.of("from", "earliest"));
        }
        Resume resume =
                fresh
                        ? Resume.fresh()
                        : fromCheckpoint != null ? Resume.from(fromCheckpoint) : Resume.latest();
        LocalRunner.checkResumable(config, resume);
        Preflight.checkKafka(config);
        Preflight.migrate(config);
        Preflight.ensureTopics(config, TopicNames.inputsAndOutputs(config));
        LocalJob job = LocalRunner.start(config, !config.bounded, resume);
        System.err.println(
                "tally: job "
                        + job.client().getJobID()
                        + " running ("
                        + config.pipelines
                        + ", "
                        + config.bootstrapServers
                        + " → "
                        + JdbcUrls.redact(config.jdbcUrl)
                        + ")"
                        + (config.bounded
                                ? "; bounded: exits when done"
                                : "; web UI " + job.restUrl() + "; Ctrl-C to stop"));
        Thread stopOnExit =
                new Thread(
                        () -> {
                            try {
                                job.client()
                                        .cancel()
                                        .get(10, java.util.concurrent.TimeUnit.SECONDS);
                            } catch (Exception ignored) {
                                // The process is going away; checkpoints are retained.
                            }
                        });
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        try (RestartWatcher watcher =
                new RestartWatcher(job.restUrl(), job.client().getJobID(), System.err).start()) {
            try {
                job.client().getJobExecutionResult().get();
            } catch (ExecutionException e) {
                if (JobStops.isCancellation(e)) {
                    // Stopped (Ctrl-C / SIGTERM): the job was cancelled; its checkpoint is kept.
                    return 0;
                }
                watcher.pollNow();
                int restarts = watcher.restartsBefore(e);
                String cause = RestartWatcher.rootCause(stackTrace(e));
                System.err.println(
                        "tally: job failed"
                                + (restarts > 0 ? " after " + restarts + " restart(s)" : "")
                                + ": "
                                + cause);
                return EXIT_JOB_FAILED;
            }
            if (config.bounded) {
                LocalRunner.discardBoundedCheckpoints(config, job.client().getJobID().toString());
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnExit);
            } catch (IllegalStateException shuttingDown) {
                // Already exiting: the hook runs and cancels a job that has ended; harmless.
            }
        }
        return 0;
    }

    private static String stackTrace(Throwable t) {
        java.io.StringWriter s = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(s));
        return s.toString();
    }
}
