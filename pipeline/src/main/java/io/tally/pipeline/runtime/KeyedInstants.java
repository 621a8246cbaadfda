package io.tally.pipeline.runtime;

import java.util.Objects;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

/**
 * Two per-key instants the event-time operators share, each in one {@code LONG} value state (the
 * state names stay those of the operators' savepoints).
 */
public final class KeyedInstants {
    private KeyedInstants() {}

    /** An evaluation instant that never moves backwards (SPEC §1.4), e.g. a row's {@code as_of}. */
    public static final class AsOf {
        private final ValueState<Long> state;

        public AsOf(RuntimeContext context, String stateName) {
            state = context.getState(new ValueStateDescriptor<>(stateName, Types.LONG));
        }

        /** Moves to {@code time} unless already later; returns the instant now held. */
        public long advanceTo(long time) throws Exception {
            Long previous = state.value();
            long next = previous == null ? time : Math.max(previous, time);
            state.update(next);
            return next;
        }

        /** The instant held, or null before the key's first event. */
        public Long get() throws Exception {
            return state.value();
        }
    }

    /**
     * Exactly one event-time timer per key: the instant at which the key's row would next change by
     * time alone, moved as the state changes.
     */
    public static final class SingleTimer {
        private final ValueState<Long> state;

        public SingleTimer(RuntimeContext context, String stateName) {
            state = context.getState(new ValueStateDescriptor<>(stateName, Types.LONG));
        }

        /**
         * Deletes the timer held, if it is another, and registers {@code wanted} (none if null).
         */
        public void moveTo(TimerService timers, Long wanted) throws Exception {
            Long current = state.value();
            if (Objects.equals(current, wanted)) {
                return;
            }
            if (current != null) {
                timers.deleteEventTimeTimer(current);
            }
            if (wanted != null) {
                timers.registerEventTimeTimer(wanted);
            }
            state.update(wanted);
        }

        /** The instant of the timer held, or null. */
        public Long get() throws Exception {
            return state.value();
        }

        /** Call when the timer fired: none is held any more. */
        public void fired() {
            state.clear();
        }
    }
}
