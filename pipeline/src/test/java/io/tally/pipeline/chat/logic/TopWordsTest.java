package io.tally.pipeline.chat.logic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

class TopWordsTest {

    private static final long NINE_AM = 1_763_802_000_000L; // 2025-11-22T09:00:00Z
    private static final long ONE_MINUTE_LATER = NINE_AM + 60_000;

    @Test
    void admitsNewWordsUntilFullThenEvictsTheLatest() {
        TopWords top = new TopWords(2);

        assertThat(top.offer("b", new FirstUse(ONE_MINUTE_LATER, "m2", 0)))
                .isEqualTo(new TopWords.Change("b", ONE_MINUTE_LATER, null));
        assertThat(top.offer("c", new FirstUse(ONE_MINUTE_LATER, "m2", 1)))
                .isEqualTo(new TopWords.Change("c", ONE_MINUTE_LATER, null));
        // A late message: "a" is earlier than both, so the latest ("c") falls out.
        assertThat(top.offer("a", new FirstUse(NINE_AM, "m1", 5)))
                .isEqualTo(new TopWords.Change("a", NINE_AM, "c"));

        assertThat(top.words).containsExactly("a", "b");
        assertThat(top.ts).containsExactly(NINE_AM, ONE_MINUTE_LATER);
    }

    @Test
    void aTokenOver100CharactersGetsNoRowAndTakesNoPlace() {
        // SPEC §2.8: a pasted hash or base64 blob counts in vocabulary_size (the caller's count)
        // but gets no user_vocabulary row; PostgreSQL could not even index it.
        TopWords top = new TopWords(2);
        String blob = "a1".repeat(1500);
        String longest = "x".repeat(TopWords.MAX_WORD_LENGTH);

        assertThat(top.offer(blob, new FirstUse(NINE_AM, "m1", 0))).isEqualTo(TopWords.Change.NONE);
        assertThat(top.offer("x" + longest, new FirstUse(NINE_AM, "m1", 1)))
                .isEqualTo(TopWords.Change.NONE);
        assertThat(top.offer(longest, new FirstUse(NINE_AM, "m1", 2)))
                .isEqualTo(new TopWords.Change(longest, NINE_AM, null));
        assertThat(top.offer("b", new FirstUse(ONE_MINUTE_LATER, "m2", 0)))
                .isEqualTo(new TopWords.Change("b", ONE_MINUTE_LATER, null));

        assertThat(top.words).containsExactly(longest, "b");
        assertThat(TopWords.fitsARow(longest)).isTrue();
        assertThat(TopWords.fitsARow(longest + "x")).isFalse();
    }

    @Test
    void aWordAfterTheLastOfAFullRankingIsNotAdmittedAndHasNoRow() {
        TopWords top = new TopWords(2);
        top.offer("a", new FirstUse(NINE_AM, "m1", 0));
        top.offer("b", new FirstUse(NINE_AM, "m1", 1));

        TopWords.Change change = top.offer("c", new FirstUse(NINE_AM, "m1", 2));

        // A delete: a run that crashed after this checkpoint may have written "c" (issue 9).
        assertThat(change).isEqualTo(new TopWords.Change(null, 0, "c"));
        assertThat(top.words).containsExactly("a", "b");
    }

    @Test
    void aReplayInAnotherOrderAfterACrashLeavesTheRowsOfAFailureFreeRun() {
        // Issue 9, SPEC §1.8: user_vocabulary has no version guard. A run writes rows past its
        // last checkpoint and crashes; the restored state replays the rest of the messages in
        // another order (a user's messages can come from several partitions). The table must end
        // as the SPEC §2.8 definition over all messages says.
        Random random = new Random(9);
        for (int run = 0; run < 500; run++) {
            List<Message> messages = randomMessages(random);
            Collections.shuffle(messages, random);
            int checkpoint = random.nextInt(messages.size() + 1);
            int crash = checkpoint + random.nextInt(messages.size() - checkpoint + 1);

            Map<String, Long> table = new HashMap<>();
            Operator lost = new Operator(3);
            Operator restored = new Operator(3);
            for (int m = 0; m < crash; m++) {
                lost.process(messages.get(m), table);
                if (m < checkpoint) {
                    restored.process(messages.get(m), new HashMap<>()); // the checkpointed state
                }
            }
            List<Message> replay = new ArrayList<>(messages.subList(checkpoint, messages.size()));
            Collections.shuffle(replay, random);
            for (Message message : replay) {
                restored.process(message, table);
            }

            Map<String, Long> expected = new HashMap<>();
            bruteForceTop(messages, 3).forEach((word, use) -> expected.put(word, use.ts));
            assertThat(table).as("run %d", run).isEqualTo(expected);
        }
    }

    /** ContentFunction's vocabulary part: minimal first use per word, offered when it moves. */
    private static final class Operator {
        final TopWords top;
        final Map<String, FirstUse> minimal = new HashMap<>();

        Operator(int limit) {
            top = new TopWords(limit);
        }

        void process(Message message, Map<String, Long> table) {
            for (int position = 0; position < message.tokens().size(); position++) {
                String word = message.tokens().get(position);
                FirstUse use = new FirstUse(message.ts(), message.id(), position);
                FirstUse known = minimal.get(word);
                if (known == null || use.compareTo(known) < 0) {
                    minimal.put(word, use);
                    apply(table, top.offer(word, use));
                }
            }
        }
    }

    @Test
    void anEarlierFirstUseMovesAWordWithoutEvicting() {
        TopWords top = new TopWords(3);
        top.offer("a", new FirstUse(NINE_AM, "m1", 0));
        top.offer("b", new FirstUse(NINE_AM, "m1", 1));
        top.offer("c", new FirstUse(ONE_MINUTE_LATER, "m3", 0));

        TopWords.Change change = top.offer("c", new FirstUse(NINE_AM, "m0", 7));

        assertThat(change).isEqualTo(new TopWords.Change("c", NINE_AM, null));
        assertThat(top.words).containsExactly("c", "a", "b"); // "m0" < "m1" at equal ts
        assertThat(top.positions).containsExactly(7, 0, 1);
    }

    @Test
    void aLaterOrEqualFirstUseOfAHeldWordChangesNothing() {
        TopWords top = new TopWords(3);
        top.offer("a", new FirstUse(NINE_AM, "m1", 0));

        assertThat(top.offer("a", new FirstUse(NINE_AM, "m1", 0))).isEqualTo(TopWords.Change.NONE);
        assertThat(top.offer("a", new FirstUse(ONE_MINUTE_LATER, "m0", 0)))
                .isEqualTo(TopWords.Change.NONE);
        assertThat(top.entry(0)).isEqualTo(new FirstUse(NINE_AM, "m1", 0));
    }

    @Test
    void ordersByTsThenMessageIdAsJavaStringsThenPosition() {
        // SPEC §2.8: (ts, message id compared as strings, position in the message).
        List<FirstUse> sorted =
                List.of(
                        new FirstUse(NINE_AM, "B", 9),
                        new FirstUse(NINE_AM, "a", 0), // "B" (0x42) < "a" (0x61)
                        new FirstUse(NINE_AM, "a", 1),
                        new FirstUse(NINE_AM, "a:10", 0),
                        new FirstUse(NINE_AM, "a:9", 0), // as strings, not numbers
                        new FirstUse(ONE_MINUTE_LATER, "A", 0));
        List<FirstUse> shuffled = new ArrayList<>(sorted);
        Collections.shuffle(shuffled, new Random(7));
        Collections.sort(shuffled);

        assertThat(shuffled).containsExactlyElementsOf(sorted);
    }

    @Test
    void holdsTheNSmallestFirstUsesWhateverOrderMessagesArriveIn() {
        // The documented invariant, against a brute-force recomputation after every message:
        // random words, random ts with ties, messages in random (late) order, N = 5.
        // Both ways the operator may offer: offer() always, or offerNew() for a word it has not
        // seen before (ContentFunction), which skips the search for it.
        for (boolean newWordsWithoutSearch : new boolean[] {false, true}) {
            holdsTheNSmallestFirstUses(newWordsWithoutSearch);
        }
    }

    private static void holdsTheNSmallestFirstUses(boolean newWordsWithoutSearch) {
        Random random = new Random(20251122);
        for (int run = 0; run < 300; run++) {
            List<Message> messages = randomMessages(random);
            Collections.shuffle(messages, random);

            TopWords top = new TopWords(5);
            Map<String, FirstUse> minimal = new HashMap<>(); // the operator's per-word state
            Map<String, Long> table = new HashMap<>(); // user_vocabulary as the changes build it
            List<Message> seen = new ArrayList<>();
            for (Message message : messages) {
                seen.add(message);
                for (int position = 0; position < message.tokens().size(); position++) {
                    String word = message.tokens().get(position);
                    FirstUse use = new FirstUse(message.ts(), message.id(), position);
                    FirstUse known = minimal.get(word);
                    if (known == null || use.compareTo(known) < 0) {
                        minimal.put(word, use);
                        apply(
                                table,
                                known == null && newWordsWithoutSearch
                                        ? top.offerNew(word, use)
                                        : top.offer(word, use));
                    }
                }
                Map<String, FirstUse> expected = bruteForceTop(seen, 5);
                assertThat(top.words)
                        .as("run %d", run)
                        .containsExactlyElementsOf(expected.keySet());
                for (int i = 0; i < top.size(); i++) {
                    assertThat(top.entry(i)).isEqualTo(expected.get(top.words.get(i)));
                }
                Map<String, Long> expectedTable = new HashMap<>();
                expected.forEach((word, use) -> expectedTable.put(word, use.ts));
                assertThat(table).as("run %d", run).isEqualTo(expectedTable);
            }
        }
    }

    @Test
    void defaultsToTheSpecLimit() {
        assertThat(new TopWords().limit).isEqualTo(1000).isEqualTo(TopWords.LIMIT);
    }

    @Test
    void isSerializedAsAPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(FirstUse.class);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(TopWords.class);
    }

    record Message(long ts, String id, List<String> tokens) {}

    private static List<Message> randomMessages(Random random) {
        List<String> vocabulary = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k");
        List<Message> messages = new ArrayList<>();
        int count = 1 + random.nextInt(12);
        for (int m = 0; m < count; m++) {
            List<String> tokens = new ArrayList<>();
            int length = random.nextInt(6); // some messages are empty
            for (int t = 0; t < length; t++) {
                tokens.add(vocabulary.get(random.nextInt(vocabulary.size())));
            }
            long ts = NINE_AM + random.nextInt(4) * 1_000L; // few distinct ts: ties on ts
            messages.add(new Message(ts, "room:" + m, tokens));
        }
        return messages;
    }

    /** The SPEC §2.8 definition, recomputed from scratch: first N distinct tokens in order. */
    private static Map<String, FirstUse> bruteForceTop(List<Message> messages, int n) {
        List<Map.Entry<FirstUse, String>> uses = new ArrayList<>();
        for (Message message : messages) {
            for (int position = 0; position < message.tokens().size(); position++) {
                uses.add(
                        Map.entry(
                                new FirstUse(message.ts(), message.id(), position),
                                message.tokens().get(position)));
            }
        }
        uses.sort(Map.Entry.comparingByKey(Comparator.naturalOrder()));
        Map<String, FirstUse> top = new LinkedHashMap<>();
        for (Map.Entry<FirstUse, String> use : uses) {
            if (top.size() == n) {
                break;
            }
            top.putIfAbsent(use.getValue(), use.getKey());
        }
        return top;
    }

    private static void apply(Map<String, Long> table, TopWords.Change change) {
        if (change.evictedWord() != null) {
            table.remove(change.evictedWord());
        }
        if (change.upsertWord() != null) {
            table.put(change.upsertWord(), change.upsertFirstUsed());
        }
    }
}
