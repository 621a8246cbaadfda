package io.tally.pipeline.chat.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WordCounterTest {

    /** Every example of SPEC §2.3, verbatim ("Examples (all must hold)"). */
    static Stream<Arguments> specExamples() {
        return Stream.of(
                arguments("hello world", 2),
                arguments("one-two-three", 3),
                arguments("I have 123 apples and 456 oranges", 7),
                arguments("https://example.com https://test.com two urls here", 5),
                arguments("@hyphen-user @under_score check this", 4),
                arguments("café naïve", 3),
                arguments("x y z", 0),
                arguments("don't", 1),
                arguments("5", 1),
                arguments("hi😀there", 1),
                arguments("test@email.com", 2),
                arguments(
                        "<a href=\"https://x.io/a\" target=\"_blank\" rel=\"noopener noreferrer\">"
                                + "https://x.io/a</a>",
                        9),
                arguments("&gt; quote", 2));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" = {1}")
    @MethodSource("specExamples")
    void countsEverySpecExample(String text, int expected) {
        assertThat(WordCounter.count(text)).isEqualTo(expected);
    }

    static Stream<Arguments> edgeCases() {
        return Stream.of(
                // §2.3 step 1: empty and whitespace-only, with the JavaScript \s set
                arguments("", 0),
                arguments("   ", 0),
                arguments("\t\n\u000B\f\r", 0),
                arguments("\u00A0\u1680\u2000\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF", 0),
                // step 2: "www." needs one or more non-whitespace characters after it
                arguments("www.", 1), // no URL: the token "www"
                arguments("www. x", 1), // "www" counts, "x" does not
                arguments("http://", 1), // "http"
                arguments("http:// ab", 2), // "http", "ab"
                arguments("HTTP://example.com", 3), // case-sensitive: HTTP, example, com
                arguments("Www.example.com", 3),
                // not anchored to a word boundary: "seehttp://ab" → "seeURL" (anchored would give
                // 2)
                arguments("seehttp://ab", 1),
                arguments("wwww.example.com is", 2), // "wURL is"
                // a URL runs to the next \s whitespace, and only that
                arguments("https://a\u3000bc", 2), // U+3000 ends it: URL, bc
                arguments("https://a\uFEFFbc", 2), // U+FEFF ends it
                arguments("https://a\u001Fbc de", 2), // U+001F is not JS whitespace: URL, de
                arguments("http://a,http://b", 1), // one greedy match
                arguments("see:https://x.io/😀/@bob done", 3), // see, URL, done
                // step 3 runs on the URL-replaced text: "@http://x" → "@URL" → "MENTION"
                arguments("@http://x", 1),
                arguments("@", 0),
                arguments("@@bob", 1), // "@MENTION"
                arguments("@-", 1), // "-" is a mention character
                arguments("@é", 0), // not one: "@é" has no token at all
                arguments("hi @bob!", 2),
                // step 4: only the six §2.3 ranges are deleted
                arguments("😀", 0),
                arguments("good👍🏽job", 1), // U+1F44D and skin tone U+1F3FD both deleted
                arguments("🇦🇺mate", 1), // regional indicators U+1F1E6, U+1F1FA
                arguments("a☀b", 1), // U+2600
                arguments("a✂b", 1), // U+2702
                arguments("☀️sunny", 1), // U+FE0F (variation selector) stays and splits
                arguments("hi🤔there", 2), // U+1F914 is outside the §2.3 ranges: it splits
                arguments("ab\uD800cd", 2), // an unpaired surrogate is just a non-word character
                arguments("ab𝐀cd", 2), // U+1D400, a letter outside ASCII, splits
                // step 5: apostrophes
                arguments("'''", 0),
                arguments("'a'", 1), // stripped to "a"
                arguments("'x'", 0), // stripped to "x": no apostrophe left, one character
                arguments("o'", 0), // stripped to "o"
                arguments("''ok''", 1),
                arguments("rock'n'roll", 1),
                arguments("y'know", 1),
                // step 6: single characters
                arguments("a", 1),
                arguments("A", 1),
                arguments("i", 1),
                arguments("I", 1),
                arguments("b", 0),
                arguments("_", 0),
                arguments("__", 1),
                arguments("0", 1),
                arguments("1 2 3", 3),
                arguments("3.14", 2),
                arguments("é", 0),
                arguments("&amp;&lt;", 2));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" = {1}")
    @MethodSource("edgeCases")
    void countsEdgeCases(String text, int expected) {
        assertThat(WordCounter.count(text)).isEqualTo(expected);
    }

    static Stream<Arguments> replacements() {
        return Stream.of(
                arguments("seehttp://x", "seeURL"),
                arguments("a https://b c", "a URL c"),
                arguments("www.", "www."),
                arguments("wwww.x", "wURL"),
                arguments("<a href=\"https://x.io/a\" x>https://x.io/a</a>", "<a href=\"URL x>URL"),
                arguments("😀https://x😀 y", "😀URL y"));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" → \"{1}\"")
    @MethodSource("replacements")
    void replacesUrlsFromTheirPrefixToTheNextWhitespace(String text, String expected) {
        assertThat(WordCounter.replaceUrls(text)).isEqualTo(expected);
    }

    static Stream<Arguments> rawTokens() {
        return Stream.of(
                arguments("", List.of()),
                arguments("Don't STOP 'quoted' x", List.of("Don't", "STOP", "quoted", "x")),
                // raw text: no emoji deletion, so the emoji splits (unlike the word count)
                arguments("hi😀there", List.of("hi", "there")),
                // raw text: no URL or mention replacement
                arguments("https://x.io/a @bob", List.of("https", "x", "io", "a", "bob")),
                arguments("café naïve", List.of("caf", "na", "ve")),
                arguments("'''", List.of()),
                arguments("_ b 7", List.of("_", "b", "7")));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" → {1}")
    @MethodSource("rawTokens")
    void tokensAreStepFiveRunsOfTheRawTextUnfiltered(String text, List<String> expected) {
        assertThat(WordCounter.tokens(text)).isEqualTo(expected);
    }
}
