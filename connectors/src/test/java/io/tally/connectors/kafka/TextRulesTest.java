package io.tally.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SPEC §1.6 "values no table can hold", and cutting text on character boundaries. */
class TextRulesTest {

    /**
     * Escapes in the table: {@code \0} = U+0000, {@code \h} = a lone U+D800, {@code \l} = U+DC00.
     */
    static String unescape(String s) {
        return s == null
                ? ""
                : s.replace("\\0", "\u0000").replace("\\h", "\ud800").replace("\\l", "\udc00");
    }

    @ParameterizedTest(name = "[{0}] cap {1} → {2}")
    @CsvSource(
            delimiter = '|',
            nullValues = "NULL",
            value = {
                "alice|100|NULL",
                "|100|NULL",
                "Chloé 李 😀|4|at most 4 characters, got 9",
                "😀😀😀|3|NULL",
                "ab\\0c|100|contains U+0000 (NUL), which PostgreSQL text cannot hold",
                "\\0|0|contains U+0000 (NUL), which PostgreSQL text cannot hold",
                "a\\hb|100|contains an unpaired surrogate (U+D800), which is not valid Unicode and PostgreSQL cannot store",
                "a\\l|100|contains an unpaired surrogate (U+DC00), which is not valid Unicode and PostgreSQL cannot store",
                "\\l\\h|100|contains an unpaired surrogate (U+DC00), which is not valid Unicode and PostgreSQL cannot store",
                "x\\h\\0|100|contains U+0000 (NUL), which PostgreSQL text cannot hold",
                "abcdef|5|at most 5 characters, got 6",
                "abcde|5|NULL",
            })
    void whyUnstorable(String value, int cap, String expected) {
        assertThat(TextRules.whyUnstorable(unescape(value), cap)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{0}] within {1} bytes → [{2}]")
    @CsvSource(
            delimiter = '|',
            value = {
                "abc|3|abc",
                "abc|2|ab",
                "abc|0|''",
                "éé|3|é",
                "éé|4|éé",
                "李李|5|李",
                "a😀|4|a",
                "a😀|5|a😀",
                "a\\hb|2|a\\h",
            })
    void utf8PrefixNeverSplitsACharacter(String text, int maxBytes, String expected) {
        String prefix = TextRules.utf8Prefix(unescape(text), maxBytes);
        assertThat(prefix).isEqualTo(unescape(expected));
        assertThat(prefix.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(maxBytes);
    }

    @ParameterizedTest(name = "[{0}] is {1} UTF-8 bytes")
    @CsvSource(
            delimiter = '|',
            value = {"abc|3", "é|2", "李|3", "😀|4", "a\\h|2", "''|0"})
    void utf8LengthMatchesGetBytes(String text, long bytes) {
        String s = unescape(text);
        assertThat(TextRules.utf8Length(s)).isEqualTo(bytes);
        assertThat(TextRules.utf8Length(s)).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
    }

    @ParameterizedTest(name = "[{0}] shortened to {1} → [{2}]")
    @CsvSource(
            delimiter = '|',
            value = {"abc|3|abc", "abcd|3|abc…", "ab😀|3|ab…", "ab😀|4|ab😀"})
    void shortenedKeepsSurrogatePairsWhole(String text, int max, String expected) {
        assertThat(TextRules.shortened(text, max)).isEqualTo(expected);
    }
}
