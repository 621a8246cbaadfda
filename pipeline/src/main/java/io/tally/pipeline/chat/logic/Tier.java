package io.tally.pipeline.chat.logic;

/**
 * An achievement tier, lowest first ({@code chat_achievements.achievement_level}, SPEC §2.9). The
 * ordinal indexes {@link AchievementType#thresholds()}.
 */
public enum Tier {
    BRONZE,
    SILVER,
    GOLD,
    DIAMOND;

    /** The stored value: {@code bronze}, {@code silver}, {@code gold} or {@code diamond}. */
    public String code() {
        return TextScan.asciiLowerCase(name());
    }

    /** The tier whose {@link #code()} is {@code code}. */
    public static Tier fromCode(String code) {
        for (Tier tier : values()) {
            if (tier.code().equals(code)) {
                return tier;
            }
        }
        throw new IllegalArgumentException("unknown tier: " + code);
    }
}
