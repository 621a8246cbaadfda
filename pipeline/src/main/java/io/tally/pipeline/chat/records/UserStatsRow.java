package io.tally.pipeline.chat.records;

/** A row of {@code user_stats} (SPEC §2.4). */
public class UserStatsRow {
    public String username;
    public long messageCount;
    public long totalWords;
    public long firstSeen;
    public long lastSeen;

    /** Grows with every message of the user: the message count. */
    public long version;

    public UserStatsRow() {}
}
