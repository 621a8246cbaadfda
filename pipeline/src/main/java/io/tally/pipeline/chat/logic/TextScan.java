package io.tally.pipeline.chat.logic;

import io.tally.pipeline.runtime.UserKey;

/**
 * The character classes and scanners shared by the word count (SPEC §2.3) and the content metrics
 * (SPEC §2.8), so a URL or a mention means the same thing in both.
 *
 * <p>Everything walks code points over explicit classes. {@code java.util.regex} is deliberately
 * not used: its {@code \s}, {@code \w} and {@code \b} differ from the JavaScript reference and
 * between JDK versions (SPEC §2.3).
 */
public final class TextScan {

    static final String URL_TOKEN = "URL";
    static final String MENTION_TOKEN = "MENTION";

    private static final String[] URL_PREFIXES = {"http://", "https://", "www."};

    private TextScan() {}

    /**
     * Number of URL matches in the raw text (SPEC §2.8 {@code urls}); a logged HTML link {@code <a
     * href="u">u</a>} counts 2.
     */
    public static int countUrls(String text) {
        int count = 0;
        int i = 0;
        while (i < text.length()) {
            int end = urlEnd(text, i);
            if (end >= 0) {
                count++;
                i = end;
            } else {
                i += Character.charCount(text.codePointAt(i));
            }
        }
        return count;
    }

    /**
     * Number of {@code @[A-Za-z0-9_-]+} matches in the raw text (SPEC §2.8 {@code mentions}). The
     * raw text is scanned, so a mention inside a URL or an e-mail address counts too, as in the
     * reference.
     */
    public static int countMentions(String text) {
        int count = 0;
        int i = 0;
        while (i < text.length()) {
            int end = mentionEnd(text, i);
            if (end >= 0) {
                count++;
                i = end;
            } else {
                i += Character.charCount(text.codePointAt(i));
            }
        }
        return count;
    }

    /** Number of emoji code points in the SPEC §2.8 ranges (the §2.3 ranges plus U+1F900–1FAFF). */
    public static int countEmojis(String text) {
        return (int) text.codePoints().filter(TextScan::isEmoji).count();
    }

    /** Lower-cases ASCII {@code A–Z} only, as user keys do ({@link UserKey#asciiLowerCase}). */
    public static String asciiLowerCase(String text) {
        return UserKey.asciiLowerCase(text);
    }

    /**
     * Whitespace as the JavaScript {@code \s} class of the reference defines it (SPEC §2.3 step 2).
     * Unlike {@link Character#isWhitespace}, it includes U+00A0, U+202F and U+FEFF and excludes the
     * information separators U+001C–U+001F.
     */
    static boolean isWhitespace(int cp) {
        return cp == ' '
                || (cp >= '\t' && cp <= '\r') // \t \n \v \f \r
                || cp == 0x00A0
                || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028
                || cp == 0x2029
                || cp == 0x202F
                || cp == 0x205F
                || cp == 0x3000
                || cp == 0xFEFF;
    }

    /** {@code [A-Za-z0-9_]}, the reference's {@code \w} (JavaScript, no {@code u} flag). */
    static boolean isWordChar(int cp) {
        return isAsciiLetterOrDigit(cp) || cp == '_';
    }

    /** {@code [A-Za-z0-9_-]}: what may follow {@code @} in a mention (SPEC §2.3 step 3). */
    static boolean isMentionChar(int cp) {
        return isWordChar(cp) || cp == '-';
    }

    /** The six ranges deleted before counting words (SPEC §2.3 step 4). */
    static boolean isWordCountEmoji(int cp) {
        return (cp >= 0x1F600 && cp <= 0x1F64F)
                || (cp >= 0x1F300 && cp <= 0x1F5FF)
                || (cp >= 0x1F680 && cp <= 0x1F6FF)
                || (cp >= 0x1F1E0 && cp <= 0x1F1FF)
                || (cp >= 0x2600 && cp <= 0x26FF)
                || (cp >= 0x2700 && cp <= 0x27BF);
    }

    /**
     * The wider set counted as emojis in content metrics (SPEC §2.8). The word count keeps the
     * narrower §2.3 set, as the reference did, so e.g. 🤔 (U+1F914) splits words there.
     */
    static boolean isEmoji(int cp) {
        return isWordCountEmoji(cp) || (cp >= 0x1F900 && cp <= 0x1FAFF);
    }

    /**
     * If a URL starts at {@code start}, the index just past it, else -1. A URL is {@code http://},
     * {@code https://} or {@code www.} followed by one or more non-whitespace characters, greedily
     * (SPEC §2.3 step 2). Case-sensitive and not anchored to a word boundary: the reference pattern
     * {@code /https?:\/\/[^\s]+|www\.[^\s]+/g} also matches in the middle of {@code seehttp://x}.
     */
    static int urlEnd(String text, int start) {
        for (String prefix : URL_PREFIXES) {
            if (text.startsWith(prefix, start)) {
                int end = start + prefix.length();
                while (end < text.length()) {
                    int cp = text.codePointAt(end);
                    if (isWhitespace(cp)) {
                        break;
                    }
                    end += Character.charCount(cp);
                }
                // The prefixes cannot both match at one index, so no other alternative to try.
                return end > start + prefix.length() ? end : -1;
            }
        }
        return -1;
    }

    /** If a mention {@code @[A-Za-z0-9_-]+} starts at {@code start}, the index past it, else -1. */
    static int mentionEnd(String text, int start) {
        if (start >= text.length() || text.charAt(start) != '@') {
            return -1;
        }
        int end = start + 1;
        // Mention characters are ASCII, so stepping by char is stepping by code point here.
        while (end < text.length() && isMentionChar(text.charAt(end))) {
            end++;
        }
        return end > start + 1 ? end : -1;
    }

    private static boolean isAsciiLetterOrDigit(int cp) {
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    }
}
