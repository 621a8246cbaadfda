package io.tally.pipeline.testing;

import io.tally.pipeline.app.KafkaSources;
import io.tally.pipeline.app.Preflight;
import io.tally.pipeline.app.ProductionSinks;
import io.tally.pipeline.app.TallyJob;
import io.tally.pipeline.app.TallySources;
import io.tally.pipeline.config.TallyConfig;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs the real job — the same {@link TallyJob} the CLI runs, with real Kafka sources and the real
 * PostgreSQL sinks — on the test's MiniCluster.
 */
public final class JobRunner {
    private JobRunner() {}

    /**
     * A configuration for tests: the given broker, database and unique topics, fast timings,
     * bounded (read to the end offsets at start, then finish) unless a test starts the job
     * unbounded.
     */
    public static TallyConfig config(
            String bootstrap, String jdbcUrl, String suffix, Map<String, String> more) {
        Map<String, String> m = new java.util.HashMap<>();
        m.put("bootstrap-servers", bootstrap);
        m.put("jdbc-url", jdbcUrl);
        m.put("pipelines", "chat");
        m.put("from", "earliest");
        m.put("bounded", "true");
        m.put("parallelism", "2");
        m.put("checkpoint-interval", "500ms");
        m.put("flush-interval", "200ms");
        m.put("idleness", "1s");
        m.put("group-id", "test-" + suffix);
        m.put("topic-chat", "chat-" + suffix);
        m.put("topic-dead-letters", "dead-" + suffix);
        m.putAll(more);
        return TallyConfig.defaults().with(m);
    }

    /** Migrates, then runs the (bounded) job to the end of the topics' contents at start. */
    public static void runBounded(TallyConfig config) throws Exception {
        runBounded(config, new KafkaSources(config));
    }

    /**
     * As {@link #runBounded(TallyConfig)}, with Flink's restart strategy off: any task failure
     * fails the job and so the test, which is how a test asserts "no task restarted".
     */
    public static void runBoundedWithoutRestarts(TallyConfig config) throws Exception {
        Preflight.migrate(config);
        StreamExecutionEnvironment env = environment(config, new KafkaSources(config));
        org.apache.flink.configuration.Configuration conf =
                new org.apache.flink.configuration.Configuration();
        conf.set(org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY, "none");
        env.configure(conf);
        env.execute("tally-test");
    }

    public static JobExecutionResult runBounded(TallyConfig config, TallySources sources)
            throws Exception {
        if (!config.bounded) {
            throw new IllegalArgumentException("runBounded needs a bounded configuration");
        }
        Preflight.migrate(config);
        return environment(config, sources).execute("tally-test");
    }

    /** Migrates, then starts the job without an end; the caller cancels it. */
    public static JobClient start(TallyConfig config) throws Exception {
        TallyConfig unbounded = config.with(Map.of("bounded", "false"));
        Preflight.migrate(unbounded);
        return environment(unbounded, new KafkaSources(unbounded)).executeAsync("tally-test");
    }

    private static StreamExecutionEnvironment environment(
            TallyConfig config, TallySources sources) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TallyJob.configure(env, config);
        io.tally.pipeline.app.LocalRunner.applyEmbeddedDefaults(env, config);
        TallyJob.define(env, config, sources, new ProductionSinks(config));
        return env;
    }
}
