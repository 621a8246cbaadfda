package io.tally.pipeline.chat.functions;

import static io.tally.pipeline.chat.functions.ChatFixtures.message;
import static io.tally.pipeline.chat.functions.ChatFixtures.utc;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.chat.logic.FirstUse;
import io.tally.pipeline.chat.logic.Vocabulary;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.chat.records.MessageAnalysisRow;
import io.tally.pipeline.chat.records.VocabularyRow;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §2.7–§2.8 at the operator: content stats per user, every distinct word with its first use
 * (ts, id, position), and a vocabulary row when a word is first used or an earlier use arrives
 * late.
 */
class ContentFunctionTest {
    static final long NOON = utc("2026-06-20T12:00");
    static final long ONE_PM = utc("2026-06-20T13:00");

    @Test
    void aWordKeepsItsEarliestUseAndTheVocabularySizeCountsDistinctWords() throws Exception {
        var h = ChatFixtures.harness(new ContentFunction());
        h.processElement(message("Alice", "m2", ONE_PM, "Pizza tonight?"), ONE_PM);
        h.processElement(message("Alice", "m3", ONE_PM + 1, "pizza again!"), ONE_PM);
        h.processElement(message("Alice", "m1", NOON, "PIZZA first"), NOON); // late, earlier

        List<VocabularyRow> words =
                h.getSideOutput(ContentFunction.VOCABULARY).stream()
                        .map(StreamRecord::getValue)
                        .toList();
        assertThat(words)
                .extracting(w -> w.word + "@" + (w.firstUsed == NOON ? "noon" : "1pm"))
                .as("a repeat writes nothing; an earlier use moves first_used back")
                .containsExactly(
                        "pizza@1pm", "tonight@1pm", "again@1pm", "pizza@noon", "first@noon");
        MessageAnalysisRow last = h.extractOutputValues().get(2);
        assertThat(last.totalMessages).isEqualTo(3);
        assertThat(last.vocabularySize).isEqualTo(4);
        assertThat(last.questionCount).isEqualTo(1);
        assertThat(last.exclamationCount).isEqualTo(1);
        assertThat(last.version).isEqualTo(3);
        // Stats, the word map, the vocabulary size and the top words, for one user.
        assertThat(h.numKeyedStateEntries()).isEqualTo(4);
        assertThat(h.numEventTimeTimers()).isZero();
        h.close();
    }

    /**
     * On RocksDB new words are a map entry each; on the heap one table takes them all. Either way a
     * word is found, counted once, and an earlier use moves its first use back.
     */
    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void wordsBeyondThePackedTableAreKnownAndMoveEarlierToo(String backend) throws Exception {
        var h = ChatFixtures.harnessOn(backend, new ContentFunction(), null);
        int distinct = 52;
        sendDistinctWords(h, 0, distinct);
        int rowsBefore = h.getSideOutput(ContentFunction.VOCABULARY).size();
        String packed = "w5";
        String spilled = "w" + (distinct - 1);

        h.processElement(message("alice", "again", ONE_PM + 999, packed + " " + spilled), ONE_PM);
        assertThat(h.getSideOutput(ContentFunction.VOCABULARY)).hasSize(rowsBefore);
        h.processElement(message("alice", "early", NOON, packed + " " + spilled), ONE_PM);

        assertThat(h.getSideOutput(ContentFunction.VOCABULARY).stream().skip(rowsBefore))
                .extracting(r -> r.getValue().word + "@" + r.getValue().firstUsed)
                .as("both now first used at noon")
                .containsExactly(packed + "@" + NOON, spilled + "@" + NOON);
        assertThat(h.extractOutputValues())
                .last()
                .extracting(r -> r.vocabularySize)
                .isEqualTo((long) distinct);
        h.close();
    }

    /** A table of every word, as the heap keeps it, restores into RocksDB and goes on there. */
    @Test
    void aHeapSavepointOfManyWordsGoesOnOnRocksDb() throws Exception {
        var heap = ChatFixtures.harnessOn("hashmap", new ContentFunction(), null);
        sendDistinctWords(heap, 0, 300);
        OperatorSubtaskState savepoint =
                heap.snapshotWithLocalState(
                                1, ONE_PM, SavepointType.savepoint(SavepointFormatType.CANONICAL))
                        .getJobManagerOwnedState();
        heap.close();

        var rocks = ChatFixtures.harnessOn("rocksdb", new ContentFunction(), savepoint);
        sendDistinctWords(rocks, 200, 400); // w200..w299 known from the heap's table
        assertThat(rocks.extractOutputValues())
                .last()
                .extracting(r -> r.vocabularySize)
                .isEqualTo(400L);
        rocks.close();
    }

    /** Sends alice words w{from}..w{to - 1}, 100 to a message, one message a millisecond. */
    private static void sendDistinctWords(
            KeyedOneInputStreamOperatorTestHarness<String, ChatMessage, MessageAnalysisRow> h,
            int from,
            int to)
            throws Exception {
        for (int start = from; start < to; start += 100) {
            StringBuilder text = new StringBuilder();
            for (int w = start; w < Math.min(to, start + 100); w++) {
                text.append(" w").append(w);
            }
            h.processElement(
                    message("alice", "m" + start, ONE_PM + start, text.toString()), ONE_PM);
        }
    }

    /**
     * Older savepoints hold each word of a user in a map state: the full first use under {@code
     * words} (before issue 12) or its ts under {@code word-first-use-ts} (until the word table). A
     * restored user's words still count as known (no second vocabulary row, no double count in
     * vocabulary_size); {@code words} is moved into {@code word-first-use-ts} when the user is next
     * seen, and new words go to the table.
     */
    @ParameterizedTest
    @ValueSource(strings = {"words", "word-first-use-ts"})
    void wordsFromAnOlderSavepointStillCountAsKnown(String olderState) throws Exception {
        var writer =
                new KeyedOneInputStreamOperatorTestHarness<String, ChatMessage, Object>(
                        new KeyedProcessOperator<>(new LegacyWordsWriter(olderState)),
                        m -> m.userKey,
                        Types.STRING);
        writer.open();
        writer.processElement(message("Alice", "m1", NOON, "pizza tonight"), NOON);
        OperatorSubtaskState savepoint = writer.snapshot(1, NOON);
        writer.close();

        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        ChatFixtures.operator(new ContentFunction()), m -> m.userKey, Types.STRING);
        h.initializeState(savepoint);
        h.open();
        h.processElement(message("alice", "m2", ONE_PM, "pizza and beer"), ONE_PM);
        h.processElement(message("alice", "m0", NOON - 1, "tonight"), ONE_PM);

        assertThat(h.getSideOutput(ContentFunction.VOCABULARY))
                .extracting(r -> r.getValue().word + "@" + r.getValue().firstUsed)
                .as("pizza was known from the savepoint; tonight moves earlier")
                .containsExactly("and@" + ONE_PM, "beer@" + ONE_PM, "tonight@" + (NOON - 1));
        assertThat(h.extractOutputValues()).last().extracting(r -> r.vocabularySize).isEqualTo(4L);
        // Stats, the word table, word-first-use-ts (the restored words stay there), the size
        // and the top words; the oldest state, words, is emptied.
        assertThat(h.numKeyedStateEntries()).isEqualTo(5);
        h.close();
    }

    /**
     * Writes a user's words and {@code vocabulary-size} as ContentFunction did before the word
     * table, in the older state named {@code state}.
     */
    static final class LegacyWordsWriter extends KeyedProcessFunction<String, ChatMessage, Object> {
        private final String state;
        private transient MapState<String, FirstUse> words;
        private transient MapState<String, Long> firstUseTs;
        private transient ValueState<Long> size;

        LegacyWordsWriter(String state) {
            this.state = state;
        }

        @Override
        public void open(OpenContext context) {
            if (state.equals("words")) {
                words =
                        getRuntimeContext()
                                .getMapState(
                                        new MapStateDescriptor<>(
                                                state, Types.STRING, Types.POJO(FirstUse.class)));
            } else {
                firstUseTs =
                        getRuntimeContext()
                                .getMapState(
                                        new MapStateDescriptor<>(state, Types.STRING, Types.LONG));
            }
            size =
                    getRuntimeContext()
                            .getState(new ValueStateDescriptor<>("vocabulary-size", Types.LONG));
        }

        @Override
        public void processElement(ChatMessage m, Context ctx, Collector<Object> out)
                throws Exception {
            List<String> tokens = Vocabulary.vocabularyTokens(m.text);
            for (int i = 0; i < tokens.size(); i++) {
                if (words != null) {
                    words.put(tokens.get(i), new FirstUse(m.ts, m.id, i));
                } else {
                    firstUseTs.put(tokens.get(i), m.ts);
                }
            }
            size.update((long) tokens.size());
        }
    }
}
