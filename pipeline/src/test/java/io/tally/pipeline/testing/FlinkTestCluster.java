package io.tally.pipeline.testing;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The MiniCluster every end-to-end test runs on: parallelism 2 (one TaskManager, two slots). */
public final class FlinkTestCluster {
    private FlinkTestCluster() {}

    public static MiniClusterExtension create() {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(2)
                        .build());
    }
}
