package io.tally.pipeline.chat.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.chat.records.ChatMessage;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The too-late rule of SPEC §1.5 across a restore (issue 9): a message a failure-free run drops as
 * too-late must also be dropped by a restored job, before any watermark has arrived again; and the
 * end of an input ({@code Long.MAX_VALUE}) is not time passing (SPEC §1.4).
 */
class MessageDedupeFunctionTest {
    static final int RETENTION = 3;
    static final ZoneId UTC = ZoneId.of("UTC");

    static final Instant NOW = Instant.parse("2026-10-10T12:00:00Z");
    // Before date(NOW) − 3 days = 7 Oct: too late once the watermark is at NOW.
    static final Instant FIVE_DAYS_EARLIER = NOW.minus(Duration.ofDays(5));
    static final Instant ONE_DAY_EARLIER = NOW.minus(Duration.ofDays(1));

    static ChatMessage message(String id, Instant ts) {
        ChatMessage m = new ChatMessage();
        m.id = id;
        m.userKey = "zoë";
        m.username = "Zoë";
        m.room = "default";
        m.text = "grüß dich";
        m.ts = ts.toEpochMilli();
        return m;
    }

    static KeyedOneInputStreamOperatorTestHarness<String, ChatMessage, ChatMessage> harness(
            OperatorSubtaskState restore) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new MessageDedupeFunction(UTC, RETENTION)),
                        m -> m.userKey,
                        Types.STRING);
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    static void send(
            KeyedOneInputStreamOperatorTestHarness<String, ChatMessage, ChatMessage> h,
            ChatMessage m)
            throws Exception {
        h.processElement(new StreamRecord<>(m, m.ts));
    }

    /** The ids in the too-late dead letters (their value is the message re-encoded). */
    static List<String> tooLate(
            KeyedOneInputStreamOperatorTestHarness<String, ChatMessage, ChatMessage> h) {
        var letters = h.getSideOutput(MessageDedupeFunction.TOO_LATE);
        return letters == null
                ? List.of()
                : letters.stream()
                        .map(r -> r.getValue().value.replaceAll(".*\"id\":\"([^\"]*)\".*", "$1"))
                        .toList();
    }

    static List<String> passed(
            KeyedOneInputStreamOperatorTestHarness<String, ChatMessage, ChatMessage> h) {
        return h.extractOutputValues().stream().map(m -> m.id).toList();
    }

    @Test
    void aRestoredOperatorDropsWhatAFailureFreeRunDropsBeforeAnyWatermarkArrives()
            throws Exception {
        var first = harness(null);
        send(first, message("now", NOW));
        first.processWatermark(new Watermark(NOW.toEpochMilli()));
        send(first, message("old-1", FIVE_DAYS_EARLIER));
        // A failure-free run: too late.
        assertThat(passed(first)).containsExactly("now");
        assertThat(tooLate(first)).containsExactly("old-1");
        OperatorSubtaskState snapshot = first.snapshot(1, NOW.toEpochMilli());
        first.close();

        // Restored: the watermark is Long.MIN_VALUE until every partition reports again.
        var restored = harness(snapshot);
        send(restored, message("old-2", FIVE_DAYS_EARLIER));
        send(restored, message("recent", ONE_DAY_EARLIER));
        send(restored, message("now", NOW)); // a repeat of an id seen before the checkpoint
        assertThat(passed(restored)).containsExactly("recent");
        assertThat(tooLate(restored)).containsExactly("old-2");
        assertThat(restored.numKeyedStateEntries()).as("one map: seen id -> day").isEqualTo(1);
        restored.close();
    }

    @Test
    void aWatermarkThatMovedWithoutMessagesIsKeptAtTheCheckpoint() throws Exception {
        var first = harness(null);
        send(first, message("then", FIVE_DAYS_EARLIER));
        // Time passes on other partitions; no message for this subtask since.
        first.processWatermark(new Watermark(NOW.toEpochMilli()));
        OperatorSubtaskState snapshot = first.snapshot(1, NOW.toEpochMilli());
        first.close();

        var restored = harness(snapshot);
        send(restored, message("old", FIVE_DAYS_EARLIER));
        assertThat(passed(restored)).isEmpty();
        assertThat(tooLate(restored)).containsExactly("old");
        restored.close();
    }

    @Test
    void theEndOfAnInputIsNotTimePassing() throws Exception {
        var first = harness(null);
        send(first, message("a", ONE_DAY_EARLIER));
        first.processWatermark(new Watermark(ONE_DAY_EARLIER.toEpochMilli()));
        // A drained stop-with-savepoint (or a finished bounded source) ends with +∞.
        first.processWatermark(new Watermark(Long.MAX_VALUE));
        send(first, message("b", ONE_DAY_EARLIER));
        OperatorSubtaskState snapshot = first.snapshot(1, NOW.toEpochMilli());
        first.close();
        assertThat(passed(first)).containsExactly("a", "b");

        // Resumed: messages within the retention window of the last real watermark still count.
        var restored = harness(snapshot);
        send(restored, message("c", NOW));
        send(restored, message("d", ONE_DAY_EARLIER));
        assertThat(passed(restored)).containsExactly("c", "d");
        assertThat(tooLate(restored)).isEmpty();
        restored.close();
    }

    /**
     * SPEC §1.7: ids are kept for the retention horizon. An id is forgotten on the day its message
     * would be too late, and not before: a repeat until then is a duplicate.
     */
    @Test
    void anIdIsForgottenOnceItsMessageWouldBeTooLate() throws Exception {
        var h = harness(null);
        send(h, message("a", FIVE_DAYS_EARLIER));
        send(h, message("b", ONE_DAY_EARLIER));
        // 5 Oct + 3 retention days: forgotten from the start of 9 Oct, while 10 Oct is today.
        h.processWatermark(new Watermark(Instant.parse("2026-10-08T23:59:59Z").toEpochMilli()));
        send(h, message("a", FIVE_DAYS_EARLIER));
        assertThat(passed(h)).as("still remembered the day before").containsExactly("a", "b");

        h.processWatermark(new Watermark(Instant.parse("2026-10-09T00:00:00Z").toEpochMilli()));
        assertThat(h.numKeyedStateEntries()).as("b is still held").isEqualTo(1);
        h.processWatermark(new Watermark(Instant.parse("2026-10-13T00:00:00Z").toEpochMilli()));
        assertThat(h.numKeyedStateEntries()).as("every id forgotten").isZero();
        h.close();
    }

    /** SPEC §1.4: the end of a bounded input (or a drain) is not time passing; no id is dropped. */
    @Test
    void theEndOfInputForgetsNoId() throws Exception {
        var h = harness(null);
        send(h, message("a", FIVE_DAYS_EARLIER));
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(h.numKeyedStateEntries()).isEqualTo(1);
        h.close();
    }
}
