package io.tally.pipeline.chat.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.runtime.BackendAwareKeyedOperator;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /**
     * The dedupe as the workflow runs it, on the state backend named {@code backend} ({@code
     * hashmap}: ids packed in a table; {@code rocksdb}: a map entry each).
     */
    static KeyedOneInputStreamOperatorTestHarness<String, ChatMessage, ChatMessage> harness(
            String backend, OperatorSubtaskState restore) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new BackendAwareKeyedOperator<>(new MessageDedupeFunction(UTC, RETENTION)),
                        m -> m.userKey,
                        Types.STRING);
        h.setStateBackend(
                backend.equals("rocksdb")
                        ? new EmbeddedRocksDBStateBackend()
                        : new HashMapStateBackend());
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    /**
     * On the heap, that the user's state is {@code entries} state entries (the packed ids are one);
     * RocksDB's test backend cannot count them, so there the tests check behaviour only.
     */
    static void assertHeld(
            KeyedOneInputStreamOperatorTestHarness<String, ChatMessage, ChatMessage> h,
            String backend,
            int entries,
            String what) {
        if (backend.equals("hashmap")) {
            assertThat(h.numKeyedStateEntries()).as(what).isEqualTo(entries);
        }
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

    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void aRestoredOperatorDropsWhatAFailureFreeRunDropsBeforeAnyWatermarkArrives(String backend)
            throws Exception {
        var first = harness(backend, null);
        send(first, message("now", NOW));
        first.processWatermark(new Watermark(NOW.toEpochMilli()));
        send(first, message("old-1", FIVE_DAYS_EARLIER));
        // A failure-free run: too late.
        assertThat(passed(first)).containsExactly("now");
        assertThat(tooLate(first)).containsExactly("old-1");
        OperatorSubtaskState snapshot = first.snapshot(1, NOW.toEpochMilli());
        first.close();

        // Restored: the watermark is Long.MIN_VALUE until every partition reports again.
        var restored = harness(backend, snapshot);
        send(restored, message("old-2", FIVE_DAYS_EARLIER));
        send(restored, message("recent", ONE_DAY_EARLIER));
        send(restored, message("now", NOW)); // a repeat of an id seen before the checkpoint
        assertThat(passed(restored)).containsExactly("recent");
        assertThat(tooLate(restored)).containsExactly("old-2");
        assertHeld(restored, backend, 1, "the ids, packed in one table");
        restored.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void aWatermarkThatMovedWithoutMessagesIsKeptAtTheCheckpoint(String backend) throws Exception {
        var first = harness(backend, null);
        send(first, message("then", FIVE_DAYS_EARLIER));
        // Time passes on other partitions; no message for this subtask since.
        first.processWatermark(new Watermark(NOW.toEpochMilli()));
        OperatorSubtaskState snapshot = first.snapshot(1, NOW.toEpochMilli());
        first.close();

        var restored = harness(backend, snapshot);
        send(restored, message("old", FIVE_DAYS_EARLIER));
        assertThat(passed(restored)).isEmpty();
        assertThat(tooLate(restored)).containsExactly("old");
        restored.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void theEndOfAnInputIsNotTimePassing(String backend) throws Exception {
        var first = harness(backend, null);
        send(first, message("a", ONE_DAY_EARLIER));
        first.processWatermark(new Watermark(ONE_DAY_EARLIER.toEpochMilli()));
        // A drained stop-with-savepoint (or a finished bounded source) ends with +∞.
        first.processWatermark(new Watermark(Long.MAX_VALUE));
        send(first, message("b", ONE_DAY_EARLIER));
        OperatorSubtaskState snapshot = first.snapshot(1, NOW.toEpochMilli());
        first.close();
        assertThat(passed(first)).containsExactly("a", "b");

        // Resumed: messages within the retention window of the last real watermark still count.
        var restored = harness(backend, snapshot);
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
    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void anIdIsForgottenOnceItsMessageWouldBeTooLate(String backend) throws Exception {
        var h = harness(backend, null);
        send(h, message("a", FIVE_DAYS_EARLIER));
        send(h, message("b", ONE_DAY_EARLIER));
        // 5 Oct + 3 retention days: forgotten from the start of 9 Oct, while 10 Oct is today.
        h.processWatermark(new Watermark(Instant.parse("2026-10-08T23:59:59Z").toEpochMilli()));
        send(h, message("a", FIVE_DAYS_EARLIER));
        assertThat(passed(h)).as("still remembered the day before").containsExactly("a", "b");

        h.processWatermark(new Watermark(Instant.parse("2026-10-09T00:00:00Z").toEpochMilli()));
        assertHeld(h, backend, 1, "b is still held");
        h.processWatermark(new Watermark(Instant.parse("2026-10-13T00:00:00Z").toEpochMilli()));
        assertHeld(h, backend, 0, "every id forgotten");
        h.close();
    }

    /** SPEC §1.4: the end of a bounded input (or a drain) is not time passing; no id is dropped. */
    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void theEndOfInputForgetsNoId(String backend) throws Exception {
        var h = harness(backend, null);
        send(h, message("a", FIVE_DAYS_EARLIER));
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertHeld(h, backend, 1, "the id is kept");
        h.close();
    }

    /**
     * Savepoints before issue 12 hold the ids in {@code seen-ids} and again by forget time in
     * {@code forget-at}, with a timer at each forget time: a restored id is still a duplicate,
     * moves into the current state when its user is next seen, and is forgotten by its old timer.
     */
    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void idsFromASavepointBeforeIssue12AreStillKnownAndForgotten(String backend) throws Exception {
        var writer =
                new KeyedOneInputStreamOperatorTestHarness<String, ChatMessage, Object>(
                        new KeyedProcessOperator<>(new LegacyIdsWriter()),
                        m -> m.userKey,
                        Types.STRING);
        writer.open();
        writer.processElement(new StreamRecord<>(message("a", FIVE_DAYS_EARLIER), 0));
        OperatorSubtaskState savepoint =
                writer.snapshotWithLocalState(
                                1, 0, SavepointType.savepoint(SavepointFormatType.CANONICAL))
                        .getJobManagerOwnedState();
        writer.close();

        var h = harness(backend, savepoint);
        send(h, message("a", FIVE_DAYS_EARLIER));
        send(h, message("b", ONE_DAY_EARLIER));
        assertThat(passed(h)).as("a was seen before the savepoint").containsExactly("b");

        // a's old timer: the start of 5 Oct + 3 retention days + 1.
        h.processWatermark(new Watermark(Instant.parse("2026-10-09T00:00:00Z").toEpochMilli()));
        assertThat(h.numEventTimeTimers()).as("b's timer is left").isEqualTo(1);
        h.processWatermark(new Watermark(Instant.parse("2026-10-13T00:00:00Z").toEpochMilli()));
        assertHeld(h, backend, 0, "every id forgotten, old states too");
        h.close();
    }

    /** Writes a message's id as the dedupe did before issue 12: two map states and a timer. */
    static final class LegacyIdsWriter extends KeyedProcessFunction<String, ChatMessage, Object> {
        private transient MapState<String, Boolean> seen;
        private transient MapState<Long, List<String>> forget;

        @Override
        public void open(OpenContext context) {
            seen =
                    getRuntimeContext()
                            .getMapState(
                                    new MapStateDescriptor<>(
                                            "seen-ids", Types.STRING, Types.BOOLEAN));
            forget =
                    getRuntimeContext()
                            .getMapState(
                                    new MapStateDescriptor<>(
                                            "forget-at", Types.LONG, Types.LIST(Types.STRING)));
        }

        @Override
        public void processElement(ChatMessage m, Context ctx, Collector<Object> out)
                throws Exception {
            LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(m.ts), UTC);
            long at = day.plusDays(RETENTION + 1L).atStartOfDay(UTC).toInstant().toEpochMilli();
            seen.put(m.id, true);
            forget.put(at, new ArrayList<>(List.of(m.id)));
            ctx.timerService().registerEventTimeTimer(at);
        }
    }
}
