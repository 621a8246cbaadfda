package io.tally.pipeline.runtime;

import java.io.Serializable;
import java.time.Duration;

/**
 * When a {@link FlushingKeyedOperator} writes its dirty keys' rows (SPEC §1.9).
 *
 * <ul>
 *   <li>Always before a checkpoint barrier and at the end of input.
 *   <li>Live, every {@code interval}: a row is readable about a second after its event.
 *   <li>While it replays history, every {@code catchUpInterval}: the watermark is more than {@code
 *       catchUpLag} behind the wall clock and events are still arriving. A per-user row touched by
 *       every flush of a backfill would otherwise be written dozens of times for one final value;
 *       nobody reads a backfill's rows before it has caught up. As soon as a flush tick sees no new
 *       event (the backlog is drained, or the input paused), the rows are written at once.
 * </ul>
 *
 * Only when rows are written depends on the wall clock, never what they hold (SPEC §1.1).
 *
 * @param interval {@code flush-interval}; zero writes after every event and timer (unit tests)
 * @param catchUpInterval {@code catch-up-flush-interval}
 * @param catchUpLag how far the watermark must trail the wall clock to count as history
 */
public record FlushPolicy(Duration interval, Duration catchUpInterval, Duration catchUpLag)
        implements Serializable {

    /** Event time this far behind the wall clock is a replay of history, not live traffic. */
    public static final Duration CATCH_UP_LAG = Duration.ofMinutes(1);

    /**
     * A flush is forced once this many keys are dirty, whatever the policy: bounds the memory a
     * long catch-up interval can hold (one small entry per key).
     */
    public static final int MAX_DIRTY_KEYS = 200_000;

    public FlushPolicy {
        if (interval.isNegative() || catchUpInterval.isNegative() || catchUpLag.isNegative()) {
            throw new IllegalArgumentException("flush durations must not be negative");
        }
    }

    /** The job's policy: {@code flush-interval}, {@code catch-up-flush-interval}. */
    public static FlushPolicy of(Duration interval, Duration catchUpInterval) {
        return new FlushPolicy(interval, catchUpInterval, CATCH_UP_LAG);
    }

    /** Rows after every event and timer: what harness tests of one function check. */
    public static FlushPolicy immediate() {
        return new FlushPolicy(Duration.ZERO, Duration.ZERO, CATCH_UP_LAG);
    }

    public boolean isImmediate() {
        return interval.isZero();
    }

    /**
     * Whether a flush tick at {@code now} writes the dirty rows.
     *
     * @param watermark the operator's current watermark
     * @param eventsSinceLastTick events processed since the previous tick
     * @param lastFlush wall-clock time of the previous flush
     * @param dirtyKeys how many keys wait
     */
    public boolean flushAtTick(
            long now, long watermark, long eventsSinceLastTick, long lastFlush, int dirtyKeys) {
        if (dirtyKeys == 0) {
            return false;
        }
        boolean history =
                watermark != Long.MIN_VALUE
                        && watermark != Long.MAX_VALUE
                        && watermark < now - catchUpLag.toMillis();
        return !history
                || eventsSinceLastTick == 0
                || now - lastFlush >= catchUpInterval.toMillis()
                || dirtyKeys >= MAX_DIRTY_KEYS;
    }
}
