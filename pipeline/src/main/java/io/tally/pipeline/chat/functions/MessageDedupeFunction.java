package io.tally.pipeline.chat.functions;

import io.tally.connectors.kafka.BadRecordReason;
import io.tally.connectors.kafka.DeadLetter;
import io.tally.pipeline.chat.ChatCalendar;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.job.StatusDelta;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by user key: passes each message id on once (SPEC §1.7) and drops a message whose day is
 * already out of the retention window as {@code too-late} (SPEC §1.5). An id's "seen" mark lives
 * until the message itself would be too late, so dedupe state is bounded by the retention horizon.
 *
 * <p>Keyed by user rather than by id so that a user's messages keep their Kafka order through the
 * whole pipeline (every later operator is keyed by user too): achievements are awarded at the
 * update that meets a tier (SPEC §2.9), which must not depend on a shuffle's interleaving. A repeat
 * carries the same id and the same sender, so per-user dedupe finds every repeat.
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
    private transient MapState<String, Boolean> seen;
    private transient MapState<Long, List<String>> forget;
    private transient Counter lateDropped;
    private transient Counter duplicates;

    public MessageDedupeFunction(ZoneId zone, int retentionDays) {
        this.zone = zone;
        this.retentionDays = retentionDays;
    }

    @Override
    public void open(OpenContext context) {
        calendar = new ChatCalendar(zone);
        seen =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>("seen-ids", Types.STRING, Types.BOOLEAN));
        forget =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "forget-at", Types.LONG, Types.LIST(Types.STRING)));
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
        if (seen.contains(m.id)) {
            duplicates.inc();
            ctx.output(STATUS, StatusDelta.of("chat", 0, 0, 0, 1));
            return;
        }
        seen.put(m.id, true);
        // Forget the id when the message itself would be too late: a repeat after that is dropped
        // as too-late anyway.
        long forgetAt = calendar.startOfDay(day.plusDays(retentionDays + 1L));
        List<String> ids = forget.get(forgetAt);
        if (ids == null) {
            ids = new ArrayList<>();
            ctx.timerService().registerEventTimeTimer(forgetAt);
        }
        ids.add(m.id);
        forget.put(forgetAt, ids);
        out.collect(m);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ChatMessage> out)
            throws Exception {
        List<String> ids = forget.get(timestamp);
        if (ids != null) {
            for (String id : ids) {
                seen.remove(id);
            }
            forget.remove(timestamp);
        }
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
