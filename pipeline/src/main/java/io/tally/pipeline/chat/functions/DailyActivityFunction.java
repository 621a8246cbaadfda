package io.tally.pipeline.chat.functions;

import io.tally.pipeline.chat.logic.ChatCalendar;
import io.tally.pipeline.chat.logic.DailyActivity;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.chat.records.DailyActivityRow;
import io.tally.pipeline.runtime.DirtyKeys;
import io.tally.pipeline.runtime.EventTimeKeyedFunction;
import io.tally.pipeline.runtime.RowFlusher;
import java.time.LocalDate;
import java.time.ZoneId;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.Collector;

/**
 * Keyed by user key: one accumulator per calendar day in {@code timezone} (SPEC §2.5). A late
 * message simply adds to its day, so every day is complete. When the watermark passes the end of a
 * day's retention window, the day's state is dropped and its row deleted (SPEC §1.10) — but not
 * because a bounded input ended (SPEC §1.4). Excluded senders are filtered before this function. A
 * message marks its day dirty and the day row is written at the next flush; a retention delete goes
 * out when it happens.
 */
public final class DailyActivityFunction
        extends EventTimeKeyedFunction<String, ChatMessage, DailyActivityRow>
        implements RowFlusher<String, DailyActivityRow> {
    private static final long serialVersionUID = 1L;

    private final ZoneId zone;
    private final int retentionDays;

    private transient ChatCalendar calendar;
    private transient MapState<Long, DailyActivity> days;
    private transient DirtyKeys<String> dirty;

    public DailyActivityFunction(ZoneId zone, int retentionDays) {
        this.zone = zone;
        this.retentionDays = retentionDays;
    }

    @Override
    public void open(OpenContext context) {
        calendar = new ChatCalendar(zone);
        days =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "days", Types.LONG, Types.POJO(DailyActivity.class)));
    }

    @Override
    public void bind(DirtyKeys<String> dirty) {
        this.dirty = dirty;
    }

    @Override
    public void processElement(ChatMessage m, Context ctx, Collector<DailyActivityRow> out)
            throws Exception {
        observe(m.ts);
        LocalDate date = calendar.dayOf(m.ts);
        long epochDay = date.toEpochDay();
        DailyActivity day = days.get(epochDay);
        if (day == null) {
            day = new DailyActivity();
            // SPEC §2.5: the row goes once date < date(watermark) − retention-days, i.e. when the
            // watermark reaches the start of date + retention-days + 1.
            ctx.timerService().registerEventTimeTimer(retentionEnd(date));
        }
        day.add(m.ts, m.words, m.codePoints);
        days.put(epochDay, day);
        dirty.markItem(ctx.getCurrentKey(), epochDay);
    }

    @Override
    public void flush(String user, DirtyKeys.Marks marks, Rows<DailyActivityRow> out)
            throws Exception {
        for (Object item : marks.items()) {
            long epochDay = (Long) item;
            DailyActivity day = days.get(epochDay);
            // Gone: retention deleted the day since it was marked, and wrote its delete then.
            if (day != null) {
                out.collect(row(user, LocalDate.ofEpochDay(epochDay), day, false));
            }
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<DailyActivityRow> out)
            throws Exception {
        if (isEndOfInput(timestamp, ctx.timerService().currentWatermark())) {
            return;
        }
        LocalDate date = retentionDay(timestamp);
        DailyActivity day = days.get(date.toEpochDay());
        if (day != null) {
            days.remove(date.toEpochDay());
            out.collect(row(ctx.getCurrentKey(), date, day, true));
        }
    }

    private long retentionEnd(LocalDate date) {
        return calendar.startOfDay(date.plusDays(retentionDays + 1L));
    }

    /** The day whose retention ends at {@code timerTime}. */
    private LocalDate retentionDay(long timerTime) {
        return calendar.dayOf(timerTime).minusDays(retentionDays + 1L);
    }

    private static DailyActivityRow row(
            String user, LocalDate date, DailyActivity day, boolean deleted) {
        DailyActivityRow r = new DailyActivityRow();
        r.username = user;
        r.epochDay = date.toEpochDay();
        r.messageCount = day.messageCount;
        r.wordCount = day.wordCount;
        r.firstMessageTime = day.firstMessageTime;
        r.lastMessageTime = day.lastMessageTime;
        r.avgMessageLength = day.avgMessageLength();
        r.version = deleted ? day.messageCount + 1 : day.messageCount;
        r.deleted = deleted;
        return r;
    }
}
