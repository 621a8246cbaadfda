package io.tally.pipeline.chat.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TextScanTest {

    private static final String LOGGED_LINK =
            "<a href=\"https://x.io/a\" target=\"_blank\" rel=\"noopener noreferrer\">"
                    + "https://x.io/a</a>";

    static Stream<Arguments> urls() {
        return Stream.of(
                arguments(LOGGED_LINK, 2), // SPEC §2.8: "a logged HTML link counts 2"
                arguments("https://example.com https://test.com two urls here", 2),
                arguments("seehttp://x", 1),
                arguments("http://x\u3000www.y", 2),
                arguments("http://a,http://b", 1),
                arguments("www.", 0),
                arguments("www.a", 1),
                arguments("HTTP://x", 0),
                arguments("no url here", 0),
                arguments("", 0));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" has {1} URLs")
    @MethodSource("urls")
    void countsUrlsOnRawText(String text, int expected) {
        assertThat(TextScan.countUrls(text)).isEqualTo(expected);
    }

    static Stream<Arguments> mentions() {
        return Stream.of(
                arguments("@hyphen-user @under_score check this", 2),
                arguments("test@email.com", 1),
                // SPEC §2.8 scans the raw text, so a mention inside a URL counts
                arguments("https://x.com/@bob", 1),
                arguments("@", 0),
                arguments("@@x", 1),
                arguments("@-", 1),
                arguments("@é", 0),
                arguments("", 0));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" has {1} mentions")
    @MethodSource("mentions")
    void countsMentionsOnRawText(String text, int expected) {
        assertThat(TextScan.countMentions(text)).isEqualTo(expected);
    }

    static Stream<Arguments> emojis() {
        return Stream.of(
                arguments("", 0),
                arguments("plain text", 0),
                arguments("😀", 1), // U+1F600
                arguments("🤔", 1), // U+1F914: §2.8 range, not §2.3
                arguments("🫠", 1), // U+1FAE0
                arguments("🥰", 1), // U+1F970
                arguments("☀✂", 2), // U+2600, U+2702
                arguments("🇦🇺", 2), // two regional indicators
                arguments("👍🏽", 2), // the skin-tone modifier U+1F3FD is in range too
                arguments("❤️", 1), // U+2764 + U+FE0F; the selector is no emoji
                arguments("\uD83D", 0)); // an unpaired high surrogate
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" has {1} emojis")
    @MethodSource("emojis")
    void countsEmojiCodePointsInTheSection28Ranges(String text, int expected) {
        assertThat(TextScan.countEmojis(text)).isEqualTo(expected);
    }

    @Test
    void emojiRangesIncludeBothEndsAndNothingAround() {
        // The six SPEC §2.3 ranges, ends inclusive; U+26FF and U+2700 are adjacent ranges, as are
        // U+1F5FF and U+1F600.
        int[] wordCountEmoji = {
            0x1F600, 0x1F64F, 0x1F300, 0x1F5FF, 0x1F680, 0x1F6FF, 0x1F1E0, 0x1F1FF, 0x2600, 0x26FF,
            0x2700, 0x27BF
        };
        int[] neither = {0x1F650, 0x1F67F, 0x1F2FF, 0x1F700, 0x1F1DF, 0x1F200, 0x25FF, 0x27C0};
        // SPEC §2.8 adds U+1F900–1F9FF, U+1FA00–1FA6F and U+1FA70–1FAFF (one run 1F900–1FAFF).
        int[] contentOnly = {0x1F900, 0x1F9FF, 0x1FA00, 0x1FA6F, 0x1FA70, 0x1FAFF};
        int[] neitherAroundContent = {0x1F8FF, 0x1FB00};

        for (int cp : wordCountEmoji) {
            assertThat(TextScan.isWordCountEmoji(cp)).as("U+%04X", cp).isTrue();
            assertThat(TextScan.isEmoji(cp)).as("U+%04X", cp).isTrue();
        }
        for (int cp : contentOnly) {
            assertThat(TextScan.isWordCountEmoji(cp)).as("U+%04X", cp).isFalse();
            assertThat(TextScan.isEmoji(cp)).as("U+%04X", cp).isTrue();
        }
        for (int[] set : new int[][] {neither, neitherAroundContent}) {
            for (int cp : set) {
                assertThat(TextScan.isWordCountEmoji(cp)).as("U+%04X", cp).isFalse();
                assertThat(TextScan.isEmoji(cp)).as("U+%04X", cp).isFalse();
            }
        }
    }

    @Test
    void whitespaceIsTheJavaScriptSetNotJavas() {
        for (int cp :
                new int[] {
                    ' ', '\t', '\n', 0x0B, '\f', '\r', 0xA0, 0x1680, 0x2000, 0x2005, 0x200A, 0x2028,
                    0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF
                }) {
            assertThat(TextScan.isWhitespace(cp)).as("U+%04X", cp).isTrue();
        }
        // Not in the JavaScript set, though Character.isWhitespace says yes to U+001C–U+001F.
        for (int cp : new int[] {0x1C, 0x1D, 0x1E, 0x1F, 0x200B, 0x0085, 'a', 0}) {
            assertThat(TextScan.isWhitespace(cp)).as("U+%04X", cp).isFalse();
        }
    }
}
