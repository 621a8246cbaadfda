package io.tally.pipeline.chat.logic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageFeaturesTest {

    private static final String HTML_LINK =
            "<a href=\"https://x.io/a\" target=\"_blank\" rel=\"noopener noreferrer\">https://x.io/a</a>";

    @Test
    void emptyMessageHasNoFeatures() {
        assertThat(MessageFeatures.of(""))
                .isEqualTo(new MessageFeatures(0, 0, 0, 0, false, 0, 0, 0));
    }

    @Test
    void loggedHtmlLinkCountsTwoUrls() {
        // SPEC §2.8: "a logged HTML link counts 2"; §2.3 gives it 9 words.
        MessageFeatures f = MessageFeatures.of(HTML_LINK);

        assertThat(f.urls()).isEqualTo(2);
        assertThat(f.words()).isEqualTo(9);
        assertThat(f.length()).isEqualTo(HTML_LINK.length());
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" has {1} URLs")
    @CsvSource(
            delimiter = '|',
            value = {
                "https://example.com https://test.com two urls here | 2",
                "see www.example.com                                | 1",
                "seehttp://x                                        | 1", // not anchored
                "HTTP://EXAMPLE.COM                                 | 0", // case-sensitive
                "https:// alone                                     | 0", // needs 1+ non-space
                "www.                                               | 0",
            })
    void countsUrlsOnTheRawText(String text, int urls) {
        assertThat(MessageFeatures.of(text).urls()).isEqualTo(urls);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" has {1} mentions")
    @CsvSource(
            delimiter = '|',
            value = {
                "test@email.com                      | 1", // SPEC §2.3 example: @email matches
                "@hyphen-user @under_score check this | 2",
                "@ alone and @@x                     | 1",
                "@Ünïcode                            | 0",
            })
    void countsMentionsOnTheRawText(String text, int mentions) {
        assertThat(MessageFeatures.of(text).mentions()).isEqualTo(mentions);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" caps={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "HELLO          | false", // exactly 5 ASCII letters: not more than 5
                "HELLOO         | true", // 6 letters, all upper
                "HELLOWORld     | false", // 8 of 10 = exactly 80 %: not more than 80 %
                "HELLOWORLd     | true", // 9 of 10
                "ÀÉÎÕÜ HELLO    | false", // non-ASCII capitals ignored: only 5 letters
                "HELLOS ééééé   | true", // non-ASCII lower-case ignored: 6 of 6
                "WOW!!! 123 ??? | false", // digits and punctuation are not letters: 3 letters
                "I AM SO ANGRY  | true",
                "I am so angry  | false",
            })
    void capsNeedsMoreThanFiveAsciiLettersAndMoreThan80PercentUpper(String text, boolean caps) {
        assertThat(MessageFeatures.of(text).caps()).isEqualTo(caps);
    }

    @Test
    void capsBoundaryIsExactAtLargeCounts() {
        // 4000 of 5000 upper = 80 % exactly (not caps); 4001 of 5000 is caps.
        String exact = "A".repeat(4000) + "a".repeat(1000);
        String above = "A".repeat(4001) + "a".repeat(999);

        assertThat(MessageFeatures.of(exact).caps()).isFalse();
        assertThat(MessageFeatures.of(above).caps()).isTrue();
    }

    @Test
    void countsQuestionAndExclamationCharacters() {
        MessageFeatures f = MessageFeatures.of("what?? really?! ¿no? ¡sí!");

        assertThat(f.questions()).isEqualTo(4);
        assertThat(f.exclamations()).isEqualTo(2);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" has {1} emojis")
    @CsvSource(
            delimiter = '|',
            value = {
                "hi😀there | 1", // U+1F600, a §2.3 range
                "🌍🚀🇬🇧   | 4", // U+1F30D, U+1F680, two regional indicators
                "☀✂       | 2", // U+2600, U+2702
                "🤔🥰      | 2", // U+1F914, U+1F970: §2.8 adds U+1F900–1F9FF
                "🩷🫠      | 2", // U+1FA77, U+1FAE0: §2.8 adds U+1FA00–1FAFF
                "🯰⟀🟰    | 0", // U+1FBF0, U+27C0, U+1F7F0: outside every range
                "❤️       | 1", // U+2764 counts, the variation selector U+FE0F does not
            })
    void countsEmojiCodePointsInTheWiderSection28Ranges(String text, int emojis) {
        assertThat(MessageFeatures.of(text).emojis()).isEqualTo(emojis);
    }

    @Test
    void lengthIsUtf16NotCodePoints() {
        // SPEC §2.8 length = String.length(): an emoji outside the BMP is 2, unlike §2.5.
        assertThat(MessageFeatures.of("hi😀").length()).isEqualTo(4);
        assertThat(MessageFeatures.of("&gt; quote").length()).isEqualTo(10); // raw, not decoded
    }

    @Test
    void wordsAreTheSection23Count() {
        assertThat(MessageFeatures.of("I have 123 apples and 456 oranges").words()).isEqualTo(7);
        assertThat(MessageFeatures.of("test@email.com").words()).isEqualTo(2);
        assertThat(MessageFeatures.of("&gt; quote").words()).isEqualTo(2);
        assertThat(MessageFeatures.of("x y z").words()).isZero();
    }
}
