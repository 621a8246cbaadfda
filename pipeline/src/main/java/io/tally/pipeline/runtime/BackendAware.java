package io.tally.pipeline.runtime;

import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;

/**
 * A keyed function that keeps its state one way on the heap and another in a backend that
 * serializes a value on every read and write (RocksDB, ForSt, changelog): a large value is cheap to
 * touch per event on the heap and costly there. Its operator ({@link FlushingKeyedOperator}, {@link
 * BackendAwareKeyedOperator}) says which, once, before the function's {@code open}.
 */
public interface BackendAware {

    void stateOnHeap(boolean onHeap);

    /** Tells {@code function} where {@code backend} keeps state, if it wants to know. */
    static void tell(Object function, KeyedStateBackend<?> backend) {
        if (function instanceof BackendAware aware) {
            aware.stateOnHeap(backend instanceof HeapKeyedStateBackend);
        }
    }
}
