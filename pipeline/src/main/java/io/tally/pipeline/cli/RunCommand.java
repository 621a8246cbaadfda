package io.tally.pipeline.cli;

import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.job.LocalRunner;
import io.tally.pipeline.job.Preflight;
import io.tally.pipeline.job.TopicNames;
import java.util.concurrent.Callable;
import org.apache.flink.core.execution.JobClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code tally run}: the pipelines on an embedded Flink against given Kafka and PostgreSQL. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description =
                "Run the pipelines on an embedded Flink against --bootstrap-servers and --jdbc-url"
                        + " until stopped (with --bounded: until the topics' current ends).")
final class RunCommand implements Callable<Integer> {
    @Mixin CommonOptions options;

    @Override
    public Integer call() throws Exception {
        TallyConfig config = options.load();
        Preflight.checkKafka(config.bootstrapServers);
        Preflight.migrate(config);
        Preflight.ensureTopics(config.bootstrapServers, TopicNames.inputsAndOutputs(config));
        JobClient job = LocalRunner.start(config, !config.bounded);
        System.err.println(
                "tally: job "
                        + job.getJobID()
                        + " running ("
                        + config.pipelines
                        + ", "
                        + config.bootstrapServers
                        + " → "
                        + config.jdbcUrl
                        + ")"
                        + (config.bounded ? "; bounded: exits when done" : "; Ctrl-C to stop"));
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    try {
                                        job.cancel().get(10, java.util.concurrent.TimeUnit.SECONDS);
                                    } catch (Exception ignored) {
                                        // The process is going away; checkpoints are retained.
                                    }
                                }));
        try {
            job.getJobExecutionResult().get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (!JobStops.isCancellation(e)) {
                throw e;
            }
            // Stopped (Ctrl-C / SIGTERM): the job was cancelled; its last checkpoint is kept.
        }
        return 0;
    }
}
