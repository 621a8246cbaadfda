package io.tally.pipeline.chat.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CodePointsTest {

    static Stream<Arguments> lengths() {
        return Stream.of(
                arguments("", 0, 0),
                arguments("hello", 5, 5),
                arguments("café", 4, 4),
                arguments("😀", 1, 2), // outside the BMP: one code point, two UTF-16 units
                arguments("hi😀there", 8, 9),
                arguments("👍🏽", 2, 4), // emoji + skin-tone modifier are two code points
                arguments("e\u0301", 2, 2), // a combining accent is its own code point
                arguments("\uD800", 1, 1), // an unpaired surrogate counts once
                arguments("&gt;", 4, 4)); // raw logged text, never decoded (SPEC §2.1)
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" has {1} code points ({2} chars)")
    @MethodSource("lengths")
    void countsCodePointsNotChars(String text, int codePoints, int utf16Length) {
        assertThat(CodePoints.length(text)).isEqualTo(codePoints);
        assertThat(text.length()).isEqualTo(utf16Length);
    }
}
