package io.tally.connectors.kafka;

import java.util.Locale;

/**
 * Plain rules about strings at the edges: which values a PostgreSQL {@code text} column cannot hold
 * (SPEC §1.6 "values no table can hold"), and cutting text to a budget without splitting a
 * character (error sentences, dead-letter values).
 */
public final class TextRules {
    private TextRules() {}

    /**
     * Why {@code value} cannot go into a table as it is, or null when it can (and for null).
     * Checks, in this order: U+0000, an unpaired surrogate, more than {@code maxChars} code points.
     */
    public static String whyUnstorable(String value, int maxChars) {
        if (value == null) {
            return null;
        }
        int codePoints = 0;
        String badSurrogate = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\u0000') {
                return "contains U+0000 (NUL), which PostgreSQL text cannot hold";
            }
            if (Character.isHighSurrogate(c)
                    && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c) && badSurrogate == null) {
                badSurrogate = String.format(Locale.ROOT, "U+%04X", (int) c);
            }
            codePoints++;
        }
        if (badSurrogate != null) {
            return "contains an unpaired surrogate ("
                    + badSurrogate
                    + "), which is not valid Unicode and PostgreSQL cannot store";
        }
        if (codePoints > maxChars) {
            return "at most " + maxChars + " characters, got " + codePoints;
        }
        return null;
    }

    /** {@code text} cut to at most {@code maxChars} UTF-16 chars plus "…", never inside a pair. */
    public static String shortened(String text, int maxChars) {
        if (text.length() <= maxChars) {
            return text;
        }
        int end = maxChars;
        if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }

    /**
     * The UTF-8 size of {@code text}, as {@link String#getBytes} would encode it (an unpaired
     * surrogate becomes one byte, {@code ?}), without allocating the bytes.
     */
    public static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            bytes += charBytes(text, i);
            if (isPairAt(text, i)) {
                i++;
            }
        }
        return bytes;
    }

    /**
     * The longest prefix of {@code text} whose UTF-8 form is at most {@code maxBytes} bytes, cut on
     * a character boundary (never inside a surrogate pair or a multi-byte sequence).
     */
    public static String utf8Prefix(String text, int maxBytes) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            int size = charBytes(text, i);
            if (bytes + size > maxBytes) {
                return text.substring(0, i);
            }
            bytes += size;
            if (isPairAt(text, i)) {
                i++;
            }
        }
        return text;
    }

    /** UTF-8 bytes of the character starting at {@code i} (4 for a whole surrogate pair). */
    private static int charBytes(String text, int i) {
        char c = text.charAt(i);
        if (c < 0x80) {
            return 1;
        }
        if (c < 0x800) {
            return 2;
        }
        if (isPairAt(text, i)) {
            return 4;
        }
        return Character.isSurrogate(c) ? 1 : 3;
    }

    private static boolean isPairAt(String text, int i) {
        return Character.isHighSurrogate(text.charAt(i))
                && i + 1 < text.length()
                && Character.isLowSurrogate(text.charAt(i + 1));
    }
}
