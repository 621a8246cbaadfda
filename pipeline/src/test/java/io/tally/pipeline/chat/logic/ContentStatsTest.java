package io.tally.pipeline.chat.logic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

class ContentStatsTest {

    @Test
    void isAllZeroBeforeTheFirstMessage() {
        ContentStats stats = new ContentStats();

        assertThat(stats.avgMessageLength()).isZero();
        assertThat(stats.avgWordsPerMessage()).isZero();
        assertThat(stats.emojiUsageRate()).isZero();
        assertThat(stats.capsUsageRate()).isZero();
        assertThat(stats.longest()).isZero();
        assertThat(stats.shortest()).isZero();
    }

    @Test
    void emptyMessagesCountInTotalsButNeverAsShortest() {
        // SPEC §2.8: every rate divides by total_messages, "which includes empty messages";
        // shortest/longest are "over non-empty messages".
        ContentStats stats = replay(List.of("", "hello world", "", "HELLO WORLD!!", "hi?"));

        assertThat(stats.totalMessages).isEqualTo(5);
        assertThat(stats.totalWords).isEqualTo(5);
        assertThat(stats.totalLength).isEqualTo(27); // 0 + 11 + 0 + 13 + 3
        assertThat(stats.capsCount).isEqualTo(1);
        assertThat(stats.questionCount).isEqualTo(1);
        assertThat(stats.exclamationCount).isEqualTo(2);
        assertThat(stats.shortest()).isEqualTo(3);
        assertThat(stats.longest()).isEqualTo(13);
        assertThat(stats.avgMessageLength()).isEqualTo(5); // 27 / 5 = 5.4
        assertThat(stats.avgWordsPerMessage()).isEqualTo(1.0); // 5 / 5
        assertThat(stats.capsUsageRate()).isEqualTo(20.0); // 1 of 5, not 1 of 3
    }

    @Test
    void onlyEmptyMessagesLeaveShortestAndLongestAtZero() {
        ContentStats stats = replay(List.of("", ""));

        assertThat(stats.totalMessages).isEqualTo(2);
        assertThat(stats.shortest()).isZero();
        assertThat(stats.longest()).isZero();
        assertThat(stats.avgMessageLength()).isZero();
    }

    @Test
    void emojiRateIsPer100MessagesAndMayExceed100() {
        ContentStats stats = replay(List.of("😀😀😀", "🤔", "")); // 4 emojis in 3 messages

        assertThat(stats.emojiCount).isEqualTo(4);
        assertThat(stats.emojiUsageRate()).isEqualTo(133.3); // 400 / 3 = 133.33…
        assertThat(stats.longest()).isEqualTo(6); // UTF-16 length
        assertThat(stats.shortest()).isEqualTo(2);
    }

    @Test
    void roundsHalfUp() {
        // SPEC §2.12: avg length floor(x + 0.5), rates floor(10x + 0.5) / 10.
        ContentStats stats = new ContentStats();
        stats.add(new MessageFeatures(1, 1, 0, 0, true, 0, 0, 3));
        stats.add(new MessageFeatures(0, 0, 0, 0, false, 0, 0, 0));
        stats.add(new MessageFeatures(0, 0, 0, 0, false, 0, 0, 0));
        stats.add(new MessageFeatures(0, 0, 0, 0, false, 0, 0, 3));
        for (int i = 0; i < 4; i++) {
            stats.add(new MessageFeatures(0, 0, 0, 0, false, 0, 0, 0));
        }
        // 8 messages: Σlength 6 → 0.75 → 1; 1 word → 0.125 → 0.1; 1 caps → 12.5 → 12.5

        assertThat(stats.avgMessageLength()).isEqualTo(1);
        assertThat(stats.avgWordsPerMessage()).isEqualTo(0.1);
        assertThat(stats.capsUsageRate()).isEqualTo(12.5);
        assertThat(stats.emojiUsageRate()).isEqualTo(12.5);

        ContentStats half = new ContentStats();
        half.add(new MessageFeatures(0, 0, 0, 0, false, 0, 0, 5));
        half.add(new MessageFeatures(0, 0, 0, 0, false, 0, 0, 0));
        assertThat(half.avgMessageLength()).isEqualTo(3); // 2.5 rounds up
    }

    @Test
    void countsUrlsAndMentionsOnRawText() {
        ContentStats stats =
                replay(
                        List.of(
                                "<a href=\"https://x.io/a\" target=\"_blank\">https://x.io/a</a>",
                                // No whitespace: one greedy URL match swallows the whole tag.
                                "<a href=\"https://x.io/a\">https://x.io/a</a>",
                                "mail test@email.com or @bob"));

        assertThat(stats.urlCount).isEqualTo(3);
        assertThat(stats.mentionCount).isEqualTo(2);
    }

    @Test
    void givesTheSameValuesWhateverOrderMessagesArriveIn() {
        List<String> texts =
                List.of("", "I AM SO ANGRY!!", "hi😀there?", "https://x.io @al", "ok", "ÉÉ 🤔🤔");
        ContentStats expected = replay(texts);

        List<List<String>> orders = DailyActivityTest.permutations(texts);
        assertThat(orders).hasSize(720);
        for (List<String> order : orders) {
            ContentStats stats = replay(order);
            assertThat(stats).as("order %s", order).isEqualTo(expected);
            assertThat(stats.emojiUsageRate()).isEqualTo(expected.emojiUsageRate());
            assertThat(stats.avgMessageLength()).isEqualTo(expected.avgMessageLength());
        }
        assertThat(expected.shortest()).isEqualTo(2);
        assertThat(expected.longest()).isEqualTo(16);
    }

    @Test
    void isSerializedAsAPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(ContentStats.class);
    }

    private static ContentStats replay(List<String> texts) {
        ContentStats stats = new ContentStats();
        texts.forEach(text -> stats.add(MessageFeatures.of(text)));
        return stats;
    }
}
