package io.tally.pipeline.chat.functions;

import static io.tally.pipeline.chat.functions.ChatFixtures.message;
import static io.tally.pipeline.chat.functions.ChatFixtures.utc;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.chat.records.UserStatsRow;
import io.tally.pipeline.runtime.FlushPolicy;
import io.tally.pipeline.runtime.FlushingKeyedOperator;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC §1.9 and issue 12 at the operator that runs the per-user chat functions: rows are the latest
 * value of each dirty key, once per flush, written at the flush interval, before every checkpoint
 * barrier and at the end of input; a replay of history flushes at the catch-up interval until its
 * backlog is read.
 */
class FlushingKeyedOperatorTest {
    /** Wall clock of the test: processing time, which only decides when rows are written. */
    static final long NOW = utc("2026-12-07T12:00");

    static final long LIVE = NOW - 2_000;
    static final long HISTORY = utc("2025-06-01T12:00");

    static final FlushPolicy POLICY =
            new FlushPolicy(
                    Duration.ofMillis(500), Duration.ofSeconds(10), FlushPolicy.CATCH_UP_LAG);

    KeyedOneInputStreamOperatorTestHarness<String, ChatMessage, UserStatsRow> h;

    KeyedOneInputStreamOperatorTestHarness<String, ChatMessage, UserStatsRow> open(
            OperatorSubtaskState restore) throws Exception {
        h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new FlushingKeyedOperator<>(new UserStatsFunction(), POLICY),
                        m -> m.userKey,
                        Types.STRING);
        h.setProcessingTime(NOW);
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    @AfterEach
    void close() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    /** The rows emitted since the last call, as "user count". */
    List<String> drained() {
        List<String> rows =
                h.extractOutputValues().stream()
                        .map(r -> r.username + " " + r.messageCount)
                        .toList();
        h.getOutput().clear();
        return rows;
    }

    void send(String user, String id, long ts) throws Exception {
        h.processElement(message(user, id, ts, "two words"), ts);
    }

    @Test
    void liveEventsAreWrittenOncePerKeyAtTheFlushInterval() throws Exception {
        open(null);
        h.processWatermark(new Watermark(LIVE - 5_000));
        send("alice", "a1", LIVE);
        send("Alice", "a2", LIVE + 1);
        send("bob", "b1", LIVE);
        send("alice", "a3", LIVE + 2);
        assertThat(drained()).isEmpty();

        h.setProcessingTime(NOW + 500);
        assertThat(drained()).containsExactlyInAnyOrder("alice 3", "bob 1");

        // Nothing changed since: the next tick writes nothing.
        h.setProcessingTime(NOW + 1_000);
        assertThat(drained()).isEmpty();
        send("bob", "b2", LIVE + 3);
        h.setProcessingTime(NOW + 1_500);
        assertThat(drained()).containsExactly("bob 2");
    }

    @Test
    void everyDirtyKeyIsWrittenBeforeTheCheckpointBarrierAndAtTheEndOfInput() throws Exception {
        open(null);
        send("alice", "a1", HISTORY);
        h.prepareSnapshotPreBarrier(1);
        assertThat(drained()).containsExactly("alice 1");
        OperatorSubtaskState checkpoint = h.snapshot(1, NOW);

        send("alice", "a2", HISTORY + 1);
        send("carol", "c1", HISTORY);
        h.endInput();
        assertThat(drained()).containsExactlyInAnyOrder("alice 2", "carol 1");
        h.close();

        // The dirty set is not state: a restore from the checkpoint replays a2 and c1, which
        // mark their keys again, and the rows come out as in the run that failed.
        open(checkpoint);
        send("alice", "a2", HISTORY + 1);
        send("carol", "c1", HISTORY);
        h.endInput();
        assertThat(drained()).containsExactlyInAnyOrder("alice 2", "carol 1");
    }

    @Test
    void aReplayOfHistoryIsWrittenAtTheCatchUpIntervalAndOnceItsBacklogIsRead() throws Exception {
        open(null);
        h.processWatermark(new Watermark(HISTORY));
        long t = NOW;
        // Events keep arriving at every tick: rows wait for the catch-up interval (10 s).
        for (int tick = 1; tick < 20; tick++) {
            send("alice", "a" + tick, HISTORY + tick);
            t += 500;
            h.setProcessingTime(t);
            assertThat(drained()).as("tick %d", tick).isEmpty();
        }
        send("alice", "a20", HISTORY + 20);
        h.setProcessingTime(NOW + 10_000);
        assertThat(drained()).containsExactly("alice 20");

        // The backlog is read (a tick with no new event): the rows are written at once.
        send("alice", "a21", HISTORY + 21);
        h.setProcessingTime(NOW + 10_500);
        assertThat(drained()).isEmpty();
        h.setProcessingTime(NOW + 11_000);
        assertThat(drained()).containsExactly("alice 21");
    }

    @Test
    void policyTellsLiveFromHistoryByTheWatermark() {
        long now = NOW;
        // Live (watermark within a minute of the clock): every tick with dirty keys flushes.
        assertThat(POLICY.flushAtTick(now, now - 5_000, 100, now - 500, 3)).isTrue();
        // Nothing dirty: nothing to write.
        assertThat(POLICY.flushAtTick(now, now - 5_000, 100, now - 500, 0)).isFalse();
        // No watermark yet, or the end of input: not history.
        assertThat(POLICY.flushAtTick(now, Long.MIN_VALUE, 100, now - 500, 3)).isTrue();
        assertThat(POLICY.flushAtTick(now, Long.MAX_VALUE, 100, now - 500, 3)).isTrue();
        // History still streaming in: wait for the catch-up interval or the dirty-key bound.
        assertThat(POLICY.flushAtTick(now, HISTORY, 100, now - 500, 3)).isFalse();
        assertThat(POLICY.flushAtTick(now, HISTORY, 100, now - 10_000, 3)).isTrue();
        assertThat(POLICY.flushAtTick(now, HISTORY, 100, now - 500, FlushPolicy.MAX_DIRTY_KEYS))
                .isTrue();
        // History, but no event since the last tick: the backlog is read.
        assertThat(POLICY.flushAtTick(now, HISTORY, 0, now - 500, 3)).isTrue();
    }
}
