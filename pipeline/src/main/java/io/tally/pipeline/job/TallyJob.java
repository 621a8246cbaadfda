package io.tally.pipeline.job;

import io.tally.pipeline.chat.ChatWorkflow;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.config.TallyConfig.Pipeline;
import io.tally.pipeline.members.MembersWorkflow;
import io.tally.pipeline.reviews.ReviewsWorkflow;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The whole Tally job: the selected pipelines side by side, plus their {@code pipeline_status}
 * rows. Sources and sinks are parameters, so tests build exactly this dataflow.
 */
public final class TallyJob {
    public static final String JOB_NAME = "tally";

    private TallyJob() {}

    /** Applies the job-wide settings: parallelism, checkpoints, no Kryo, global parameters. */
    public static void configure(StreamExecutionEnvironment env, TallyConfig config) {
        Configuration conf = new Configuration();
        // No silent Kryo fallback anywhere: a non-POJO type fails the job at build time.
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        env.configure(conf);
        env.setParallelism(config.parallelism);
        env.enableCheckpointing(config.checkpointInterval.toMillis());
        env.getConfig().setGlobalJobParameters(config);
    }

    /** Defines every selected pipeline on {@code env}. */
    public static void define(
            StreamExecutionEnvironment env,
            TallyConfig config,
            TallySources sources,
            TallySinks sinks) {
        List<DataStream<StatusDelta>> status = new ArrayList<>();
        if (config.runs(Pipeline.CHAT)) {
            status.add(ChatWorkflow.define(sources.chatMessages(env), config, sinks));
        }
        if (config.runs(Pipeline.REVIEWS)) {
            status.add(ReviewsWorkflow.define(sources.reviews(env), config, sinks));
        }
        if (config.runs(Pipeline.MEMBERS)) {
            status.add(MembersWorkflow.define(sources.memberImports(env), config, sinks));
        }
        if (status.isEmpty()) {
            throw new IllegalArgumentException(
                    "none of the selected pipelines is available in this build: "
                            + config.pipelines);
        }
        DataStream<StatusDelta> all = status.get(0);
        for (int i = 1; i < status.size(); i++) {
            all = all.union(status.get(i));
        }
        var rows =
                all.keyBy(d -> d.pipeline, Types.STRING)
                        .process(new PipelineStatusFunction())
                        .uid("pipeline-status")
                        .name("Pipeline status (SPEC 5.1)");
        sinks.upsert(rows, StatusTable.table());
    }
}
