package io.tally.pipeline.runtime;

import org.apache.flink.util.OutputTag;

/**
 * A keyed function whose per-key rows a {@link FlushingKeyedOperator} writes at flush time, once
 * for each key marked dirty since the last flush, instead of one row per event (SPEC §1.9). The
 * function marks what changed in {@link #bind}'s registry while it processes events and timers.
 */
public interface RowFlusher<K, O> {

    /** Where flushed rows go: the operator's main output or one of its side outputs. */
    interface Rows<O> {
        void collect(O row);

        <X> void output(OutputTag<X> tag, X value);
    }

    /** Called once, before the first element, with the registry to mark dirty keys in. */
    void bind(DirtyKeys<K> dirty);

    /**
     * Emits the current rows of {@code key} (also the operator's current key, so keyed state reads
     * its values) for what {@code marks} says changed.
     */
    void flush(K key, DirtyKeys.Marks marks, Rows<O> out) throws Exception;
}
