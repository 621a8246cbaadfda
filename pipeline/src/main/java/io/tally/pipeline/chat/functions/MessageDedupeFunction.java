package io.tally.pipeline.chat.functions;

import io.tally.connectors.kafka.BadRecordReason;
import io.tally.connectors.kafka.DeadLetter;
import io.tally.pipeline.chat.ChatCalendar;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.job.StatusDelta;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by message id: passes each message on once (SPEC §1.7) and drops a message whose day is
 * already out of the retention window as {@code too-late} (SPEC §1.5). The "seen" mark lives until
 * the message itself would be too late, so dedupe state is bounded by the retention horizon.
 *
 * <p>Too late is decided on calendar days, like the deletion of day rows (SPEC §2.5): a message is
 * too late when its date is before {@code date(watermark) − retention-days}, so it can never bring
 * back a day row that retention already deleted.
 */
public final class MessageDedupeFunction
        extends KeyedProcessFunction<String, ChatMessage, ChatMessage> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> TOO_LATE =
            new OutputTag<>("chat-too-late", Types.POJO(DeadLetter.class));
    public static final OutputTag<StatusDelta> STATUS =
            new OutputTag<>("chat-dedupe-status", Types.POJO(StatusDelta.class));

    private final ZoneId zone;
    private final int retentionDays;

    private transient ChatCalendar calendar;
    private transient ValueState<Boolean> seen;
    private transient Counter lateDropped;
    private transient Counter duplicates;

    public MessageDedupeFunction(ZoneId zone, int retentionDays) {
        this.zone = zone;
        this.retentionDays = retentionDays;
    }

    @Override
    public void open(OpenContext context) {
        calendar = new ChatCalendar(zone);
        seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen", Types.BOOLEAN));
        lateDropped = getRuntimeContext().getMetricGroup().counter("lateDropped");
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicates");
    }

    @Override
    public void processElement(ChatMessage m, Context ctx, Collector<ChatMessage> out)
            throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        LocalDate day = calendar.dayOf(m.ts);
        if (watermark != Long.MIN_VALUE
                && day.isBefore(calendar.dayOf(watermark).minusDays(retentionDays))) {
            lateDropped.inc();
            ctx.output(TOO_LATE, tooLate(m, watermark));
            ctx.output(STATUS, StatusDelta.of("chat", 0, 0, 1, 0));
            return;
        }
        if (seen.value() != null) {
            duplicates.inc();
            ctx.output(STATUS, StatusDelta.of("chat", 0, 0, 0, 1));
            return;
        }
        seen.update(true);
        // Forget the id when the message itself would be too late: a repeat after that is dropped
        // as too-late anyway.
        ctx.timerService()
                .registerEventTimeTimer(calendar.startOfDay(day.plusDays(retentionDays + 1L)));
        out.collect(m);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ChatMessage> out) {
        seen.clear();
    }

    private DeadLetter tooLate(ChatMessage m, long watermark) {
        DeadLetter d = new DeadLetter();
        d.sourceTopic = m.sourceTopic;
        d.partition = m.sourcePartition;
        d.offset = m.sourceOffset;
        d.key = m.userKey;
        d.value = ChatMessageJson.write(m);
        d.reason = BadRecordReason.TOO_LATE.code();
        d.error =
                "ts: "
                        + Instant.ofEpochMilli(m.ts)
                        + " is older than the retention horizon of "
                        + retentionDays
                        + " days behind the watermark "
                        + Instant.ofEpochMilli(watermark);
        d.at = Instant.now().toString();
        return d;
    }
}
