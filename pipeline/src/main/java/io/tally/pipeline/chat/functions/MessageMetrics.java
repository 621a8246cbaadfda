package io.tally.pipeline.chat.functions;

import io.tally.pipeline.chat.logic.CodePoints;
import io.tally.pipeline.chat.logic.MessageFeatures;
import io.tally.pipeline.chat.records.ChatMessage;

/**
 * The text metrics of a message, measured once when it is read (the validator runs in the source's
 * threads) and carried on the {@link ChatMessage}, instead of once per operator that needs them
 * (issue 12: the content and achievements operators each measured every text again).
 */
public final class MessageMetrics {
    private MessageMetrics() {}

    /** Sets the SPEC §2.3 word count, the code point length and the §2.8 content metrics. */
    public static void measure(ChatMessage m) {
        MessageFeatures f = MessageFeatures.of(m.text);
        m.words = f.words();
        m.codePoints = CodePoints.length(m.text);
        m.emojis = f.emojis();
        m.urls = f.urls();
        m.mentions = f.mentions();
        m.caps = f.caps();
        m.questions = f.questions();
        m.exclamations = f.exclamations();
        m.length = f.length();
    }

    /**
     * The content metrics {@link #measure} set on {@code m}. A message held in state by a version
     * before these fields existed (an achievements operator's pending messages, restored from an
     * older savepoint) has them all 0; its length then differs from its text's, and it is measured
     * here instead (not in place: functions never mutate records).
     */
    public static MessageFeatures features(ChatMessage m) {
        if (m.length != m.text.length()) {
            return MessageFeatures.of(m.text);
        }
        return new MessageFeatures(
                m.words,
                m.emojis,
                m.urls,
                m.mentions,
                m.caps,
                m.questions,
                m.exclamations,
                m.length);
    }
}
