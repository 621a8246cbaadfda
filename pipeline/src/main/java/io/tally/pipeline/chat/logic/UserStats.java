package io.tally.pipeline.chat.logic;

import java.util.Objects;

/**
 * All-time totals of one user over all rooms (one {@code user_stats} row, SPEC §2.4), excluded
 * senders included.
 *
 * <p>Sums, a min and a max: independent of the order messages arrive in (SPEC §1.1). A Flink POJO
 * for keyed state, like {@link DailyActivity}; mutate it only through {@link #add}.
 */
public final class UserStats {

    public long messageCount;
    public long totalWords;

    /** Min/max {@code ts} in epoch ms; meaningless while {@code messageCount == 0}. */
    public long firstSeen;

    public long lastSeen;

    public UserStats() {}

    /** Adds one message with event time {@code ts} and its §2.3 word count. */
    public void add(long ts, int words) {
        if (messageCount == 0) {
            firstSeen = ts;
            lastSeen = ts;
        } else {
            firstSeen = Math.min(firstSeen, ts);
            lastSeen = Math.max(lastSeen, ts);
        }
        messageCount++;
        totalWords += words;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof UserStats)) {
            return false;
        }
        UserStats that = (UserStats) o;
        return messageCount == that.messageCount
                && totalWords == that.totalWords
                && firstSeen == that.firstSeen
                && lastSeen == that.lastSeen;
    }

    @Override
    public int hashCode() {
        return Objects.hash(messageCount, totalWords, firstSeen, lastSeen);
    }

    @Override
    public String toString() {
        return "UserStats{messageCount="
                + messageCount
                + ", totalWords="
                + totalWords
                + ", firstSeen="
                + firstSeen
                + ", lastSeen="
                + lastSeen
                + '}';
    }
}
