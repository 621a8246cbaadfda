package io.tally.pipeline.chat.logic;

import java.util.ArrayList;
import java.util.List;

/**
 * A user's first {@link #LIMIT} distinct words of at most {@link #MAX_WORD_LENGTH} characters in
 * {@link FirstUse} order: the {@code user_vocabulary} rows of SPEC §2.8. A longer token (a pasted
 * hash or base64 blob) counts in {@code vocabulary_size}, which the caller keeps, but never gets a
 * row: PostgreSQL cannot index a key over 2704 bytes, and such a row would stop the sink.
 *
 * <p><b>Invariant.</b> After any sequence of {@link #offer} calls, the entries are exactly the
 * {@code limit} smallest pairs (minimal first use, word) among all distinct words offered so far
 * that fit a row ({@link #fitsARow}), taking each word at the smallest first use it was offered
 * with, sorted by first use. It holds because a word's first use only ever moves earlier: a word
 * that is evicted (or never admitted) is at or after every kept entry, kept entries only move
 * earlier, so it can only re-enter when it is offered again with an earlier first use, and then
 * {@link #offer} decides afresh. Hence the caller must offer a word every time its minimal first
 * use decreases (it tracks all distinct words anyway for the exact {@code vocabulary_size}), and
 * need not offer anything else.
 *
 * <p>Kept as four parallel lists sorted by first use, so Flink serializes it as a POJO without
 * Kryo; lookups are linear over at most 1000 entries, cheap next to deserializing the state.
 */
public final class TopWords {

    /** SPEC §2.8: the first 1000 distinct tokens. */
    public static final int LIMIT = 1000;

    /** SPEC §2.8: only tokens of at most 100 characters get a row (and count towards LIMIT). */
    public static final int MAX_WORD_LENGTH = 100;

    /**
     * What one {@link #offer} means for {@code user_vocabulary}: the word to upsert, and the word
     * that must have no row — pushed out of the top N, or offered and not admitted.
     *
     * <p>Why a word that was never admitted gets a delete too (issue 9, SPEC §1.8): the table has
     * no version guard, and after a restore the replay may see the user's messages in another order
     * than the run that crashed (a user's messages can sit in several partitions). A word that run
     * admitted past the checkpoint, and whose row it wrote, may then never be admitted by the
     * replay, and nothing would delete its row. Every word such a run wrote is offered again by the
     * replay (the same messages are replayed, and a word is offered whenever its minimal first use
     * moves), so deleting at a refusal leaves, for each word the replay touches, its last row equal
     * to its final place: in the top N with its first use, or absent. The cost is one delete of an
     * absent row per new distinct word of a user past 1000 words.
     */
    public record Change(String upsertWord, long upsertFirstUsed, String evictedWord) {

        public static final Change NONE = new Change(null, 0, null);

        public boolean isNone() {
            return upsertWord == null && evictedWord == null;
        }
    }

    public int limit;

    /** Sorted by ({@link #ts}, {@link #ids}, {@link #positions}); index i of each is one entry. */
    public List<String> words;

    public List<Long> ts;
    public List<String> ids;
    public List<Integer> positions;

    public TopWords() {
        this(LIMIT);
    }

    /** A smaller bound, for tests. */
    public TopWords(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        this.limit = limit;
        this.words = new ArrayList<>();
        this.ts = new ArrayList<>();
        this.ids = new ArrayList<>();
        this.positions = new ArrayList<>();
    }

    /**
     * Offers {@code word} with its new minimal first use: a word never seen before, or a known word
     * whose first use just moved earlier because a late message arrived. Returns the word to upsert
     * (with its {@code first_used}) and the word that fell out of the top N, if any; {@link
     * Change#NONE} if the word does not make the top N or is already there with an earlier or equal
     * first use, and always for a word longer than {@link #MAX_WORD_LENGTH}: it is not a candidate
     * at all, so it neither takes a place nor pushes a shorter word out.
     */
    public Change offer(String word, FirstUse first) {
        if (!fitsARow(word)) {
            return Change.NONE;
        }
        return offer(word, first, words.indexOf(word));
    }

    /**
     * As {@link #offer}, for a word never offered before (the caller's set of every distinct word
     * did not hold it), so it cannot be held: saves the linear search for it, which is most of the
     * cost of a catch-up's vocabulary (nearly every offer is of a new word).
     */
    public Change offerNew(String word, FirstUse first) {
        if (!fitsARow(word)) {
            return Change.NONE;
        }
        return offer(word, first, -1);
    }

    private Change offer(String word, FirstUse first, int current) {
        if (current >= 0) {
            if (first.compareTo(entry(current)) >= 0) {
                return Change.NONE; // not earlier: the first use stands (it only moves earlier)
            }
            remove(current);
            insert(word, first);
            return new Change(word, first.ts, null);
        }
        if (words.size() < limit) {
            insert(word, first);
            return new Change(word, first.ts, null);
        }
        int last = words.size() - 1;
        if (first.compareTo(entry(last)) >= 0) {
            return new Change(null, 0, word); // not in the top N: no row, whatever ran before
        }
        String evicted = words.get(last);
        remove(last);
        insert(word, first);
        return new Change(word, first.ts, evicted);
    }

    /**
     * SPEC §2.8: whether a token may have a {@code user_vocabulary} row. Tokens are §2.3 step-5
     * runs of ASCII characters, so characters, code points and UTF-8 bytes are the same count.
     */
    public static boolean fitsARow(String word) {
        return word.length() <= MAX_WORD_LENGTH;
    }

    /** Number of words held, at most {@code limit}. */
    public int size() {
        return words.size();
    }

    /** The held entry at index {@code i} in first-use order. */
    public FirstUse entry(int i) {
        return new FirstUse(ts.get(i), ids.get(i), positions.get(i));
    }

    private void insert(String word, FirstUse first) {
        int lo = 0;
        int hi = words.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (entry(mid).compareTo(first) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        words.add(lo, word);
        ts.add(lo, first.ts);
        ids.add(lo, first.messageId);
        positions.add(lo, first.position);
    }

    private void remove(int i) {
        words.remove(i);
        ts.remove(i);
        ids.remove(i);
        positions.remove(i);
    }
}
