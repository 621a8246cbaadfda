package io.tally.pipeline.chat.logic;

import java.util.Objects;

/**
 * A user's all-time content metrics over all rooms (one {@code message_analysis_cache} row without
 * {@code vocabulary_size}, SPEC §2.8).
 *
 * <p>Only sums, a min and a max are kept, and the rates are derived when read, so the value depends
 * only on the set of messages added, never on their order (SPEC §1.1), and never accumulates
 * rounding error.
 *
 * <p>A Flink POJO for keyed state, like {@link DailyActivity}; mutate it only through {@link #add}.
 */
public final class ContentStats {

    /** All messages, empty ones included: SPEC §2.8 divides every rate by this. */
    public long totalMessages;

    public long totalWords;

    /** Σ UTF-16 lengths. */
    public long totalLength;

    public long emojiCount;
    public long capsCount;
    public long questionCount;
    public long exclamationCount;
    public long urlCount;
    public long mentionCount;

    /**
     * Max/min length over non-empty messages (SPEC §2.8); 0 while there is none. A non-empty
     * message has length ≥ 1, so 0 doubles as "none yet" and needs no extra flag.
     */
    public long longestMessage;

    public long shortestMessage;

    public ContentStats() {}

    /** Adds one message's metrics. */
    public void add(MessageFeatures f) {
        totalMessages++;
        totalWords += f.words();
        totalLength += f.length();
        emojiCount += f.emojis();
        if (f.caps()) {
            capsCount++;
        }
        questionCount += f.questions();
        exclamationCount += f.exclamations();
        urlCount += f.urls();
        mentionCount += f.mentions();
        if (f.length() > 0) {
            // SPEC §2.8: an empty message counts in the totals but never as the shortest.
            longestMessage = Math.max(longestMessage, f.length());
            shortestMessage =
                    shortestMessage == 0 ? f.length() : Math.min(shortestMessage, f.length());
        }
    }

    /** round(Σlength / total), half-up to an integer (SPEC §2.8, §2.12); 0 before any message. */
    public long avgMessageLength() {
        return totalMessages == 0 ? 0 : Rounding.roundHalfUp((double) totalLength / totalMessages);
    }

    /** round1(total_words / total) (SPEC §2.8). */
    public double avgWordsPerMessage() {
        return totalMessages == 0 ? 0.0 : Rounding.round1((double) totalWords / totalMessages);
    }

    /**
     * round1(100 · emoji_count / total) (SPEC §2.8): emojis per 100 messages, so it exceeds 100
     * when messages hold several emojis each.
     */
    public double emojiUsageRate() {
        return rate(emojiCount);
    }

    /** round1(100 · caps_count / total) (SPEC §2.8). */
    public double capsUsageRate() {
        return rate(capsCount);
    }

    /** Longest non-empty message in UTF-16 units; 0 if none (SPEC §2.8). */
    public long longest() {
        return longestMessage;
    }

    /** Shortest non-empty message in UTF-16 units; 0 if none (SPEC §2.8). */
    public long shortest() {
        return shortestMessage;
    }

    private double rate(long count) {
        return totalMessages == 0 ? 0.0 : Rounding.round1(100.0 * count / totalMessages);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ContentStats)) {
            return false;
        }
        ContentStats that = (ContentStats) o;
        return totalMessages == that.totalMessages
                && totalWords == that.totalWords
                && totalLength == that.totalLength
                && emojiCount == that.emojiCount
                && capsCount == that.capsCount
                && questionCount == that.questionCount
                && exclamationCount == that.exclamationCount
                && urlCount == that.urlCount
                && mentionCount == that.mentionCount
                && longestMessage == that.longestMessage
                && shortestMessage == that.shortestMessage;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                totalMessages,
                totalWords,
                totalLength,
                emojiCount,
                capsCount,
                questionCount,
                exclamationCount,
                urlCount,
                mentionCount,
                longestMessage,
                shortestMessage);
    }

    @Override
    public String toString() {
        return "ContentStats{totalMessages="
                + totalMessages
                + ", totalWords="
                + totalWords
                + ", totalLength="
                + totalLength
                + ", emojiCount="
                + emojiCount
                + ", capsCount="
                + capsCount
                + ", questionCount="
                + questionCount
                + ", exclamationCount="
                + exclamationCount
                + ", urlCount="
                + urlCount
                + ", mentionCount="
                + mentionCount
                + ", longestMessage="
                + longestMessage
                + ", shortestMessage="
                + shortestMessage
                + '}';
    }
}
