package io.tally.pipeline.chat.functions;

import static io.tally.pipeline.chat.functions.ChatFixtures.message;
import static io.tally.pipeline.chat.functions.ChatFixtures.utc;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.chat.records.MessageAnalysisRow;
import io.tally.pipeline.chat.records.VocabularyRow;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
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
}
