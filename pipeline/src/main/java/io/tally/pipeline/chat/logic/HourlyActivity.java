package io.tally.pipeline.chat.logic;

import java.util.Objects;

/**
 * What one user did in one room in one hour of the day, all time (one {@code user_active_hours}
 * row, SPEC §2.7).
 *
 * <p>Sums only, so the value does not depend on the order messages arrive in (SPEC §1.5); the mean
 * length is kept as a code-point total and divided only when read.
 *
 * <p>A Flink POJO (public no-arg constructor, public mutable fields of basic types) so it can live
 * in keyed state without falling back to Kryo; mutate it only through {@link #add}.
 */
public final class HourlyActivity {

    public long messageCount;
    public long wordCount;
    public long totalCodePoints;

    public HourlyActivity() {}

    /** Adds one message with its §2.3 word count and code-point length. */
    public void add(int words, int codePoints) {
        messageCount++;
        wordCount += words;
        totalCodePoints += codePoints;
    }

    /**
     * Mean message length in code points rounded half-up to an integer (SPEC §2.7, §2.12); 0 before
     * any message.
     */
    public long avgMessageLength() {
        return messageCount == 0
                ? 0
                : Rounding.roundHalfUp((double) totalCodePoints / messageCount);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof HourlyActivity)) {
            return false;
        }
        HourlyActivity that = (HourlyActivity) o;
        return messageCount == that.messageCount
                && wordCount == that.wordCount
                && totalCodePoints == that.totalCodePoints;
    }

    @Override
    public int hashCode() {
        return Objects.hash(messageCount, wordCount, totalCodePoints);
    }

    @Override
    public String toString() {
        return "HourlyActivity{messageCount="
                + messageCount
                + ", wordCount="
                + wordCount
                + ", totalCodePoints="
                + totalCodePoints
                + '}';
    }
}
