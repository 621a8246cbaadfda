package io.tally.pipeline.cli;

import org.apache.flink.runtime.client.JobCancellationException;

/** Tells a job stopped on purpose (Ctrl-C, SIGTERM) from one that failed. */
final class JobStops {
    private JobStops() {}

    static boolean isCancellation(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof JobCancellationException) {
                return true;
            }
        }
        return false;
    }
}
