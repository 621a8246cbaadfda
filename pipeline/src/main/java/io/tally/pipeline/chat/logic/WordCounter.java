package io.tally.pipeline.chat.logic;

import java.util.ArrayList;
import java.util.List;

/**
 * The word count of one chat message, exactly as SPEC §2.3 defines it on the raw logged text.
 *
 * <p>The steps run one after another on whole strings, like the reference's chained {@code replace}
 * calls, rather than in one fused pass: a mention may only form after URL replacement
 * ({@code @http://x} becomes {@code @URL}, then {@code MENTION}), so fusing would change results.
 */
public final class WordCounter {

    private WordCounter() {}

    /** Number of words in the raw message text (SPEC §2.3). */
    public static int count(String text) {
        // SPEC §2.3 step 1 (empty or whitespace-only → 0) needs no special case: whitespace never
        // forms a token.
        String withUrls = replaceUrls(text);
        String withMentions = replaceMentions(withUrls);
        String withoutEmoji = deleteEmoji(withMentions);
        int count = 0;
        for (String token : tokens(withoutEmoji)) {
            if (counts(token)) {
                count++;
            }
        }
        return count;
    }

    /**
     * The SPEC §2.3 step-5 tokens of the text as given, in order, case kept: maximal runs of {@code
     * [A-Za-z0-9_']} with leading and trailing {@code '} stripped, empty ones dropped. On raw text
     * (no replacement, no emoji deletion, no filter) these are the vocabulary tokens of SPEC §2.8,
     * before ASCII lower-casing; there an emoji splits words, as in the reference.
     */
    public static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        int runStart = -1;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            boolean tokenChar = TextScan.isWordChar(cp) || cp == '\'';
            if (tokenChar && runStart < 0) {
                runStart = i;
            } else if (!tokenChar && runStart >= 0) {
                addStripped(tokens, text, runStart, i);
                runStart = -1;
            }
            i += Character.charCount(cp);
        }
        if (runStart >= 0) {
            addStripped(tokens, text, runStart, text.length());
        }
        return tokens;
    }

    /** SPEC §2.3 step 6: which tokens are words. */
    static boolean counts(String token) {
        return token.indexOf('\'') >= 0
                || isAllDigits(token)
                || token.length() > 1
                || token.equals("a")
                || token.equals("A")
                || token.equals("i")
                || token.equals("I");
    }

    /** SPEC §2.3 step 2. */
    static String replaceUrls(String text) {
        return replaceMatches(text, TextScan::urlEnd, TextScan.URL_TOKEN);
    }

    /** SPEC §2.3 step 3, on the text after URL replacement. */
    static String replaceMentions(String text) {
        return replaceMatches(text, TextScan::mentionEnd, TextScan.MENTION_TOKEN);
    }

    /** Where a match starting at an index ends, or -1 when none starts there. */
    @FunctionalInterface
    interface MatchEnd {
        int at(String text, int start);
    }

    /** Replaces every match, scanning left to right by code point. */
    private static String replaceMatches(String text, MatchEnd match, String token) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            int end = match.at(text, i);
            if (end >= 0) {
                out.append(token);
                i = end;
            } else {
                int cp = text.codePointAt(i);
                out.appendCodePoint(cp);
                i += Character.charCount(cp);
            }
        }
        return out.toString();
    }

    /**
     * SPEC §2.3 step 4: the text around a deleted emoji joins up ({@code hi😀there} is one word).
     */
    static String deleteEmoji(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints()
                .filter(cp -> !TextScan.isWordCountEmoji(cp))
                .forEach(out::appendCodePoint);
        return out.toString();
    }

    private static void addStripped(List<String> tokens, String text, int start, int end) {
        while (start < end && text.charAt(start) == '\'') {
            start++;
        }
        while (end > start && text.charAt(end - 1) == '\'') {
            end--;
        }
        if (start < end) {
            tokens.add(text.substring(start, end));
        }
    }

    private static boolean isAllDigits(String token) {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return !token.isEmpty();
    }
}
