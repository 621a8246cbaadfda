package io.tally.pipeline.chat.records;

/** A row of {@code user_chat_streaks} (SPEC §2.6). Dates as epoch days, times as epoch ms. */
public class StreakRow {
    public String username;
    public int currentStreak;
    public int bestStreak;
    public long lastActiveEpochDay;

    /** Null when the current streak is 0. */
    public Long streakStartEpochDay;

    public int totalActiveDays;
    public int bestStreakAllTime;
    public int totalActiveDaysAllTime;

    /** The evaluation instant (SPEC §1.4). */
    public long asOf;

    /** The asOf: only grows (SPEC §1.8). */
    public long version;

    public StreakRow() {}
}
