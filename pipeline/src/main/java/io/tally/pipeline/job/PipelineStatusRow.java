package io.tally.pipeline.job;

import java.time.OffsetDateTime;

/** A row of {@code pipeline_status} (SPEC §5.1). */
public class PipelineStatusRow {
    public String pipeline;

    /** The pipeline's event-time watermark, null before the first one. */
    public OffsetDateTime watermark;

    /** Wall-clock time this status was emitted into the (flushed) sink. */
    public OffsetDateTime lastFlushAt;

    public long recordsIn;

    /** Records that reached the pipeline's state: in − dead letters − late − duplicates. */
    public long recordsOut;

    public long deadLetters;
    public long lateDropped;
    public long version;

    public PipelineStatusRow() {}
}
