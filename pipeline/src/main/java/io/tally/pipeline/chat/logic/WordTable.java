package io.tally.pipeline.chat.logic;

import java.util.Arrays;

/**
 * A user's distinct words, each with a {@code long} (the ts of its first use, or nothing), packed
 * into three arrays: the state behind SPEC §2.8 {@code vocabulary_size} and the §2.9 vocabulary
 * achievement, which must know every distinct word of a user.
 *
 * <p>Why not a {@code MapState<String, Long>} (issue 12): a word there costs a map entry, a string,
 * its bytes and a boxed long, about 100 bytes in five objects, and a state lookup per token. With
 * 3.5 M words in a 1 M-message catch-up those objects were most of the heap, so most of what the
 * garbage collector copied and most of what each heap checkpoint serialized string by string. Here
 * a word is its code units in one byte array, an end offset and a value: about 20 bytes, no object
 * of its own, and one state lookup per message.
 *
 * <p>A Flink POJO: the public fields are the state. The hash index is derived and transient: it is
 * rebuilt on the first lookup after the table was deserialized or copied (a heap checkpoint copies
 * a table on its first write after the barrier, which costs one pass over its words).
 */
public final class WordTable {
    private static final byte[] NO_CHARS = new byte[0];
    private static final int[] NO_ENDS = new int[0];
    private static final long[] NO_VALUES = new long[0];

    /** The largest array the JVM allocates. */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    /**
     * The words' UTF-16 code units, one word after another: one byte each while every unit is below
     * 256 ({@link #wide} false: ASCII ids and words, as a string is serialized), two bytes each
     * (high byte first) once one is not.
     */
    public byte[] chars = NO_CHARS;

    /** Whether {@link #chars} holds two bytes a unit. */
    public boolean wide;

    /** {@code ends[i]}: where word {@code i} ends in {@link #chars}, in code units (exclusive). */
    public int[] ends = NO_ENDS;

    /** {@code values[i]}: the value of word {@code i}. */
    public long[] values = NO_VALUES;

    /** How many words the table holds; the arrays may be longer (room to grow). */
    public int size;

    /** Open addressing over the words: word index + 1, 0 for an empty slot; a power of two long. */
    private transient int[] slots;

    public WordTable() {}

    /** The number of distinct words. */
    public int size() {
        return size;
    }

    public boolean contains(String word) {
        return indexOf(word) >= 0;
    }

    /** The value of {@code word}, or {@code missing} if the table does not hold it. */
    public long get(String word, long missing) {
        int i = indexOf(word);
        return i < 0 ? missing : values[i];
    }

    /** Adds {@code word} with value 0 if it is new; true if it was. */
    public boolean add(String word) {
        if (indexOf(word) >= 0) {
            return false;
        }
        append(word, 0);
        return true;
    }

    /** Sets the value of {@code word}, adding the word if it is new. */
    public void put(String word, long value) {
        int i = indexOf(word);
        if (i >= 0) {
            values[i] = value;
        } else {
            append(word, value);
        }
    }

    /** Word {@code i} (0 ≤ i < size), in the order the words were added. */
    public String word(int i) {
        int start = start(i);
        char[] text = new char[ends[i] - start];
        for (int c = 0; c < text.length; c++) {
            text[c] = charAt(start + c);
        }
        return new String(text);
    }

    /** The value of word {@code i} (0 ≤ i < size). */
    public long value(int i) {
        return values[i];
    }

    public void setValue(int i, long value) {
        values[i] = value;
    }

    /**
     * Removes every word whose value is at most {@code max}, keeping the others in order; returns
     * how many it removed.
     */
    public int removeValuesUpTo(long max) {
        int kept = 0;
        int keptUnits = 0;
        for (int i = 0; i < size; i++) {
            if (values[i] <= max) {
                continue;
            }
            int start = start(i);
            int length = ends[i] - start;
            System.arraycopy(chars, width() * start, chars, width() * keptUnits, width() * length);
            keptUnits += length;
            ends[kept] = keptUnits;
            values[kept] = values[i];
            kept++;
        }
        int removed = size - kept;
        if (removed > 0) {
            size = kept;
            chars = Arrays.copyOf(chars, width() * grown(keptUnits));
            ends = Arrays.copyOf(ends, grown(kept));
            values = Arrays.copyOf(values, grown(kept));
            slots = null;
        }
        return removed;
    }

    /** The index of {@code word} (for {@link #value} and {@link #setValue}), or -1. */
    public int indexOf(String word) {
        int[] index = index();
        int mask = index.length - 1;
        for (int slot = spread(word.hashCode()) & mask; ; slot = (slot + 1) & mask) {
            int entry = index[slot];
            if (entry == 0) {
                return -1;
            }
            if (matches(entry - 1, word)) {
                return entry - 1;
            }
        }
    }

    private void append(String word, long value) {
        int start = size == 0 ? 0 : ends[size - 1];
        int end = start + word.length();
        if (size == ends.length) {
            int capacity = grown(size + 1);
            ends = Arrays.copyOf(ends, capacity);
            values = Arrays.copyOf(values, capacity);
        }
        if (!wide && !latin1(word)) {
            widen();
        }
        if ((long) width() * end > chars.length) {
            chars = Arrays.copyOf(chars, (int) Math.min(MAX_BYTES, (long) width() * grown(end)));
        }
        for (int c = 0; c < word.length(); c++) {
            char ch = word.charAt(c);
            if (wide) {
                chars[2 * (start + c)] = (byte) (ch >>> 8);
                chars[2 * (start + c) + 1] = (byte) ch;
            } else {
                chars[start + c] = (byte) ch;
            }
        }
        ends[size] = end;
        values[size] = value;
        size++;
        if (2 * size > slots.length) {
            slots = null; // rebuilt at twice the size on the next lookup
        } else {
            insert(slots, size - 1, word.hashCode());
        }
    }

    /** The hash index, built from the arrays if this table was just deserialized or copied. */
    private int[] index() {
        if (slots == null) {
            int length = Integer.highestOneBit(Math.max(4, 4 * size - 1));
            int[] built = new int[length];
            for (int i = 0; i < size; i++) {
                insert(built, i, hashOf(i));
            }
            slots = built;
        }
        return slots;
    }

    private static void insert(int[] index, int word, int hash) {
        int mask = index.length - 1;
        int slot = spread(hash) & mask;
        while (index[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        index[slot] = word + 1;
    }

    private boolean matches(int i, String word) {
        int start = start(i);
        if (ends[i] - start != word.length()) {
            return false;
        }
        for (int c = 0; c < word.length(); c++) {
            if (charAt(start + c) != word.charAt(c)) {
                return false;
            }
        }
        return true;
    }

    /** {@link String#hashCode()} of word {@code i}, from its stored code units. */
    private int hashOf(int i) {
        int h = 0;
        for (int c = start(i); c < ends[i]; c++) {
            h = 31 * h + charAt(c);
        }
        return h;
    }

    private int start(int i) {
        return i == 0 ? 0 : ends[i - 1];
    }

    private int width() {
        return wide ? 2 : 1;
    }

    private static boolean latin1(String word) {
        for (int c = 0; c < word.length(); c++) {
            if (word.charAt(c) > 0xff) {
                return false;
            }
        }
        return true;
    }

    /** Switches {@link #chars} to two bytes a unit, for a word with a unit of 256 or more. */
    private void widen() {
        int units = size == 0 ? 0 : ends[size - 1];
        byte[] wider = new byte[2 * Math.max(units, chars.length)];
        for (int u = 0; u < units; u++) {
            wider[2 * u + 1] = chars[u];
        }
        chars = wider;
        wide = true;
    }

    private char charAt(int unit) {
        if (!wide) {
            return (char) (chars[unit] & 0xff);
        }
        return (char) (((chars[2 * unit] & 0xff) << 8) | (chars[2 * unit + 1] & 0xff));
    }

    /**
     * Mixes a string hash before it picks a slot: hashes of similar short words are close numbers,
     * which linear probing would pile into long runs of slots (a miss then scans the whole run).
     */
    private static int spread(int h) {
        int x = h * 0x9E3779B9;
        return x ^ (x >>> 15);
    }

    /** Room for {@code needed}, with half as much again to grow into (at least 4). */
    private static int grown(int needed) {
        return (int) Math.min(MAX_BYTES / 2, Math.max(4L, needed + (long) (needed >> 1)));
    }
}
