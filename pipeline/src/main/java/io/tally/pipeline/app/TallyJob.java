package io.tally.pipeline.app;

import io.tally.pipeline.chat.ChatWorkflow;
import io.tally.pipeline.config.ConfigException;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.config.TallyConfig.Pipeline;
import io.tally.pipeline.members.MembersWorkflow;
import io.tally.pipeline.reviews.ReviewsWorkflow;
import io.tally.pipeline.runtime.PipelineStatusFunction;
import io.tally.pipeline.runtime.StatusDelta;
import io.tally.pipeline.runtime.StatusTable;
import io.tally.pipeline.runtime.TallySinks;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The whole Tally job: the selected pipelines side by side, plus their {@code pipeline_status}
 * rows. Sources and sinks are parameters, so tests build exactly this dataflow.
 */
public final class TallyJob {
    public static final String JOB_NAME = "tally";

    private TallyJob() {}

    /**
     * Max parallelism when the user sets none: the number of key groups, fixed for the life of a
     * savepoint's keyed state. Explicit, so that a savepoint taken at any parallelism can be
     * rescaled up to it later (Flink's own default depends on the first parallelism). 128 is what
     * Flink derived for every parallelism Tally ran at before, so older savepoints still fit.
     */
    public static final int MAX_PARALLELISM = 128;

    /**
     * Applies the job-wide settings: the user's Flink settings, no Kryo, object reuse, max
     * parallelism, and parallelism and checkpointing only when the user gave them (SPEC §5.2:
     * otherwise the cluster's own settings win; LocalRunner supplies the embedded defaults), global
     * parameters.
     */
    public static void configure(StreamExecutionEnvironment env, TallyConfig config) {
        Configuration conf = Configuration.fromMap(config.flinkConf);
        conf.addAll(Configuration.fromMap(stateBackendConf(config)));
        // No silent Kryo fallback anywhere: a non-POJO type fails the job at build time.
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // Chained operators hand records over without a defensive copy (the chat pipeline fans
        // each message out to six chained operators and every row to its sink). Safe because no
        // function mutates a record it received or one it has emitted (pipeline/README.md); a
        // user's pipeline.object-reuse setting still wins.
        if (!config.flinkConf.containsKey(PipelineOptions.OBJECT_REUSE.key())) {
            conf.set(PipelineOptions.OBJECT_REUSE, true);
        }
        env.configure(conf);
        if (!config.flinkConf.containsKey(PipelineOptions.MAX_PARALLELISM.key())) {
            env.setMaxParallelism(MAX_PARALLELISM);
        }
        if (config.parallelism != null) {
            env.setParallelism(config.parallelism);
        }
        if (config.checkpointInterval != null) {
            env.enableCheckpointing(config.checkpointInterval.toMillis());
        }
        env.getCheckpointConfig()
                .setCheckpointTimeout(
                        checkpointTimeout(
                                env.getCheckpointConfig().getCheckpointTimeout(),
                                config.sinkRetryTimeout));
        env.getConfig().setGlobalJobParameters(config);
    }

    /**
     * Flink's key of the RocksDB timer store: {@code ROCKSDB} (Flink's default) or {@code HEAP}.
     */
    // Keys as strings, not RocksDBOptions.*.key(): the job's main class must load on a cluster
    // whose user class path has no RocksDB classes (a standalone Flink 2.2 dist: the CI round
    // trip failed with ClassNotFoundException when this read RocksDBOptions).
    static final String ROCKSDB_TIMERS = "state.backend.rocksdb.timer-service.factory";

    /** Flink's key of RocksDB's dynamic level sizes (off by default in Flink). */
    static final String ROCKSDB_DYNAMIC_LEVELS =
            "state.backend.rocksdb.compaction.level.use-dynamic-size";

    /**
     * The Flink settings of {@code state-backend} (issue 12), none when it is not given: {@code
     * state.backend.type}, and for rocksdb, each unless the user's {@code --flink-conf} sets it:
     *
     * <ul>
     *   <li>incremental checkpoints: only the changed SST files are uploaded, so a checkpoint of a
     *       million users' state costs what changed since the last one;
     *   <li>timers on the heap ({@value #ROCKSDB_TIMERS}=HEAP): a user holds a few timers (the
     *       dedupe's forget time, the next day boundaries), and keeping them in RocksDB cost a
     *       write and a delete per registration plus compaction; 200 000 new users: 1 773 → 2 203
     *       events/s. The price: about 35 bytes a user, on the heap and in every checkpoint in full
     *       (35 MB a checkpoint at 1 M users). Far beyond that, set ROCKSDB;
     *   <li>dynamic level sizes ({@value #ROCKSDB_DYNAMIC_LEVELS}=true), RocksDB's own
     *       recommendation, which bounds the write amplification of a growing state; with heap
     *       timers, 200 000 new users: 2 505 events/s.
     * </ul>
     *
     * A {@code --flink-conf state.backend.type} that contradicts it is a configuration error, not a
     * silent choice.
     */
    public static Map<String, String> stateBackendConf(TallyConfig config) {
        if (config.stateBackend == null) {
            return Map.of();
        }
        String given = config.flinkConf.get(StateBackendOptions.STATE_BACKEND.key());
        if (given != null && !given.trim().equalsIgnoreCase(config.stateBackend)) {
            throw new ConfigException(
                    "--state-backend "
                            + config.stateBackend
                            + " contradicts --flink-conf "
                            + StateBackendOptions.STATE_BACKEND.key()
                            + "="
                            + given);
        }
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put(StateBackendOptions.STATE_BACKEND.key(), config.stateBackend);
        if (config.stateBackend.equals("rocksdb")) {
            if (!config.flinkConf.containsKey(CheckpointingOptions.INCREMENTAL_CHECKPOINTS.key())) {
                conf.put(CheckpointingOptions.INCREMENTAL_CHECKPOINTS.key(), "true");
            }
            conf.put(ROCKSDB_TIMERS, config.flinkConf.getOrDefault(ROCKSDB_TIMERS, "HEAP"));
            conf.put(
                    ROCKSDB_DYNAMIC_LEVELS,
                    config.flinkConf.getOrDefault(ROCKSDB_DYNAMIC_LEVELS, "true"));
        }
        return conf;
    }

    /**
     * Issue 9: an upsert sink's flush before each checkpoint barrier waits for its writes, and
     * while PostgreSQL is down that flush waits up to {@code sink-retry-timeout} (plus one socket
     * timeout) for it. A barrier can also queue behind a timer flush that is already waiting, so a
     * checkpoint may be held for about twice that. An expired checkpoint fails the job (no
     * tolerable checkpoint failures are configured), which would undo the ride-through; so the
     * timeout is raised to 2 × sink-retry-timeout + 1 min when lower (11 min for the default 5 min;
     * Flink's default is 10 min). A larger timeout given with --flink-conf is kept.
     */
    static long checkpointTimeout(long configuredMillis, java.time.Duration sinkRetryTimeout) {
        long needed = 2 * sinkRetryTimeout.toMillis() + java.time.Duration.ofMinutes(1).toMillis();
        return Math.max(configuredMillis, needed);
    }

    /** Defines every selected pipeline on {@code env}. */
    public static void define(
            StreamExecutionEnvironment env,
            TallyConfig config,
            TallySources sources,
            TallySinks sinks) {
        boolean any = false;
        if (config.runs(Pipeline.CHAT)) {
            status(ChatWorkflow.define(sources.chatMessages(env), config, sinks), "chat", sinks);
            any = true;
        }
        if (config.runs(Pipeline.REVIEWS)) {
            status(ReviewsWorkflow.define(sources.reviews(env), config, sinks), "reviews", sinks);
            any = true;
        }
        if (config.runs(Pipeline.MEMBERS)) {
            status(
                    MembersWorkflow.define(sources.memberImports(env), config, sinks),
                    "members",
                    sinks);
            any = true;
        }
        if (!any) {
            throw new IllegalArgumentException(
                    "none of the selected pipelines is available in this build: "
                            + config.pipelines);
        }
    }

    /**
     * One {@code pipeline_status} operator and sink per pipeline, not one for all: a shared one
     * would join the three dataflows into a single failover region, and a failure in one pipeline
     * (a members API outage, a table the database rejects) would restart the others too. Apart,
     * each pipeline is its own region and restarts alone (SPEC §1.6).
     */
    private static void status(DataStream<StatusDelta> deltas, String pipeline, TallySinks sinks) {
        var rows =
                deltas.keyBy(d -> d.pipeline, Types.STRING)
                        .process(new PipelineStatusFunction())
                        .uid("pipeline-status-" + pipeline)
                        .name("Pipeline status " + pipeline + " (SPEC 5.1)");
        sinks.upsert(rows, StatusTable.table(), "sink-pipeline_status-" + pipeline);
    }
}
