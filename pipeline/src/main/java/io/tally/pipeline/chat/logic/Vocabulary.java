package io.tally.pipeline.chat.logic;

import java.util.ArrayList;
import java.util.List;

/**
 * The vocabulary tokens of a message (SPEC §2.8 {@code vocabulary_size}, {@code user_vocabulary}).
 */
public final class Vocabulary {

    private Vocabulary() {}

    /**
     * SPEC §2.8: the §2.3 step-5 tokens of the raw text (no URL/mention replacement, no emoji
     * deletion, no step-6 filter), ASCII lower-cased. Order and duplicates are kept because the
     * index in this list is the "position in the message" that orders first uses ({@link
     * FirstUse}).
     */
    public static List<String> vocabularyTokens(String text) {
        List<String> tokens = WordCounter.tokens(text);
        List<String> lowered = new ArrayList<>(tokens.size());
        for (String token : tokens) {
            lowered.add(TextScan.asciiLowerCase(token));
        }
        return lowered;
    }
}
