package io.tally.pipeline.runtime;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Sums a pipeline's {@link StatusDelta}s into its {@code pipeline_status} row (SPEC §5.1), written
 * on every delta and at least every 5 s so the watermark column stays live when nothing arrives.
 */
public final class PipelineStatusFunction
        extends KeyedProcessFunction<String, StatusDelta, PipelineStatusRow> {
    private static final long serialVersionUID = 1L;
    static final long REFRESH_MS = 5_000;

    private transient ValueState<StatusDelta> totals;
    private transient ValueState<Long> refreshAt;

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext context) {
        totals =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "totals", Types.POJO(StatusDelta.class)));
        refreshAt =
                getRuntimeContext().getState(new ValueStateDescriptor<>("refresh-at", Types.LONG));
    }

    @Override
    public void processElement(StatusDelta delta, Context ctx, Collector<PipelineStatusRow> out)
            throws Exception {
        StatusDelta t = totals.value();
        if (t == null) {
            t = StatusDelta.of(delta.pipeline, 0, 0, 0, 0);
        }
        t.recordsIn += delta.recordsIn;
        t.deadLetters += delta.deadLetters;
        t.lateDropped += delta.lateDropped;
        t.duplicates += delta.duplicates;
        totals.update(t);
        out.collect(
                row(
                        t,
                        ctx.timerService().currentWatermark(),
                        ctx.timerService().currentProcessingTime()));
        if (refreshAt.value() == null) {
            long at = ctx.timerService().currentProcessingTime() + REFRESH_MS;
            ctx.timerService().registerProcessingTimeTimer(at);
            refreshAt.update(at);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PipelineStatusRow> out)
            throws Exception {
        StatusDelta t = totals.value();
        if (t != null) {
            out.collect(row(t, ctx.timerService().currentWatermark(), timestamp));
        }
        long at = timestamp + REFRESH_MS;
        ctx.timerService().registerProcessingTimeTimer(at);
        refreshAt.update(at);
    }

    static PipelineStatusRow row(StatusDelta t, long watermark, long nowMillis) {
        PipelineStatusRow r = new PipelineStatusRow();
        r.pipeline = t.pipeline;
        r.watermark = watermark == Long.MIN_VALUE || watermark == Long.MAX_VALUE ? null : watermark;
        r.lastFlushAt = nowMillis;
        r.recordsIn = t.recordsIn;
        r.deadLetters = t.deadLetters + t.lateDropped;
        r.lateDropped = t.lateDropped;
        r.recordsOut = t.recordsIn - t.deadLetters - t.lateDropped - t.duplicates;
        // Totals only grow, so their sum is a version that only grows (SPEC §1.8).
        r.version = t.recordsIn + t.lateDropped + t.duplicates;
        return r;
    }
}
