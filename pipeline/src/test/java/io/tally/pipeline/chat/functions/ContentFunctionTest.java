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
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

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
     * Savepoints from before issue 12 hold each word's full first use under {@code words}: a
     * restored user's words still count as known (no second vocabulary row, no double count in
     * vocabulary_size), and move to the slimmer state when the user is next seen.
     */
    @Test
    void wordsFromAnOlderSavepointStillCountAsKnown() throws Exception {
        var writer =
                new KeyedOneInputStreamOperatorTestHarness<String, ChatMessage, Object>(
                        new KeyedProcessOperator<>(new LegacyWordsWriter()),
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

        assertThat(h.getSideOutput(ContentFunction.VOCABULARY))
                .extracting(r -> r.getValue().word)
                .as("pizza was known from the savepoint")
                .containsExactly("and", "beer");
        assertThat(h.extractOutputValues().get(0).vocabularySize).isEqualTo(4);
        h.close();
    }

    /** Writes {@code words} and {@code vocabulary-size} as ContentFunction did before issue 12. */
    static final class LegacyWordsWriter extends KeyedProcessFunction<String, ChatMessage, Object> {
        private transient MapState<String, FirstUse> words;
        private transient ValueState<Long> size;

        @Override
        public void open(OpenContext context) {
            words =
                    getRuntimeContext()
                            .getMapState(
                                    new MapStateDescriptor<>(
                                            "words", Types.STRING, Types.POJO(FirstUse.class)));
            size =
                    getRuntimeContext()
                            .getState(new ValueStateDescriptor<>("vocabulary-size", Types.LONG));
        }

        @Override
        public void processElement(ChatMessage m, Context ctx, Collector<Object> out)
                throws Exception {
            List<String> tokens = Vocabulary.vocabularyTokens(m.text);
            for (int i = 0; i < tokens.size(); i++) {
                words.put(tokens.get(i), new FirstUse(m.ts, m.id, i));
            }
            size.update((long) tokens.size());
        }
    }
}
