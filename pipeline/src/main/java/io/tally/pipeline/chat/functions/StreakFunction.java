package io.tally.pipeline.chat.functions;

import io.tally.pipeline.chat.logic.ChatCalendar;
import io.tally.pipeline.chat.logic.StreakCalculator;
import io.tally.pipeline.chat.logic.Streaks;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.chat.records.StreakRow;
import io.tally.pipeline.runtime.DirtyKeys;
import io.tally.pipeline.runtime.EventTimeKeyedFunction;
import io.tally.pipeline.runtime.KeyedInstants;
import io.tally.pipeline.runtime.RowFlusher;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Arrays;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.util.Collector;

/**
 * Keyed by user key (excluded senders filtered before): the user's streaks (SPEC §2.6), evaluated
 * at {@code asOf} = the largest event time or fired timer time seen for the user (SPEC §1.4).
 *
 * <p>One event-time timer per user, at the next instant the row would change with no new message:
 * the start of the day the current streak breaks, or of the day the oldest active day leaves the
 * retention window. Every active day ever is kept (one long per day): the all-time fields need the
 * exact runs, and a day older than the window can never arrive again (it would be {@code
 * too-late}).
 *
 * <p>A message or a fired timer marks the user dirty; the row, evaluated at the user's asOf then,
 * is written at the next flush.
 */
public final class StreakFunction extends EventTimeKeyedFunction<String, ChatMessage, StreakRow>
        implements RowFlusher<String, StreakRow> {
    private static final long serialVersionUID = 1L;

    private final ZoneId zone;
    private final int retentionDays;

    private transient ChatCalendar calendar;

    /** Sorted distinct epoch days with at least one message. */
    private transient ValueState<long[]> activeDays;

    private transient KeyedInstants.AsOf asOf;
    private transient KeyedInstants.SingleTimer timer;
    private transient DirtyKeys<String> dirty;

    public StreakFunction(ZoneId zone, int retentionDays) {
        this.zone = zone;
        this.retentionDays = retentionDays;
    }

    @Override
    public void open(OpenContext context) {
        calendar = new ChatCalendar(zone);
        activeDays =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "active-days",
                                        org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo
                                                .LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        asOf = new KeyedInstants.AsOf(getRuntimeContext(), "as-of");
        timer = new KeyedInstants.SingleTimer(getRuntimeContext(), "timer");
    }

    @Override
    public void bind(DirtyKeys<String> dirty) {
        this.dirty = dirty;
    }

    @Override
    public void processElement(ChatMessage m, Context ctx, Collector<StreakRow> out)
            throws Exception {
        observe(m.ts);
        long day = calendar.dayOf(m.ts).toEpochDay();
        long[] days = activeDays.value();
        boolean newDay = days == null || Arrays.binarySearch(days, day) < 0;
        if (newDay) {
            days = insert(days, day);
            activeDays.update(days);
        }
        long evaluatedAt = asOf.advanceTo(m.ts);
        dirty.mark(ctx.getCurrentKey(), 1);
        reschedule(ctx, days, evaluatedAt);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<StreakRow> out)
            throws Exception {
        timer.fired();
        if (isEndOfInput(timestamp, ctx.timerService().currentWatermark())) {
            return;
        }
        long[] days = activeDays.value();
        long evaluatedAt = asOf.advanceTo(timestamp);
        dirty.mark(ctx.getCurrentKey(), 1);
        reschedule(ctx, days, evaluatedAt);
    }

    @Override
    public void flush(String user, DirtyKeys.Marks marks, Rows<StreakRow> out) throws Exception {
        long[] days = activeDays.value();
        long evaluatedAt = asOf.get();
        Streaks s = StreakCalculator.compute(days, calendar.dayOf(evaluatedAt), retentionDays);
        StreakRow r = new StreakRow();
        r.username = user;
        r.currentStreak = s.currentStreak();
        r.bestStreak = s.bestStreak();
        r.lastActiveEpochDay = s.lastActiveDate().toEpochDay();
        r.streakStartEpochDay =
                s.streakStartDate() == null ? null : s.streakStartDate().toEpochDay();
        r.totalActiveDays = s.totalActiveDays();
        r.bestStreakAllTime = s.bestStreakAllTime();
        r.totalActiveDaysAllTime = s.totalActiveDaysAllTime();
        r.asOf = evaluatedAt;
        // asOf never moves back and is reached again by any replay, so it is a version that only
        // grows and is the same in a run that failed and recovered (SPEC §1.8). A late message
        // changes the row at the same asOf: equal versions overwrite.
        r.version = evaluatedAt;
        out.collect(r);
    }

    /**
     * Keeps exactly one timer: at the start of the next day the row would change (SPEC §3.4 style).
     */
    private void reschedule(Context ctx, long[] days, long evaluatedAt) throws Exception {
        LocalDate next =
                StreakCalculator.nextChange(days, calendar.dayOf(evaluatedAt), retentionDays);
        timer.moveTo(ctx.timerService(), next == null ? null : calendar.startOfDay(next));
    }

    private static long[] insert(long[] days, long day) {
        if (days == null) {
            return new long[] {day};
        }
        int at = -Arrays.binarySearch(days, day) - 1;
        long[] out = new long[days.length + 1];
        System.arraycopy(days, 0, out, 0, at);
        out[at] = day;
        System.arraycopy(days, at, out, at + 1, days.length - at);
        return out;
    }
}
