package io.tally.pipeline.chat.records;

/** A row of {@code message_analysis_cache} (SPEC §2.8). */
public class MessageAnalysisRow {
    public String username;
    public long totalMessages;
    public long totalWords;
    public long avgMessageLength;
    public double avgWordsPerMessage;
    public long emojiCount;
    public double emojiUsageRate;
    public long capsCount;
    public double capsUsageRate;
    public long questionCount;
    public long exclamationCount;
    public long urlCount;
    public long mentionCount;
    public long longestMessage;
    public long shortestMessage;
    public long vocabularySize;

    /** The user's total message count. */
    public long version;

    public MessageAnalysisRow() {}
}
