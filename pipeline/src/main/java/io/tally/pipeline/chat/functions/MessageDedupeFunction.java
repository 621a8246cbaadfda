package io.tally.pipeline.chat.functions;

import io.tally.connectors.kafka.BadRecordReason;
import io.tally.connectors.kafka.DeadLetter;
import io.tally.pipeline.chat.logic.ChatCalendar;
import io.tally.pipeline.chat.logic.WordTable;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.runtime.BackendAware;
import io.tally.pipeline.runtime.StatusDelta;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
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
 *
 * <p>The watermark a restored (or restarted) operator sees is {@code Long.MIN_VALUE} until every
 * input partition has reported again, so judging by it alone accepted, after every restore, old
 * messages that a failure-free run drops as too-late: counted forever, and able to bring back a day
 * row that retention had deleted (issue 9, SPEC §1.8). So the operator keeps the highest watermark
 * it has seen in operator state (union list state: every subtask gets every subtask's value on
 * restore, also at another parallelism, and takes the maximum; all subtasks of this keyed operator
 * see the same watermarks, the minimum over the same upstream channels) and judges against
 * max(restored, current). A {@code Long.MAX_VALUE} watermark is the end of an input (a finished
 * bounded source, a drained stop-with-savepoint), not time passing (SPEC §1.4): it is neither kept
 * nor used, or every message after a resumed drain would be too late.
 */
public final class MessageDedupeFunction
        extends KeyedProcessFunction<String, ChatMessage, ChatMessage>
        implements CheckpointedFunction, BackendAware {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> TOO_LATE =
            new OutputTag<>("chat-too-late", Types.POJO(DeadLetter.class));
    public static final OutputTag<StatusDelta> STATUS =
            new OutputTag<>("chat-dedupe-status", Types.POJO(StatusDelta.class));

    private final ZoneId zone;
    private final int retentionDays;

    private transient ChatCalendar calendar;

    // forgetAt of the last day asked for: most messages in a row share their day.
    private transient LocalDate forgetDay;
    private transient long forgetDayAt;

    /**
     * Every id passed on → the epoch day of its message, until that day leaves the retention window
     * (one daily timer per user removes the expired ones): a packed table on the heap, a map entry
     * each ({@code seen-id-days}) on RocksDB ({@link UserStrings}).
     */
    private transient UserStrings<Integer> seen;

    private transient boolean stateOnHeap;

    // As savepoints before issue 12 hold them: the ids, and the same ids again listed by the time
    // they expire. Moved into seen-id-days the first time the user is seen again (or its timer
    // fires), the only time they are read.
    private transient MapState<String, Boolean> legacySeen;
    private transient MapState<Long, List<String>> legacyForget;
    private transient Counter lateDropped;
    private transient Counter duplicates;

    // The highest finite watermark this subtask has judged by (or restored), and its checkpointed
    // copy. Operator state, not keyed: time is the same for every key.
    private transient long highestWatermark;
    private transient ListState<Long> highestWatermarkState;
    // Kept from the first element so a snapshot can record the watermark as it is then, even if
    // no element has arrived since it moved.
    private transient TimerService timerService;

    public MessageDedupeFunction(ZoneId zone, int retentionDays) {
        this.zone = zone;
        this.retentionDays = retentionDays;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        highestWatermarkState =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>("highest-watermark", Types.LONG));
        highestWatermark = Long.MIN_VALUE;
        for (Long w : highestWatermarkState.get()) {
            highestWatermark = Math.max(highestWatermark, w);
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        if (timerService != null) {
            advanceTo(timerService.currentWatermark());
        }
        highestWatermarkState.update(List.of(highestWatermark));
    }

    /** Raises the highest watermark to {@code watermark} unless it is the end of input. */
    private long advanceTo(long watermark) {
        if (watermark != Long.MAX_VALUE && watermark > highestWatermark) {
            highestWatermark = watermark;
        }
        return highestWatermark;
    }

    @Override
    public void stateOnHeap(boolean onHeap) {
        this.stateOnHeap = onHeap;
    }

    @Override
    public void open(OpenContext context) {
        calendar = new ChatCalendar(zone);
        seen =
                new UserStrings<>(
                        getRuntimeContext()
                                .getState(
                                        new ValueStateDescriptor<>(
                                                "seen-ids-packed", Types.POJO(WordTable.class))),
                        getRuntimeContext()
                                .getMapState(
                                        new MapStateDescriptor<>(
                                                "seen-id-days", Types.STRING, Types.INT)),
                        day -> (int) day,
                        Integer::longValue,
                        stateOnHeap);
        legacySeen =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>("seen-ids", Types.STRING, Types.BOOLEAN));
        legacyForget =
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
        timerService = ctx.timerService();
        long watermark = advanceTo(timerService.currentWatermark());
        LocalDate day = calendar.dayOf(m.ts);
        if (watermark != Long.MIN_VALUE
                && day.isBefore(calendar.dayOf(watermark).minusDays(retentionDays))) {
            lateDropped.inc();
            ctx.output(TOO_LATE, tooLate(m, watermark));
            ctx.output(STATUS, StatusDelta.of("chat", 0, 0, 1, 0));
            return;
        }
        if (seen.load()) {
            moveLegacyIds();
        }
        if (seen.get(m.id) != UserStrings.UNKNOWN) {
            seen.store();
            duplicates.inc();
            ctx.output(STATUS, StatusDelta.of("chat", 0, 0, 0, 1));
            return;
        }
        seen.addNew(m.id, day.toEpochDay());
        seen.store();
        // Forget the id when the message itself would be too late: a repeat after that is dropped
        // as too-late anyway. One timer per user and day (registering it again is a no-op).
        ctx.timerService().registerEventTimeTimer(forgetAt(day));
        out.collect(m);
    }

    /** When the ids of messages on {@code day} are forgotten: the start of its too-late day. */
    private long forgetAt(LocalDate day) {
        if (!day.equals(forgetDay)) {
            forgetDay = day;
            forgetDayAt = calendar.startOfDay(day.plusDays(retentionDays + 1L));
        }
        return forgetDayAt;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ChatMessage> out)
            throws Exception {
        if (ctx.timerService().currentWatermark() == Long.MAX_VALUE) {
            // The input ended (a bounded run, a drain): time did not pass (SPEC §1.4), so the ids
            // are kept. A later day's timer forgets every id whose day has expired, these too.
            return;
        }
        advanceTo(ctx.timerService().currentWatermark());
        long expiredDay = calendar.dayOf(timestamp).minusDays(retentionDays + 1L).toEpochDay();
        if (seen.load()) {
            moveLegacyIds();
        }
        seen.removeValuesUpTo(expiredDay);
        if (seen.isEmpty()) {
            seen.clear(); // drops the user's empty table and map, not only their entries
        } else {
            seen.store();
        }
    }

    /**
     * Moves the user's ids from the states of savepoints before issue 12, if any, and clears them.
     * An id's day is recovered from its forget time, {@link #forgetAt}: the start of day +
     * retention + 1 (the timer registered for that time is still there and now forgets it from
     * {@link #seen}).
     */
    private void moveLegacyIds() throws Exception {
        boolean found = false;
        for (Map.Entry<Long, List<String>> e : legacyForget.entries()) {
            long day = calendar.dayOf(e.getKey()).minusDays(retentionDays + 1L).toEpochDay();
            for (String id : e.getValue()) {
                seen.addNew(id, day);
            }
            found = true;
        }
        if (found) { // a clear is a scan on RocksDB, and most users are new
            legacyForget.clear();
            legacySeen.clear();
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
