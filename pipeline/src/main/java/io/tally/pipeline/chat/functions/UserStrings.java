package io.tally.pipeline.chat.functions;

import io.tally.pipeline.chat.logic.WordTable;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;

/**
 * The current user's distinct strings in keyed state, each with a {@code long}: packed in one
 * {@link WordTable}, or a map-state entry each. The words of content (with their first-use ts, SPEC
 * §2.8) and of achievements (§2.9 vocabulary), and the message ids of the dedupe (with their day,
 * §1.7).
 *
 * <p>Why two tiers (issue 12): a map entry per word made words most of the heap, of the garbage
 * collector's work and of each heap checkpoint, and cost a state lookup per token; one table per
 * user fixes that, so on the heap the table takes every word (and the dedupe's ids, for the same
 * reasons). RocksDB is the opposite: it reads and writes a value whole, so a table is read whole on
 * every message and written whole on every new word. Measured on 200 000 messages of the peers
 * topic (its busiest user has 11 400 words): 119 s with a map entry per word, 227 s with every word
 * in the table, 151 s with a user's first 256 in it, 127 s with none. So off the heap new words go
 * to the map, as before the table; the dedupe's ids too (the busiest user has 140 000 ids within
 * retention).
 *
 * <p>A word is in exactly one tier, and lookups check both, so the split may differ between runs: a
 * savepoint taken on the heap restores into RocksDB, and the reverse. The map is the state that
 * held all of a user's words before the table existed, so a restored user's words are found there.
 * Use: {@link #load} for the current key, lookups and changes, then {@link #store}.
 */
final class UserStrings<V> {
    /** What {@link #get} returns for a word the user never used (no ts is negative, §1.6). */
    static final long UNKNOWN = Long.MIN_VALUE;

    private final ValueState<WordTable> packed;
    private final MapState<String, V> spilled;
    private final LongFunction<V> toSpilled;
    private final ToLongFunction<V> fromSpilled;

    /** Whether new strings go to the table (state on the heap) or to the map. */
    private final boolean packNew;

    private WordTable table;
    private boolean changed;

    UserStrings(
            ValueState<WordTable> packed,
            MapState<String, V> spilled,
            LongFunction<V> toSpilled,
            ToLongFunction<V> fromSpilled,
            boolean stateOnHeap) {
        this.packed = packed;
        this.spilled = spilled;
        this.toSpilled = toSpilled;
        this.fromSpilled = fromSpilled;
        this.packNew = stateOnHeap;
    }

    /**
     * Reads the current user's table; true if the user has none yet (new, or restored from before
     * the table). On the heap {@link #store} then writes one, even if empty, so this is true once
     * per user. Off the heap, where new strings go to the map, no table is written: a write per new
     * user cost the 100 000-user RocksDB run a third of its speed, so there it stays true.
     */
    boolean load() throws Exception {
        table = packed.value();
        changed = table == null && packNew;
        if (table == null) {
            table = new WordTable();
            return true;
        }
        return false;
    }

    /** Writes the table back if it changed: on RocksDB a write serializes all of it. */
    void store() throws Exception {
        if (changed) {
            packed.update(table);
        }
    }

    /** The value of {@code word}, or {@link #UNKNOWN} if the user never used it. */
    long get(String word) throws Exception {
        int i = table.indexOf(word);
        if (i >= 0) {
            return table.value(i);
        }
        V v = spilled.get(word);
        return v == null ? UNKNOWN : fromSpilled.applyAsLong(v);
    }

    /** Adds {@code word}, which {@link #get} just found {@link #UNKNOWN}. */
    void addNew(String word, long value) throws Exception {
        if (packNew) {
            table.put(word, value);
            changed = true;
        } else {
            spilled.put(word, toSpilled.apply(value));
        }
    }

    /** Adds {@code word} if the user never used it; true if it was new. */
    boolean add(String word) throws Exception {
        if (table.indexOf(word) >= 0 || spilled.contains(word)) {
            return false;
        }
        addNew(word, 0);
        return true;
    }

    /** Removes every string whose value is at most {@code max}, from both tiers. */
    void removeValuesUpTo(long max) throws Exception {
        if (table.removeValuesUpTo(max) > 0) {
            changed = true;
        }
        Iterator<Map.Entry<String, V>> entries = spilled.iterator();
        while (entries.hasNext()) {
            if (fromSpilled.applyAsLong(entries.next().getValue()) <= max) {
                entries.remove();
            }
        }
    }

    /** Whether the user has no string left in either tier. */
    boolean isEmpty() throws Exception {
        return table.size() == 0 && spilled.isEmpty();
    }

    /** Drops the user's state in both tiers. */
    void clear() {
        packed.clear();
        spilled.clear();
        table = new WordTable();
        changed = false;
    }

    /** Sets the value of {@code word}, which {@link #get} just found. */
    void set(String word, long value) throws Exception {
        int i = table.indexOf(word);
        if (i >= 0) {
            table.setValue(i, value);
            changed = true;
        } else {
            spilled.put(word, toSpilled.apply(value));
        }
    }
}
