package io.tally.pipeline.runtime;

import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * Flink's {@link KeyedProcessOperator} that tells a {@link BackendAware} function where its keyed
 * state lives before opening it. Same state and timers as the operator it extends, so a savepoint
 * of one restores into the other under the same uid.
 */
public final class BackendAwareKeyedOperator<K, I, O> extends KeyedProcessOperator<K, I, O> {
    private static final long serialVersionUID = 1L;

    public BackendAwareKeyedOperator(KeyedProcessFunction<K, I, O> function) {
        super(function);
    }

    @Override
    public void open() throws Exception {
        BackendAware.tell(userFunction, getKeyedStateBackend());
        super.open();
    }
}
