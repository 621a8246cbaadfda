package io.tally.pipeline.runtime;

/**
 * Counts since the previous delta from one operator subtask of a pipeline; summed by {@link
 * PipelineStatusFunction} into {@code pipeline_status} (SPEC §5.1).
 */
public class StatusDelta {
    public String pipeline;

    /** Records read from Kafka, valid or not. */
    public long recordsIn;

    public long deadLetters;

    /** Records dropped as {@code too-late} (SPEC §1.5). */
    public long lateDropped;

    /** Repeats of an already-seen event id (SPEC §1.7). */
    public long duplicates;

    public StatusDelta() {}

    public static StatusDelta of(
            String pipeline, long recordsIn, long deadLetters, long lateDropped, long duplicates) {
        StatusDelta d = new StatusDelta();
        d.pipeline = pipeline;
        d.recordsIn = recordsIn;
        d.deadLetters = deadLetters;
        d.lateDropped = lateDropped;
        d.duplicates = duplicates;
        return d;
    }

    public boolean isEmpty() {
        return recordsIn == 0 && deadLetters == 0 && lateDropped == 0 && duplicates == 0;
    }
}
