package io.tally.pipeline.chat.logic;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** When achievement tiers are awarded and how far the next one is (SPEC §2.9). */
public final class AchievementRules {

    /**
     * One {@code achievement_progress} row's values (SPEC §2.9).
     *
     * @param nextTier the lowest tier not yet awarded ({@link Tier#code()}), null once diamond is
     * @param nextThreshold its threshold, null once diamond is awarded
     * @param progressPercent min(100, round1(100 · current / nextThreshold)); 100 once diamond is
     */
    public record Progress(
            long currentValue, String nextTier, Long nextThreshold, double progressPercent) {}

    /**
     * SPEC §2.9: night_owl and early_bird also need the stored (rounded) period score above this,
     * so a user who merely chats a lot is not a night owl.
     */
    public static final double SCORE_CONDITION = 30.0;

    private AchievementRules() {}

    /**
     * The tiers to award now, lowest first: those not yet awarded whose threshold is at most {@code
     * value}, several at once if the value jumped past several thresholds (tiers are independent).
     * For night_owl and early_bird none is awarded unless {@code extraConditionHolds} (the stored
     * score > 30); the argument is ignored for the other types. Awards are never revoked, so a
     * value that drops only yields fewer new awards, never a removal.
     */
    public static List<Tier> newAwards(
            AchievementType type,
            long value,
            boolean extraConditionHolds,
            Set<Tier> alreadyAwarded) {
        List<Tier> awards = new ArrayList<>();
        if (type.hasExtraCondition() && !extraConditionHolds) {
            return awards;
        }
        for (Tier tier : Tier.values()) {
            if (!alreadyAwarded.contains(tier) && type.threshold(tier) <= value) {
                awards.add(tier);
            }
        }
        return awards;
    }

    /** The {@code chat_achievements.details} text, e.g. {@code Reached 1000 messages}. */
    public static String details(AchievementType type, Tier tier) {
        // %s with a Long, not %d: %d would use the default locale's digits and grouping.
        return String.format(type.detailsTemplate(), Long.toString(type.threshold(tier)));
    }

    /**
     * SPEC §2.9: the next tier is literally the lowest tier not yet awarded. Only the
     * score-conditioned types can in theory leave a lower tier unawarded below an awarded one (they
     * never do, since a higher threshold implies the lower ones, but a legacy import could); the
     * rule is still applied literally, except that an awarded diamond always means "done" (null
     * tier and threshold, 100 %), as the SPEC states for diamond. A tier whose extra condition is
     * unmet shows min(100, …), so it stays at 100 until it is awarded.
     */
    public static Progress progress(AchievementType type, long currentValue, Set<Tier> awarded) {
        if (awarded.contains(Tier.DIAMOND)) {
            return new Progress(currentValue, null, null, 100.0);
        }
        for (Tier tier : Tier.values()) {
            if (!awarded.contains(tier)) {
                long threshold = type.threshold(tier);
                double percent = Math.min(100.0, Rounding.round1(100.0 * currentValue / threshold));
                return new Progress(currentValue, tier.code(), threshold, percent);
            }
        }
        throw new AssertionError("unreachable: diamond is handled above");
    }
}
