package io.tally.pipeline.chat.logic;

import java.util.Objects;

/**
 * What one user did on one calendar day, all rooms (one {@code user_daily_activity} row, SPEC
 * §2.5).
 *
 * <p>Every field is a sum, a min or a max, so the value depends only on the set of messages added,
 * never on their order: a late message simply adds to its day (SPEC §1.5). The mean length is kept
 * as a code-point total and divided only when read, so it never accumulates rounding error.
 *
 * <p>A Flink POJO (public no-arg constructor, public mutable fields of basic types) so it can live
 * in keyed state without falling back to Kryo; mutate it only through {@link #add}.
 */
public final class DailyActivity {

    public long messageCount;
    public long wordCount;

    /** Min/max {@code ts} in epoch ms; meaningless while {@code messageCount == 0}. */
    public long firstMessageTime;

    public long lastMessageTime;
    public long totalCodePoints;

    public DailyActivity() {}

    /** Adds one message with event time {@code ts}, its §2.3 word count and code-point length. */
    public void add(long ts, int words, int codePoints) {
        if (messageCount == 0) {
            firstMessageTime = ts;
            lastMessageTime = ts;
        } else {
            firstMessageTime = Math.min(firstMessageTime, ts);
            lastMessageTime = Math.max(lastMessageTime, ts);
        }
        messageCount++;
        wordCount += words;
        totalCodePoints += codePoints;
    }

    /** Mean message length in code points, round1 (SPEC §2.5, §2.12); 0 before any message. */
    public double avgMessageLength() {
        return messageCount == 0 ? 0.0 : Rounding.round1((double) totalCodePoints / messageCount);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DailyActivity)) {
            return false;
        }
        DailyActivity that = (DailyActivity) o;
        return messageCount == that.messageCount
                && wordCount == that.wordCount
                && firstMessageTime == that.firstMessageTime
                && lastMessageTime == that.lastMessageTime
                && totalCodePoints == that.totalCodePoints;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                messageCount, wordCount, firstMessageTime, lastMessageTime, totalCodePoints);
    }

    @Override
    public String toString() {
        return "DailyActivity{messageCount="
                + messageCount
                + ", wordCount="
                + wordCount
                + ", firstMessageTime="
                + firstMessageTime
                + ", lastMessageTime="
                + lastMessageTime
                + ", totalCodePoints="
                + totalCodePoints
                + '}';
    }
}
