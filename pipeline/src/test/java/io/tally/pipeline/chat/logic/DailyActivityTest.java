package io.tally.pipeline.chat.logic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

class DailyActivityTest {

    private static final long NINE_AM = 1_763_802_000_000L; // 2025-11-22T09:00:00Z
    private static final long ONE_MINUTE_LATER = NINE_AM + 60_000;
    private static final long TEN_PM = NINE_AM + 13 * 3_600_000L;

    /** One message: event time, §2.3 word count, code-point length. */
    record Message(long ts, int words, int codePoints) {}

    @Test
    void isEmptyBeforeTheFirstMessage() {
        DailyActivity day = new DailyActivity();

        assertThat(day.messageCount).isZero();
        assertThat(day.avgMessageLength()).isEqualTo(0.0);
    }

    @Test
    void sumsCountsAndTracksFirstAndLastMessageTime() {
        DailyActivity day = new DailyActivity();

        day.add(ONE_MINUTE_LATER, 2, 11); // "hello world"
        day.add(TEN_PM, 1, 8); // "hi😀there" (one word, 8 code points)
        day.add(NINE_AM, 0, 0); // an empty message still counts as a message

        assertThat(day.messageCount).isEqualTo(3);
        assertThat(day.wordCount).isEqualTo(3);
        assertThat(day.firstMessageTime).isEqualTo(NINE_AM);
        assertThat(day.lastMessageTime).isEqualTo(TEN_PM);
        assertThat(day.totalCodePoints).isEqualTo(19);
        assertThat(day.avgMessageLength()).isEqualTo(6.3); // 19 / 3 = 6.333…
    }

    @Test
    void roundsTheMeanLengthHalfUpToOneDecimal() {
        DailyActivity day = new DailyActivity();
        day.add(NINE_AM, 1, 1);
        day.add(NINE_AM, 0, 0);
        day.add(NINE_AM, 0, 0);
        day.add(NINE_AM, 0, 0);

        assertThat(day.avgMessageLength()).isEqualTo(0.3); // 1 / 4 = 0.25 (SPEC §2.12)
    }

    @Test
    void givesTheSameValuesWhateverOrderMessagesArriveIn() {
        // SPEC §1.1/§1.5: a late message just adds to its day, so every order gives one result.
        List<Message> messages =
                List.of(
                        new Message(TEN_PM, 4, 20),
                        new Message(NINE_AM, 2, 11),
                        new Message(ONE_MINUTE_LATER, 0, 0),
                        new Message(NINE_AM, 1, 3),
                        new Message(TEN_PM - 1, 7, 42));
        DailyActivity expected = replay(messages);

        List<List<Message>> orders = permutations(messages);
        assertThat(orders).hasSize(120);
        for (List<Message> order : orders) {
            DailyActivity day = replay(order);
            assertThat(day).as("order %s", order).isEqualTo(expected);
            assertThat(day.avgMessageLength()).isEqualTo(expected.avgMessageLength());
        }
        assertThat(expected.firstMessageTime).isEqualTo(NINE_AM);
        assertThat(expected.lastMessageTime).isEqualTo(TEN_PM);
        assertThat(expected.avgMessageLength()).isEqualTo(15.2); // 76 / 5
    }

    @Test
    void isSerializedAsAPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(DailyActivity.class);
    }

    private static DailyActivity replay(List<Message> messages) {
        DailyActivity day = new DailyActivity();
        messages.forEach(m -> day.add(m.ts(), m.words(), m.codePoints()));
        return day;
    }

    static <T> List<List<T>> permutations(List<T> items) {
        if (items.isEmpty()) {
            return List.of(List.of());
        }
        List<List<T>> result = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<T> rest = new ArrayList<>(items);
            T head = rest.remove(i);
            for (List<T> tail : permutations(rest)) {
                List<T> order = new ArrayList<>();
                order.add(head);
                order.addAll(tail);
                result.add(order);
            }
        }
        return result;
    }
}
