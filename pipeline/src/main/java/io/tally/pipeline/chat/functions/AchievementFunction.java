package io.tally.pipeline.chat.functions;

import io.tally.pipeline.chat.AchievementRules;
import io.tally.pipeline.chat.AchievementType;
import io.tally.pipeline.chat.Tier;
import io.tally.pipeline.chat.records.AchievementProgressRow;
import io.tally.pipeline.chat.records.AchievementRow;
import io.tally.pipeline.chat.records.MetricUpdate;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by user key: awards achievement tiers (SPEC §2.9) from the metric updates of the other chat
 * operators and keeps {@code achievement_progress}. A tier is awarded at the first update that
 * meets it, with that update's event time; awards are never revoked.
 */
public final class AchievementFunction
        extends KeyedProcessFunction<String, MetricUpdate, AchievementProgressRow> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<AchievementRow> AWARDS =
            new OutputTag<>("achievements", Types.POJO(AchievementRow.class));

    private static final Map<String, AchievementType> BY_CODE = new HashMap<>();

    static {
        for (AchievementType t : AchievementType.values()) {
            BY_CODE.put(t.code(), t);
        }
    }

    /** Awarded tiers per type, as a bit mask over {@link Tier#ordinal()}. */
    private transient MapState<String, Integer> awarded;

    @Override
    public void open(OpenContext context) {
        awarded =
                getRuntimeContext()
                        .getMapState(new MapStateDescriptor<>("awarded", Types.STRING, Types.INT));
    }

    @Override
    public void processElement(MetricUpdate u, Context ctx, Collector<AchievementProgressRow> out)
            throws Exception {
        AchievementType type = BY_CODE.get(u.type);
        if (type == null) {
            throw new IllegalStateException("unknown achievement metric " + u.type);
        }
        Integer mask = awarded.get(u.type);
        Set<Tier> tiers = tiers(mask == null ? 0 : mask);
        List<Tier> fresh = AchievementRules.newAwards(type, u.value, u.extraCondition, tiers);
        for (Tier tier : fresh) {
            tiers.add(tier);
            AchievementRow a = new AchievementRow();
            a.username = u.userKey;
            a.achievementType = type.code();
            a.achievementLevel = tier.code();
            a.achievedAt = u.eventTime;
            a.details = AchievementRules.details(type, tier);
            ctx.output(AWARDS, a);
        }
        if (!fresh.isEmpty() || mask == null) {
            awarded.put(u.type, mask(tiers));
        }
        AchievementRules.Progress p = AchievementRules.progress(type, u.value, tiers);
        AchievementProgressRow r = new AchievementProgressRow();
        r.username = u.userKey;
        r.achievementType = type.code();
        r.currentValue = p.currentValue();
        r.nextTier = p.nextTier();
        r.nextThreshold = p.nextThreshold();
        r.progressPercent = p.progressPercent();
        // Metrics never go down and awards only accumulate, so this only grows (SPEC §1.8).
        r.version = u.value * 8 + tiers.size();
        out.collect(r);
    }

    private static Set<Tier> tiers(int mask) {
        Set<Tier> s = EnumSet.noneOf(Tier.class);
        for (Tier t : Tier.values()) {
            if ((mask & (1 << t.ordinal())) != 0) {
                s.add(t);
            }
        }
        return s;
    }

    private static int mask(Set<Tier> tiers) {
        int m = 0;
        for (Tier t : tiers) {
            m |= 1 << t.ordinal();
        }
        return m;
    }
}
