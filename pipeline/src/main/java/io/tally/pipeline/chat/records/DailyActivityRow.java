package io.tally.pipeline.chat.records;

/** A row of {@code user_daily_activity} (SPEC §2.5), or its deletion once out of retention. */
public class DailyActivityRow {
    public String username;

    /**
     * The calendar day as {@code LocalDate.toEpochDay()}: Flink 2.2 has no POJO-field type for
     * {@code LocalDate} and would fall back to Kryo.
     */
    public long epochDay;

    public long messageCount;
    public long wordCount;
    public long firstMessageTime;
    public long lastMessageTime;
    public double avgMessageLength;

    /** The day's message count; a deletion carries count + 1 so it wins over the last upsert. */
    public long version;

    /** True when the day left the retention window and the row is to be deleted (SPEC §1.10). */
    public boolean deleted;

    public DailyActivityRow() {}
}
