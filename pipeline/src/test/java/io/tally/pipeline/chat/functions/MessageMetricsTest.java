package io.tally.pipeline.chat.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.chat.logic.MessageFeatures;
import io.tally.pipeline.chat.records.ChatMessage;
import org.junit.jupiter.api.Test;

/** The metrics measured once when a message is read (issue 12), and what an older state holds. */
class MessageMetricsTest {
    static final String TEXT = "WOW 😀 see https://x.io/a @bob?!";

    @Test
    void whatIsMeasuredOnceIsWhatEachOperatorMeasuredBefore() {
        ChatMessage m = new ChatMessage();
        m.text = TEXT;
        MessageMetrics.measure(m);
        assertThat(MessageMetrics.features(m)).isEqualTo(MessageFeatures.of(TEXT));
        assertThat(m.words).isEqualTo(MessageFeatures.of(TEXT).words());
    }

    @Test
    void aMessageRestoredFromBeforeTheFieldsExistedIsMeasuredAgain() {
        ChatMessage restored = new ChatMessage();
        restored.text = TEXT;
        restored.words = 5; // set by older versions; the new fields are 0
        assertThat(MessageMetrics.features(restored)).isEqualTo(MessageFeatures.of(TEXT));
        assertThat(restored.length).as("not mutated").isZero();
    }
}
