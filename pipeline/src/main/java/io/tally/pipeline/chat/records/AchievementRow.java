package io.tally.pipeline.chat.records;

/** A row of {@code chat_achievements} (SPEC §2.9): written once, never revoked. */
public class AchievementRow {
    public String username;
    public String achievementType;
    public String achievementLevel;

    /** Event time (epoch ms) of the update that met the tier. */
    public long achievedAt;

    public String details;

    public AchievementRow() {}
}
