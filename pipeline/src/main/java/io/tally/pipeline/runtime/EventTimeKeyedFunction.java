package io.tally.pipeline.runtime;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;

/**
 * A keyed function with event-time timers that knows when time really passed and when the input
 * merely ended (SPEC §1.4): at the end of a bounded run Flink fires every timer with a final
 * watermark of +∞; a timer due after the largest event time this operator instance has seen is then
 * not time passing, and {@link #isEndOfInput} tells the subclass to discard it.
 */
public abstract class EventTimeKeyedFunction<K, I, O> extends KeyedProcessFunction<K, I, O>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private transient long maxEventTime = Long.MIN_VALUE;
    private transient ListState<Long> maxEventTimeState;

    /** Call with the event time of every element processed. */
    protected final void observe(long eventTime) {
        if (eventTime > maxEventTime) {
            maxEventTime = eventTime;
        }
    }

    /** True for a timer fired only because a bounded input ended; apply nothing then. */
    protected final boolean isEndOfInput(long timerTime, long currentWatermark) {
        return currentWatermark == Long.MAX_VALUE && timerTime > maxEventTime;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        maxEventTimeState.update(java.util.List.of(maxEventTime));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        // Union state: after a rescale every subtask takes the largest time seen by any of them.
        maxEventTimeState =
                context.getOperatorStateStore()
                        .getUnionListState(new ListStateDescriptor<>("max-event-time", Types.LONG));
        maxEventTime = Long.MIN_VALUE;
        for (Long t : maxEventTimeState.get()) {
            maxEventTime = Math.max(maxEventTime, t);
        }
    }
}
