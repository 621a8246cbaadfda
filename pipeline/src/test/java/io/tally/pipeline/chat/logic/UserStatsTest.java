package io.tally.pipeline.chat.logic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

class UserStatsTest {

    private static final long FIRST_DAY = 1_719_800_000_123L; // the SPEC §2.1 example ts
    private static final long ONE_WEEK_LATER = FIRST_DAY + 7 * 86_400_000L;
    private static final long ONE_YEAR_LATER = FIRST_DAY + 365 * 86_400_000L;

    record Message(long ts, int words) {}

    @Test
    void sumsMessagesAndWordsAndTracksFirstAndLastSeen() {
        UserStats stats = new UserStats();

        stats.add(ONE_WEEK_LATER, 5);
        stats.add(FIRST_DAY, 0);
        stats.add(ONE_YEAR_LATER, 9);

        assertThat(stats.messageCount).isEqualTo(3);
        assertThat(stats.totalWords).isEqualTo(14);
        assertThat(stats.firstSeen).isEqualTo(FIRST_DAY);
        assertThat(stats.lastSeen).isEqualTo(ONE_YEAR_LATER);
    }

    @Test
    void firstMessageSetsBothEnds() {
        UserStats stats = new UserStats();

        stats.add(ONE_WEEK_LATER, 1);

        assertThat(stats.firstSeen).isEqualTo(ONE_WEEK_LATER);
        assertThat(stats.lastSeen).isEqualTo(ONE_WEEK_LATER);
    }

    @Test
    void givesTheSameValuesWhateverOrderMessagesArriveIn() {
        List<Message> messages =
                List.of(
                        new Message(ONE_YEAR_LATER, 3),
                        new Message(FIRST_DAY, 2),
                        new Message(ONE_WEEK_LATER, 0),
                        new Message(FIRST_DAY, 11),
                        new Message(ONE_WEEK_LATER + 1, 1));
        UserStats expected = replay(messages);

        for (List<Message> order : DailyActivityTest.permutations(messages)) {
            assertThat(replay(order)).as("order %s", order).isEqualTo(expected);
        }
        assertThat(expected.messageCount).isEqualTo(5);
        assertThat(expected.totalWords).isEqualTo(17);
        assertThat(expected.firstSeen).isEqualTo(FIRST_DAY);
        assertThat(expected.lastSeen).isEqualTo(ONE_YEAR_LATER);
    }

    @Test
    void isSerializedAsAPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(UserStats.class);
    }

    private static UserStats replay(List<Message> messages) {
        UserStats stats = new UserStats();
        messages.forEach(m -> stats.add(m.ts(), m.words()));
        return stats;
    }
}
