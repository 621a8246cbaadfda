package io.tally.pipeline.chat.functions;

import static io.tally.pipeline.chat.functions.ChatFixtures.message;
import static io.tally.pipeline.chat.functions.ChatFixtures.utc;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.chat.records.UserStatsRow;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * SPEC §2.4 at the operator: one small aggregate per user, all time, no timers; first and last seen
 * by event time whatever the arrival order; the version is the message count (§1.8).
 */
class UserStatsFunctionTest {
    static final long MORNING = utc("2026-06-20T08:00");
    static final long NOON = utc("2026-06-20T12:00");
    static final long EVENING = utc("2026-06-20T20:00");

    @Test
    void countsWordsAndKeepsTheEarliestAndLatestEventTimeInAnyArrivalOrder() throws Exception {
        var h = ChatFixtures.harness(new UserStatsFunction());
        h.processElement(message("Alice", "m1", NOON, "two words"), NOON);
        h.processElement(message("Alice", "m2", EVENING, "three more words"), EVENING);
        h.processElement(message("alice", "m3", MORNING, "late"), MORNING); // one user key
        h.processElement(message("Bob", "m4", NOON, "hello"), NOON);

        assertThat(h.extractOutputValues())
                .extracting(
                        r ->
                                r.username
                                        + " "
                                        + r.messageCount
                                        + "/"
                                        + r.totalWords
                                        + " v"
                                        + r.version)
                .containsExactly("alice 1/2 v1", "alice 2/5 v2", "alice 3/6 v3", "bob 1/1 v1");
        UserStatsRow alice = h.extractOutputValues().get(2);
        assertThat(alice.firstSeen).isEqualTo(MORNING);
        assertThat(alice.lastSeen).isEqualTo(EVENING);
        assertThat(h.numKeyedStateEntries()).as("one aggregate per user").isEqualTo(2);
        assertThat(h.numEventTimeTimers()).isZero();
        h.close();
    }

    @Test
    void aRestoredAggregateGoesOnCounting() throws Exception {
        var h = ChatFixtures.harness(new UserStatsFunction());
        h.processElement(message("Alice", "m1", NOON, "two words"), NOON);
        OperatorSubtaskState snapshot = h.snapshot(1, NOON);
        h.close();

        KeyedOneInputStreamOperatorTestHarness<String, ChatMessage, UserStatsRow> restored =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        ChatFixtures.operator(new UserStatsFunction()),
                        m -> m.userKey,
                        Types.STRING);
        restored.initializeState(snapshot);
        restored.open();
        restored.processElement(message("Alice", "m2", EVENING, "three more words"), EVENING);
        assertThat(restored.extractOutputValues())
                .extracting(r -> r.messageCount + "/" + r.totalWords + " v" + r.version)
                .containsExactly("2/5 v2");
        restored.close();
    }
}
