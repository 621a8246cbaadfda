package io.tally.pipeline.chat.records;

/** A row of {@code user_active_hours} (SPEC §2.7). */
public class ActiveHourRow {
    public String username;
    public String roomId;
    public int hour;
    public long messageCount;
    public long wordCount;
    public long avgMessageLength;

    /** The bucket's message count. */
    public long version;

    public ActiveHourRow() {}
}
