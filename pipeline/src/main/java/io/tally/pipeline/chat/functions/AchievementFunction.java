package io.tally.pipeline.chat.functions;

import io.tally.pipeline.chat.logic.AchievementRules;
import io.tally.pipeline.chat.logic.AchievementType;
import io.tally.pipeline.chat.logic.ChatCalendar;
import io.tally.pipeline.chat.logic.Tier;
import io.tally.pipeline.chat.logic.UserAchievements;
import io.tally.pipeline.chat.logic.Vocabulary;
import io.tally.pipeline.chat.logic.WordTable;
import io.tally.pipeline.chat.records.AchievementProgressRow;
import io.tally.pipeline.chat.records.AchievementRow;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.runtime.BackendAware;
import io.tally.pipeline.runtime.DirtyKeys;
import io.tally.pipeline.runtime.RowFlusher;
import io.tally.pipeline.runtime.UserKey;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 * Keyed by user key, every sender (deduplicated messages): awards achievement tiers and keeps
 * {@code achievement_progress} (SPEC §2.9).
 *
 * <p>SPEC §2.9 dates an award with "the update that met it" in (ts, id) order per user, as if the
 * user's messages had arrived sorted; arrival order depends on the Kafka key and on how partitions
 * interleave, which must not matter (§1.1, §2.1). So a message is held in keyed state, with an
 * event-time timer at its ts, until the watermark passes it; all messages of a user then pass the
 * watermark in ts order (timers of one key fire in time order) and, within one ts, are applied in
 * id order to the {@link UserAchievements} accumulator. Latency of this table alone grows by the
 * out-of-orderness bound (a few seconds), which the SPEC allows.
 *
 * <p>A message that arrives behind the watermark (late, but within retention: older ones were
 * dropped as too-late upstream) is applied at once: nothing still held is older than it. Such a
 * message may award a tier at its own ts but never moves an award already written (awards are never
 * revoked nor rewritten, and the table is insert-only); exact order is guaranteed for input within
 * the out-of-orderness bound, which is the contract the watermark expresses.
 *
 * <p>At the end of a bounded input the final +∞ watermark fires every timer: the held messages are
 * events, not time passing (§1.4), so they are all applied, unlike the timers that {@code
 * EventTimeKeyedFunction} discards.
 */
public final class AchievementFunction
        extends KeyedProcessFunction<String, ChatMessage, AchievementProgressRow>
        implements RowFlusher<String, AchievementProgressRow>, BackendAware {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<AchievementRow> AWARDS =
            new OutputTag<>("achievements", Types.POJO(AchievementRow.class));

    /** (ts, id): the order SPEC §2.9 judges awards in; ids compare as Java strings. */
    static final Comparator<ChatMessage> EVENT_ORDER =
            Comparator.comparingLong((ChatMessage m) -> m.ts).thenComparing(m -> m.id);

    private final ZoneId zone;
    private final HashSet<String> excludedUserKeys;

    private transient ChatCalendar calendar;
    private transient ValueState<UserAchievements> achievements;

    /**
     * Every distinct §2.8 vocabulary token of the user: vocabulary_size must be exact. Packed in a
     * table on the heap, a map entry each in {@code vocabulary} on RocksDB and for words restored
     * from before the table ({@link UserStrings}).
     */
    private transient UserStrings<Boolean> vocabulary;

    /** Messages the watermark has not passed yet, by ts; one timer per ts. */
    private transient MapState<Long, List<ChatMessage>> pending;

    /** Dirty parts: bit {@link AchievementType#ordinal()} for each progress row that changed. */
    private transient DirtyKeys<String> dirty;

    private transient boolean stateOnHeap;

    /**
     * @param excludedUserKeys the configured excluded senders as user keys (SPEC §2.2)
     */
    public AchievementFunction(ZoneId zone, Collection<String> excludedUserKeys) {
        this.zone = zone;
        this.excludedUserKeys = new HashSet<>(excludedUserKeys);
    }

    @Override
    public void stateOnHeap(boolean onHeap) {
        this.stateOnHeap = onHeap;
    }

    @Override
    public void open(OpenContext context) {
        calendar = new ChatCalendar(zone);
        achievements =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "user-achievements", Types.POJO(UserAchievements.class)));
        vocabulary =
                new UserStrings<>(
                        getRuntimeContext()
                                .getState(
                                        new ValueStateDescriptor<>(
                                                "vocabulary-words", Types.POJO(WordTable.class))),
                        getRuntimeContext()
                                .getMapState(
                                        new MapStateDescriptor<>(
                                                "vocabulary", Types.STRING, Types.BOOLEAN)),
                        value -> Boolean.TRUE,
                        known -> 0,
                        stateOnHeap);
        pending =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "pending-messages",
                                        Types.LONG,
                                        Types.LIST(Types.POJO(ChatMessage.class))));
    }

    @Override
    public void bind(DirtyKeys<String> dirty) {
        this.dirty = dirty;
    }

    @Override
    public void processElement(ChatMessage m, Context ctx, Collector<AchievementProgressRow> out)
            throws Exception {
        if (m.ts <= ctx.timerService().currentWatermark()) {
            // Late: a timer at m.ts would only fire at the next watermark, after newer messages.
            apply(List.of(m), ctx);
            return;
        }
        List<ChatMessage> atTs = pending.get(m.ts);
        if (atTs == null) {
            atTs = new ArrayList<>();
            ctx.timerService().registerEventTimeTimer(m.ts);
        }
        atTs.add(m);
        pending.put(m.ts, atTs);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AchievementProgressRow> out)
            throws Exception {
        List<ChatMessage> due = pending.get(timestamp);
        if (due == null) {
            return;
        }
        pending.remove(timestamp);
        List<ChatMessage> sorted = new ArrayList<>(due);
        sorted.sort(EVENT_ORDER);
        apply(sorted, ctx);
    }

    /**
     * Applies {@code messages}, already in (ts, id) order: emits their awards, and marks the
     * progress rows that changed for the next flush.
     */
    private void apply(List<ChatMessage> messages, Context ctx) throws Exception {
        String user = ctx.getCurrentKey();
        boolean excluded = UserKey.isExcluded(user, excludedUserKeys);
        List<AchievementType> types = UserAchievements.applicableTypes(excluded);
        UserAchievements a = achievements.value();
        boolean first = a == null;
        if (first) {
            a = new UserAchievements();
        }
        long[] valueBefore = new long[types.size()];
        int[] tiersBefore = new int[types.size()];
        for (int i = 0; i < types.size(); i++) {
            valueBefore[i] = a.value(types.get(i));
            tiersBefore[i] = a.awardedCount(types.get(i));
        }

        if (!excluded) {
            vocabulary.load();
        }
        for (ChatMessage m : messages) {
            a.addMessage(m.words);
            if (!excluded) {
                a.addContent(
                        MessageMetrics.features(m),
                        calendar.dayOf(m.ts).toEpochDay(),
                        calendar.hourOf(m.ts),
                        newDistinctWords(m.text));
            }
            for (AchievementType type : types) {
                for (Tier tier : a.awardDue(type)) {
                    ctx.output(AWARDS, award(user, type, tier, m.ts));
                }
            }
        }
        achievements.update(a);
        if (!excluded) {
            vocabulary.store();
        }

        // One progress row per type that changed; every applicable type on the first message.
        int changed = 0;
        for (int i = 0; i < types.size(); i++) {
            AchievementType type = types.get(i);
            if (first
                    || a.value(type) != valueBefore[i]
                    || a.awardedCount(type) != tiersBefore[i]) {
                changed |= 1 << type.ordinal();
            }
        }
        if (changed != 0) {
            dirty.mark(user, changed);
        }
    }

    @Override
    public void flush(String user, DirtyKeys.Marks marks, Rows<AchievementProgressRow> out)
            throws Exception {
        UserAchievements a = achievements.value();
        for (AchievementType type : AchievementType.values()) {
            if (marks.has(1 << type.ordinal())) {
                out.collect(progressRow(user, type, a, a.awarded(type)));
            }
        }
    }

    private long newDistinctWords(String text) throws Exception {
        long fresh = 0;
        for (String word : Vocabulary.vocabularyTokens(text)) {
            if (vocabulary.add(word)) {
                fresh++;
            }
        }
        return fresh;
    }

    private static AchievementRow award(String user, AchievementType type, Tier tier, long ts) {
        AchievementRow r = new AchievementRow();
        r.username = user;
        r.achievementType = type.code();
        r.achievementLevel = tier.code();
        r.achievedAt = ts;
        r.details = AchievementRules.details(type, tier);
        return r;
    }

    private static AchievementProgressRow progressRow(
            String user, AchievementType type, UserAchievements a, Set<Tier> tiers) {
        AchievementRules.Progress p = a.progress(type);
        AchievementProgressRow r = new AchievementProgressRow();
        r.username = user;
        r.achievementType = type.code();
        r.currentValue = p.currentValue();
        r.nextTier = p.nextTier();
        r.nextThreshold = p.nextThreshold();
        r.progressPercent = p.progressPercent();
        // Metrics never go down and awards only accumulate, so this only grows (SPEC §1.8); it
        // depends only on the final state, so every run of the same input ends on the same one.
        r.version = p.currentValue() * 8 + tiers.size();
        return r;
    }
}
