package io.tally.pipeline.chat.records;

/** A row of {@code user_activity_summary} (SPEC §2.7). */
public class ActivitySummaryRow {
    public String username;
    public int mostActiveHour;
    public int leastActiveHour;
    public long morningMessages;
    public long afternoonMessages;
    public long eveningMessages;
    public long nightMessages;
    public double nightOwlScore;
    public double earlyBirdScore;
    public double consistencyScore;

    /** The user's total message count. */
    public long version;

    public ActivitySummaryRow() {}
}
