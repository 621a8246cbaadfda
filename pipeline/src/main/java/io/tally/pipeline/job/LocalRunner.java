package io.tally.pipeline.job;

import io.tally.pipeline.config.TallyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the job on an embedded Flink (with its web UI) for {@code tally run} and {@code tally demo}.
 * Checkpoints go to {@code state-dir} and are kept when the process stops, and the next run resumes
 * from the newest one, so counts continue instead of starting again from zero.
 */
public final class LocalRunner {
    private static final Logger LOG = LoggerFactory.getLogger(LocalRunner.class);

    private LocalRunner() {}

    /** Builds the environment with the job defined on it. */
    public static StreamExecutionEnvironment environment(TallyConfig config, boolean webUi)
            throws IOException {
        Path checkpoints = Path.of(config.stateDir).resolve("checkpoints").toAbsolutePath();
        Files.createDirectories(checkpoints);
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.set(RestOptions.BIND_PORT, "8081-8099");
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, config.parallelism);
        Optional<Path> latest = latestCheckpoint(checkpoints);
        if (latest.isPresent()) {
            LOG.info("Resuming from checkpoint {}", latest.get());
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, latest.get().toString());
        }
        StreamExecutionEnvironment env =
                webUi
                        ? StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf)
                        : StreamExecutionEnvironment.createLocalEnvironment(conf);
        TallyJob.configure(env, config);
        TallyJob.define(env, config, new KafkaSources(config), new ProductionSinks(config));
        return env;
    }

    /** Starts the job and returns at once. */
    public static JobClient start(TallyConfig config, boolean webUi) throws Exception {
        return environment(config, webUi).executeAsync(TallyJob.JOB_NAME);
    }

    /**
     * The newest completed checkpoint (a {@code chk-N} directory with metadata) under {@code dir}.
     */
    static Optional<Path> latestCheckpoint(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.walk(dir, 3)) {
            return files.filter(p -> p.getFileName().toString().equals("_metadata"))
                    .map(Path::getParent)
                    .filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .max(Comparator.comparingLong(LocalRunner::modified));
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p.resolve("_metadata")).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
