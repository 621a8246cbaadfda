package io.tally.pipeline.chat.records;

/** A row of {@code achievement_progress} (SPEC §2.9). */
public class AchievementProgressRow {
    public String username;
    public String achievementType;
    public long currentValue;

    /** Null once diamond is awarded. */
    public String nextTier;

    public Long nextThreshold;
    public double progressPercent;

    /** Grows with the metric and with every award. */
    public long version;

    public AchievementProgressRow() {}
}
