package io.tally.pipeline.runtime;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The keys whose rows changed since the last flush of a {@link FlushingKeyedOperator}, with what
 * changed (SPEC §1.9: write the latest value of each dirty key, once per flush). Lives on the task
 * thread only and is never checkpointed: the operator flushes it before every checkpoint barrier.
 */
public final class DirtyKeys<K> {

    /**
     * What changed for one key: bits the function defines, and sub-keys (a day, an hour bucket).
     */
    public static final class Marks {
        private int parts;
        private Set<Object> items;

        /** True if {@code part} (one bit the function defines) was marked. */
        public boolean has(int part) {
            return (parts & part) != 0;
        }

        /** The marked bits. */
        public int parts() {
            return parts;
        }

        /** The marked sub-keys, in no particular order; empty if none. */
        public Collection<Object> items() {
            return items == null ? List.of() : items;
        }
    }

    private Map<K, Marks> marks = new HashMap<>();

    /** Marks {@code parts} of {@code key} changed. */
    public void mark(K key, int parts) {
        marksOf(key).parts |= parts;
    }

    /** Marks the row of {@code key} identified by {@code item} (e.g. a day) changed. */
    public void markItem(K key, Object item) {
        Marks m = marksOf(key);
        if (m.items == null) {
            m.items = new HashSet<>();
        }
        m.items.add(item);
    }

    private Marks marksOf(K key) {
        return marks.computeIfAbsent(key, k -> new Marks());
    }

    public boolean isEmpty() {
        return marks.isEmpty();
    }

    public int size() {
        return marks.size();
    }

    /** Takes every mark, leaving none: what a flush writes. */
    Map<K, Marks> drain() {
        Map<K, Marks> taken = marks;
        marks = new HashMap<>();
        return taken;
    }
}
