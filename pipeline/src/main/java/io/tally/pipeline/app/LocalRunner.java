package io.tally.pipeline.app;

import io.tally.pipeline.config.ConfigException;
import io.tally.pipeline.config.TallyConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the job on an embedded Flink (with its web UI) for {@code tally run} and {@code tally demo}.
 * Checkpoints go to {@code state-dir} and are kept when the process stops, and the next run resumes
 * from the newest one, so counts continue instead of starting again from zero — but only when that
 * state was written by the same job ({@link JobFingerprint}, SPEC §5.2). A {@code --bounded} run is
 * a self-contained recomputation instead: it starts with empty state, commits no offsets, and
 * deletes its checkpoints when it ends.
 *
 * <p>Restarts back off exponentially from 1 s to 1 min (SPEC §1.6); a bounded run gives up after
 * {@value #BOUNDED_MAX_RESTARTS} restarts instead of looping forever.
 */
public final class LocalRunner {
    private static final Logger LOG = LoggerFactory.getLogger(LocalRunner.class);

    /** SPEC §1.6: a {@code --bounded} run fails for good after this many restarts. */
    public static final int BOUNDED_MAX_RESTARTS = 10;

    /** SPEC §5.2 defaults of the embedded run/demo cluster, when the user gives none. */
    public static final int DEFAULT_PARALLELISM = 2;

    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

    private LocalRunner() {}

    /** The parallelism an embedded run uses: the user's, else {@value #DEFAULT_PARALLELISM}. */
    public static int parallelism(TallyConfig config) {
        if (config.parallelism != null) {
            return config.parallelism;
        }
        String conf = config.flinkConf.get(CoreOptions.DEFAULT_PARALLELISM.key());
        return conf != null ? Integer.parseInt(conf.trim()) : DEFAULT_PARALLELISM;
    }

    /** The checkpoint interval of an embedded run: the user's, else 10 s (SPEC §1.8). */
    public static Duration checkpointInterval(TallyConfig config) {
        return config.checkpointInterval != null
                ? config.checkpointInterval
                : DEFAULT_CHECKPOINT_INTERVAL;
    }

    /**
     * The embedded defaults on top of {@link TallyJob#configure}, which leaves parallelism and
     * checkpointing to the cluster unless given: here Tally is the cluster. A Flink setting the
     * user gave ({@code --flink-conf execution.checkpointing.interval=…}) still wins.
     */
    public static void applyEmbeddedDefaults(StreamExecutionEnvironment env, TallyConfig config) {
        env.setParallelism(parallelism(config));
        if (config.checkpointInterval == null
                && !config.flinkConf.containsKey(
                        CheckpointingOptions.CHECKPOINTING_INTERVAL.key())) {
            env.enableCheckpointing(DEFAULT_CHECKPOINT_INTERVAL.toMillis());
        }
    }

    /** Where a run starts from (SPEC §5.2). */
    public record Resume(Mode mode, Path checkpoint) {
        public enum Mode {
            /** The newest checkpoint under state-dir, if it was taken by the same job. */
            LATEST,
            /** Nothing: the old state is moved aside (never deleted). */
            FRESH,
            /** A given checkpoint or savepoint. */
            FROM
        }

        public static Resume latest() {
            return new Resume(Mode.LATEST, null);
        }

        public static Resume fresh() {
            return new Resume(Mode.FRESH, null);
        }

        public static Resume from(Path checkpoint) {
            return new Resume(Mode.FROM, checkpoint);
        }
    }

    /** A started job and the REST address of the embedded cluster running it. */
    public record LocalJob(JobClient client, String restUrl) {}

    /** Builds the environment with the job defined on it, resuming the newest checkpoint. */
    public static StreamExecutionEnvironment environment(TallyConfig config, boolean webUi)
            throws IOException {
        return environment(config, webUi, Resume.latest(), 0, Map.of());
    }

    private static StreamExecutionEnvironment environment(
            TallyConfig config,
            boolean webUi,
            Resume resume,
            int restPort,
            Map<String, String> flinkConf)
            throws IOException {
        Path stateDir = Path.of(config.stateDir).toAbsolutePath();
        Path checkpoints;
        Optional<Path> restoreFrom;
        if (config.bounded) {
            // A bounded run is a self-contained recomputation: it neither resumes nor leaves state.
            // Restoring a finished bounded source gives a job whose sources never end, and
            // restoring an unbounded one gives splits without stopping offsets: both hang.
            if (resume.mode() == Resume.Mode.FRESH) {
                moveAside(stateDir);
            }
            checkpoints = stateDir.resolve("bounded-checkpoints");
            restoreFrom = Optional.empty();
        } else {
            checkpoints = stateDir.resolve("checkpoints");
            restoreFrom = restorePath(config, resume, stateDir, checkpoints);
            // Written before the job starts, so each checkpoint it takes has its fingerprint.
            JobFingerprint.of(config).write(stateDir);
        }
        Files.createDirectories(checkpoints);

        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                config.bounded
                        ? ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION
                        : ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.set(RestOptions.BIND_PORT, restPort > 0 ? Integer.toString(restPort) : "8081-8099");
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism(config));
        restartStrategy(conf, config.bounded);
        // The user's Flink settings (SPEC §5.2) over Tally's embedded defaults.
        conf.addAll(Configuration.fromMap(config.flinkConf));
        conf.addAll(Configuration.fromMap(TallyJob.stateBackendConf(config)));
        conf.addAll(Configuration.fromMap(flinkConf));
        if (restoreFrom.isPresent()) {
            LOG.info("Resuming from checkpoint {}", restoreFrom.get());
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom.get().toString());
        }
        StreamExecutionEnvironment env =
                webUi
                        ? StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf)
                        : StreamExecutionEnvironment.createLocalEnvironment(conf);
        TallyJob.configure(env, config);
        applyEmbeddedDefaults(env, config);
        TallyJob.define(env, config, new KafkaSources(config), new ProductionSinks(config));
        return env;
    }

    /**
     * SPEC §1.6: exponential back-off from 1 s, doubling to 1 min; bounded runs stop after {@value
     * #BOUNDED_MAX_RESTARTS} restarts (the counter resets after an hour without failures), so a
     * record that fails the job every time ends the run with its cause instead of looping.
     */
    static void restartStrategy(Configuration conf, boolean bounded) {
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
                Duration.ofSeconds(1));
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
                Duration.ofMinutes(1));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.0);
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS,
                bounded ? BOUNDED_MAX_RESTARTS : Integer.MAX_VALUE);
    }

    /** Starts the job, resuming the newest checkpoint of the same job, and returns at once. */
    public static LocalJob start(TallyConfig config, boolean webUi) throws Exception {
        return start(config, webUi, Resume.latest());
    }

    /** Starts the job from where {@code resume} says and returns at once. */
    public static LocalJob start(TallyConfig config, boolean webUi, Resume resume)
            throws Exception {
        return start(config, webUi, resume, Map.of());
    }

    /**
     * As {@link #start(TallyConfig, boolean, Resume)}, with more Flink settings applied over
     * Tally's own defaults and the user's {@code --flink-conf} (SPEC §5.2).
     */
    public static LocalJob start(
            TallyConfig config, boolean webUi, Resume resume, Map<String, String> flinkConf)
            throws Exception {
        // A port chosen here rather than a range left to Flink, so the caller knows where the REST
        // API is (restarts are reported from its exception history).
        int port = freePort(webUi ? 8081 : 0, webUi ? 8099 : 0);
        JobClient client =
                environment(config, webUi, resume, port, flinkConf).executeAsync(TallyJob.JOB_NAME);
        return new LocalJob(client, "http://localhost:" + port);
    }

    /**
     * Fails with a one-line {@link ConfigException} when {@code resume} cannot be honoured: the
     * state under state-dir was taken by another job, or a given checkpoint is not one. No side
     * effects, so callers check before they connect to anything.
     */
    public static void checkResumable(TallyConfig config, Resume resume) throws IOException {
        if (config.bounded && resume.mode() == Resume.Mode.FROM) {
            throw new ConfigException(
                    "--from-checkpoint resumes an unbounded run; a --bounded run always starts"
                            + " from the topics (--from) with empty state");
        }
        if (!config.bounded && resume.mode() != Resume.Mode.FRESH) {
            Path stateDir = Path.of(config.stateDir).toAbsolutePath();
            restorePath(config, resume, stateDir, stateDir.resolve("checkpoints"));
        }
    }

    private static Optional<Path> restorePath(
            TallyConfig config, Resume resume, Path stateDir, Path checkpoints) throws IOException {
        switch (resume.mode()) {
            case FROM:
                Path given = resume.checkpoint().toAbsolutePath();
                if (!Files.exists(given.resolve("_metadata")) && !Files.isRegularFile(given)) {
                    throw new ConfigException(
                            "--from-checkpoint "
                                    + resume.checkpoint()
                                    + ": not a checkpoint or savepoint (no _metadata there)");
                }
                return Optional.of(given);
            case FRESH:
                moveAside(stateDir);
                return Optional.empty();
            case LATEST:
            default:
                Optional<Path> latest = latestCheckpoint(checkpoints);
                if (latest.isEmpty()) {
                    return latest;
                }
                JobFingerprint stored = JobFingerprint.read(stateDir);
                JobFingerprint now = JobFingerprint.of(config);
                List<String> differences =
                        stored == null
                                ? List.of("it has no " + JobFingerprint.FILE + " (an older Tally)")
                                : now.differencesFrom(stored);
                if (!differences.isEmpty()) {
                    throw new ConfigException(
                            "will not resume the state in "
                                    + stateDir
                                    + ", taken by another job: "
                                    + String.join("; ", differences)
                                    + " (--fresh starts over and moves it aside;"
                                    + " --from-checkpoint PATH resumes a given one)");
                }
                return latest;
        }
    }

    /**
     * SPEC §5.2 {@code --fresh}: the old checkpoints and fingerprint go to {@code
     * state-dir/aside/<time>/}, never deleted, so a mistaken {@code --fresh} can be undone with
     * {@code --from-checkpoint}.
     */
    private static void moveAside(Path stateDir) throws IOException {
        Path checkpoints = stateDir.resolve("checkpoints");
        Path fingerprint = stateDir.resolve(JobFingerprint.FILE);
        if (!Files.exists(checkpoints) && !Files.exists(fingerprint)) {
            return;
        }
        Path aside =
                stateDir.resolve("aside")
                        .resolve(
                                LocalDateTime.now()
                                        .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(aside);
        if (Files.exists(checkpoints)) {
            Files.move(checkpoints, aside.resolve("checkpoints"));
        }
        if (Files.exists(fingerprint)) {
            Files.move(fingerprint, aside.resolve(JobFingerprint.FILE));
        }
        LOG.info("Moved the previous state aside to {}", aside);
        System.err.println("tally: --fresh: previous state moved aside to " + aside);
    }

    /**
     * Deletes what a finished bounded run checkpointed: nothing resumes it, and Flink's own cleanup
     * of a finished job's checkpoints may not run before the process exits.
     */
    public static void discardBoundedCheckpoints(TallyConfig config, String jobId) {
        Path dir =
                Path.of(config.stateDir)
                        .toAbsolutePath()
                        .resolve("bounded-checkpoints")
                        .resolve(jobId);
        if (!Files.exists(dir)) {
            return;
        }
        try {
            deleteTree(dir);
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Could not delete the checkpoints of bounded job {} in {}", jobId, dir, e);
        }
    }

    /**
     * Deletes {@code dir} and everything in it, skipping what vanishes meanwhile: Flink may still
     * be discarding subsumed checkpoints when a bounded job has ended (a {@code Files.walk} then
     * failed the whole run with NoSuchFileException after it had succeeded).
     */
    static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(
                dir,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                            throws IOException {
                        Files.deleteIfExists(file);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e)
                            throws IOException {
                        if (e instanceof NoSuchFileException) {
                            return FileVisitResult.CONTINUE;
                        }
                        throw e;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path d, IOException e)
                            throws IOException {
                        if (e != null && !(e instanceof NoSuchFileException)) {
                            throw e;
                        }
                        Files.deleteIfExists(d);
                        return FileVisitResult.CONTINUE;
                    }
                });
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

    /** The first free port in [from, to], or any free port when none is (or from is 0). */
    static int freePort(int from, int to) throws IOException {
        for (int port = from; from > 0 && port <= to; port++) {
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
                return port;
            } catch (IOException taken) {
                // try the next one
            }
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
