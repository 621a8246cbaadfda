package io.tally.pipeline.chat.logic;

/**
 * Message length in Unicode code points, the unit of {@code avg_message_length} (SPEC §2.5, §2.7).
 */
public final class CodePoints {

    private CodePoints() {}

    /**
     * Code points in the text: an emoji outside the BMP counts 1, not 2 as in {@code
     * String.length()}; an unpaired surrogate counts 1.
     */
    public static int length(String text) {
        return text.codePointCount(0, text.length());
    }
}
