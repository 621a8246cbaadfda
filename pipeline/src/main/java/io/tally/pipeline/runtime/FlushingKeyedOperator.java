package io.tally.pipeline.runtime;

import java.util.Map;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Runs a keyed function that is also a {@link RowFlusher}: events and timers update keyed state and
 * mark keys dirty, and the per-key rows are emitted at flush time only, the latest value of each
 * dirty key once (SPEC §1.9), as {@link FlushPolicy} decides. This is what keeps a user's
 * one-row-per-user tables from being rewritten on every message (issue 12).
 *
 * <p>Exactly-once (SPEC §1.8): dirty keys are flushed in {@link #prepareSnapshotPreBarrier}, so
 * every change a checkpoint's state holds has its rows downstream before the barrier; the chained
 * sinks flush after this operator (Flink prepares a chain from head to tail). The dirty set itself
 * is never part of a snapshot. At the end of input (a bounded run, a drain) everything is flushed.
 *
 * <p>Rows a function emits through its {@code Collector} or side outputs while processing (day
 * rows, vocabulary rows, awards) pass straight through, as with a plain {@code process()}.
 */
public final class FlushingKeyedOperator<K, I, O> extends KeyedProcessOperator<K, I, O>
        implements BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final FlushPolicy policy;

    private transient DirtyKeys<K> dirty;
    private transient RowFlusher<K, O> flusher;
    private transient Rows rows;
    private transient long watermark;
    private transient long eventsSinceTick;
    private transient long lastFlush;

    public <F extends KeyedProcessFunction<K, I, O> & RowFlusher<K, O>> FlushingKeyedOperator(
            F function, FlushPolicy policy) {
        super(function);
        this.policy = policy;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open() throws Exception {
        dirty = new DirtyKeys<>();
        flusher = (RowFlusher<K, O>) userFunction;
        flusher.bind(dirty);
        BackendAware.tell(userFunction, getKeyedStateBackend());
        rows = new Rows();
        watermark = Long.MIN_VALUE;
        super.open();
        if (!policy.isImmediate()) {
            long now = getProcessingTimeService().getCurrentProcessingTime();
            lastFlush = now;
            scheduleTick(now);
        }
    }

    private void scheduleTick(long now) {
        getProcessingTimeService()
                .registerTimer(now + policy.interval().toMillis(), this::onFlushTick);
    }

    private void onFlushTick(long time) throws Exception {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        if (policy.flushAtTick(now, watermark, eventsSinceTick, lastFlush, dirty.size())) {
            flushDirty();
        }
        eventsSinceTick = 0;
        scheduleTick(now);
    }

    @Override
    public void processElement(StreamRecord<I> element) throws Exception {
        super.processElement(element);
        eventsSinceTick++;
        if (policy.isImmediate()) {
            flushDirty();
        }
    }

    @Override
    public void onEventTime(InternalTimer<K, VoidNamespace> timer) throws Exception {
        super.onEventTime(timer);
        if (policy.isImmediate()) {
            flushDirty();
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<K, VoidNamespace> timer) throws Exception {
        super.onProcessingTime(timer);
        if (policy.isImmediate()) {
            flushDirty();
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        super.processWatermark(mark);
        watermark = mark.getTimestamp();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flushDirty();
    }

    @Override
    public void endInput() throws Exception {
        flushDirty();
    }

    @Override
    public void finish() throws Exception {
        flushDirty();
        super.finish();
    }

    private void flushDirty() throws Exception {
        if (dirty.isEmpty()) {
            return;
        }
        for (Map.Entry<K, DirtyKeys.Marks> e : dirty.drain().entrySet()) {
            setCurrentKey(e.getKey());
            flusher.flush(e.getKey(), e.getValue(), rows);
        }
        if (!policy.isImmediate()) {
            lastFlush = getProcessingTimeService().getCurrentProcessingTime();
        }
    }

    /** Flushed rows: no event timestamp (they are the state of a key, not an event). */
    private final class Rows implements RowFlusher.Rows<O> {
        private final StreamRecord<O> reuse = new StreamRecord<>(null);

        @Override
        public void collect(O row) {
            output.collect(reuse.replace(row));
        }

        @Override
        public <X> void output(OutputTag<X> tag, X value) {
            output.collect(tag, new StreamRecord<>(value));
        }
    }
}
