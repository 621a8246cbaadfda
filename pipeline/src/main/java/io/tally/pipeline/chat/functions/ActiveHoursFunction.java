package io.tally.pipeline.chat.functions;

import io.tally.pipeline.chat.logic.ActivitySummary;
import io.tally.pipeline.chat.logic.ChatCalendar;
import io.tally.pipeline.chat.logic.HourlyActivity;
import io.tally.pipeline.chat.records.ActiveHourRow;
import io.tally.pipeline.chat.records.ActivitySummaryRow;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.runtime.DirtyKeys;
import io.tally.pipeline.runtime.RowFlusher;
import java.time.ZoneId;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by user key (excluded senders filtered before): hour-of-day buckets per room and the user's
 * activity summary (SPEC §2.7), all time. A message marks its (room, hour) bucket and the summary
 * dirty; at a flush the changed hour rows go to the main output and the summary row through {@link
 * #SUMMARY}.
 */
public final class ActiveHoursFunction
        extends KeyedProcessFunction<String, ChatMessage, ActiveHourRow>
        implements RowFlusher<String, ActiveHourRow> {
    private static final long serialVersionUID = 1L;

    /** Dirty part: the activity summary row (the hour rows are marked as items). */
    private static final int SUMMARY_ROW = 1;

    public static final OutputTag<ActivitySummaryRow> SUMMARY =
            new OutputTag<>("activity-summary", Types.POJO(ActivitySummaryRow.class));

    private final ZoneId zone;

    private transient ChatCalendar calendar;

    /** Key: room + NUL + hour. */
    private transient MapState<String, HourlyActivity> buckets;

    /** The 24 hourly counts summed over rooms. */
    private transient ValueState<long[]> hours;

    private transient DirtyKeys<String> dirty;

    public ActiveHoursFunction(ZoneId zone) {
        this.zone = zone;
    }

    @Override
    public void open(OpenContext context) {
        calendar = new ChatCalendar(zone);
        buckets =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "hour-buckets",
                                        Types.STRING,
                                        Types.POJO(HourlyActivity.class)));
        hours =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "hour-totals",
                                        org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo
                                                .LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void bind(DirtyKeys<String> dirty) {
        this.dirty = dirty;
    }

    @Override
    public void processElement(ChatMessage m, Context ctx, Collector<ActiveHourRow> out)
            throws Exception {
        String user = ctx.getCurrentKey();
        int hour = calendar.hourOf(m.ts);
        String key = bucketKey(m.room, hour);
        HourlyActivity bucket = buckets.get(key);
        if (bucket == null) {
            bucket = new HourlyActivity();
        }
        bucket.add(m.words, m.codePoints);
        buckets.put(key, bucket);

        long[] counts = hours.value();
        if (counts == null) {
            counts = new long[24];
        }
        counts[hour]++;
        hours.update(counts);
        dirty.markItem(user, key);
        dirty.mark(user, SUMMARY_ROW);
    }

    @Override
    public void flush(String user, DirtyKeys.Marks marks, Rows<ActiveHourRow> out)
            throws Exception {
        for (Object item : marks.items()) {
            String key = (String) item;
            HourlyActivity bucket = buckets.get(key);
            int split = key.lastIndexOf('\u0000');
            ActiveHourRow row = new ActiveHourRow();
            row.username = user;
            row.roomId = key.substring(0, split);
            row.hour = Integer.parseInt(key.substring(split + 1));
            row.messageCount = bucket.messageCount;
            row.wordCount = bucket.wordCount;
            row.avgMessageLength = bucket.avgMessageLength();
            row.version = bucket.messageCount;
            out.collect(row);
        }
        if (marks.has(SUMMARY_ROW)) {
            long[] counts = hours.value();
            long total = 0;
            for (long c : counts) {
                total += c;
            }
            out.output(SUMMARY, summaryRow(user, ActivitySummary.of(counts), total));
        }
    }

    /** The state key of one (room, hour) bucket; the room never holds U+0000 (SPEC §1.6). */
    private static String bucketKey(String room, int hour) {
        return room + '\u0000' + hour;
    }

    private static ActivitySummaryRow summaryRow(String user, ActivitySummary s, long total) {
        ActivitySummaryRow r = new ActivitySummaryRow();
        r.username = user;
        r.mostActiveHour = s.mostActiveHour();
        r.leastActiveHour = s.leastActiveHour();
        r.morningMessages = s.morningMessages();
        r.afternoonMessages = s.afternoonMessages();
        r.eveningMessages = s.eveningMessages();
        r.nightMessages = s.nightMessages();
        r.nightOwlScore = s.nightOwlScore();
        r.earlyBirdScore = s.earlyBirdScore();
        r.consistencyScore = s.consistencyScore();
        r.version = total;
        return r;
    }
}
