package io.tally.pipeline.cli;

import io.tally.pipeline.app.KafkaSources;
import io.tally.pipeline.app.Preflight;
import io.tally.pipeline.app.ProductionSinks;
import io.tally.pipeline.app.TallyJob;
import io.tally.pipeline.app.TopicNames;
import io.tally.pipeline.config.TallyConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;

/**
 * Entry point of the job jar on a Flink cluster ({@code flink run}, {@code tally submit},
 * application mode). Takes the same options as {@code tally run}; the cluster provides Flink.
 */
public final class TallyJobMain {
    private TallyJobMain() {}

    public static void main(String[] args) throws Exception {
        CommonOptions options = new CommonOptions();
        new CommandLine(options).parseArgs(args);
        TallyConfig config = options.load();
        Preflight.checkKafka(config);
        Preflight.ensureTopics(config, TopicNames.inputsAndOutputs(config));
        try {
            Preflight.migrate(config);
        } finally {
            // main() runs in the JobManager with a class loader per submission: do not pin it.
            Preflight.deregisterOwnDrivers();
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TallyJob.configure(env, config);
        TallyJob.define(env, config, new KafkaSources(config), new ProductionSinks(config));
        env.execute(TallyJob.JOB_NAME);
    }
}
