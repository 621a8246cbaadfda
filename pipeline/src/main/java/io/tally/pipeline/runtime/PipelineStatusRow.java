package io.tally.pipeline.runtime;

/**
 * A row of {@code pipeline_status} (SPEC §5.1). Times are epoch ms: Flink has no POJO-field type
 * for {@code java.time} values and would fall back to Kryo.
 */
public class PipelineStatusRow {
    public String pipeline;

    /** The pipeline's event-time watermark (epoch ms), null before the first one. */
    public Long watermark;

    /** Wall-clock time (epoch ms) this status was emitted into the (flushed) sink. */
    public long lastFlushAt;

    public long recordsIn;

    /** Records that reached the pipeline's state: in − dead letters − late − duplicates. */
    public long recordsOut;

    public long deadLetters;
    public long lateDropped;
    public long version;

    public PipelineStatusRow() {}
}
