package io.tally.pipeline.chat.logic;

/**
 * The content metrics of one chat message (SPEC §2.8), all measured on the raw logged text, never
 * on a decoded form (SPEC §2.1): {@code &gt;} is four characters and a logged HTML link holds two
 * URLs.
 *
 * @param words the SPEC §2.3 word count
 * @param emojis code points in the SPEC §2.8 emoji ranges (wider than the §2.3 ones)
 * @param urls URL matches of the SPEC §2.3 pattern
 * @param mentions {@code @[A-Za-z0-9_-]+} matches
 * @param caps more than 5 ASCII letters and more than 80 % of them upper-case
 * @param questions {@code ?} characters
 * @param exclamations {@code !} characters
 * @param length UTF-16 length ({@code String.length()}), not code points as in SPEC §2.5
 */
public record MessageFeatures(
        int words,
        int emojis,
        int urls,
        int mentions,
        boolean caps,
        int questions,
        int exclamations,
        int length) {

    /** SPEC §2.8: caps needs more than this many ASCII letters. */
    static final int CAPS_MIN_LETTERS = 5;

    /** Measures one message's raw text. */
    public static MessageFeatures of(String text) {
        int letters = 0;
        int upper = 0;
        int questions = 0;
        int exclamations = 0;
        // Every character counted here is ASCII, so a char walk sees the same ones as a code-point
        // walk: surrogate halves are never ASCII.
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                letters++;
                upper++;
            } else if (c >= 'a' && c <= 'z') {
                letters++;
            } else if (c == '?') {
                questions++;
            } else if (c == '!') {
                exclamations++;
            }
        }
        return new MessageFeatures(
                WordCounter.count(text),
                TextScan.countEmojis(text),
                TextScan.countUrls(text),
                TextScan.countMentions(text),
                isCaps(letters, upper),
                questions,
                exclamations,
                text.length());
    }

    /**
     * SPEC §2.8: more than 5 ASCII letters and more than 80 % upper-case; non-ASCII letters (É, ß)
     * count neither way. Compared in integers ({@code upper/letters > 4/5}) so exactly 80 % is not
     * caps; for any message up to the 64 KiB limit this agrees with the reference's double division
     * against 0.8.
     */
    static boolean isCaps(int letters, int upper) {
        return letters > CAPS_MIN_LETTERS && 5L * upper > 4L * letters;
    }
}
