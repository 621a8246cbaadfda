package io.tally.pipeline.chat.logic;

import java.util.Objects;

/**
 * Where a word was used: the order in which SPEC §2.8 picks a user's first 1000 distinct words,
 * (ts, message id compared as strings, position in the message).
 *
 * <p>The message id breaks ties between messages with the same {@code ts}, so the order is total
 * and the chosen words do not depend on arrival order. Ids compare as Java strings (UTF-16 code
 * units, like the reference's JavaScript {@code <}), not in a database collation. A Flink POJO for
 * keyed state.
 */
public final class FirstUse implements Comparable<FirstUse> {

    /** Event time of the message, epoch ms; stored as {@code user_vocabulary.first_used}. */
    public long ts;

    public String messageId;

    /** Index of the token in {@link Vocabulary#vocabularyTokens} of the message. */
    public int position;

    public FirstUse() {}

    public FirstUse(long ts, String messageId, int position) {
        this.ts = ts;
        this.messageId = messageId;
        this.position = position;
    }

    @Override
    public int compareTo(FirstUse other) {
        int byTs = Long.compare(ts, other.ts);
        if (byTs != 0) {
            return byTs;
        }
        int byId = messageId.compareTo(other.messageId);
        if (byId != 0) {
            return byId;
        }
        return Integer.compare(position, other.position);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FirstUse)) {
            return false;
        }
        FirstUse that = (FirstUse) o;
        return ts == that.ts
                && position == that.position
                && Objects.equals(messageId, that.messageId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ts, messageId, position);
    }

    @Override
    public String toString() {
        return "FirstUse{ts=" + ts + ", messageId=" + messageId + ", position=" + position + '}';
    }
}
