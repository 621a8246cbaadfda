package io.tally.pipeline.chat.functions;

import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.runtime.FlushPolicy;
import io.tally.pipeline.runtime.FlushingKeyedOperator;
import io.tally.pipeline.runtime.RowFlusher;
import io.tally.pipeline.runtime.UserKey;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

/**
 * What the chat operators' harness tests share: messages as the validator makes them, times, zones.
 */
final class ChatFixtures {
    private ChatFixtures() {}

    /** A zone whose 4 Oct 2026 has 23 hours (daylight saving starts). */
    static final ZoneId SYDNEY = ZoneId.of("Australia/Sydney");

    /** A fixed offset east of UTC: local days start at 14:00 UTC the day before. */
    static final ZoneId PLUS_TEN = ZoneId.of("+10:00");

    /** Epoch ms of a local date-time in a zone, e.g. {@code local("2026-10-03T12:00", SYDNEY)}. */
    static long local(String dateTime, ZoneId zone) {
        return ZonedDateTime.of(LocalDateTime.parse(dateTime), zone).toInstant().toEpochMilli();
    }

    /** Epoch ms of a UTC date-time, e.g. {@code utc("2026-06-20T10:00")}. */
    static long utc(String dateTime) {
        return local(dateTime, ZoneId.of("UTC"));
    }

    /**
     * A message in room {@code default}, with the word and code point counts the validator sets.
     */
    static ChatMessage message(String username, String id, long ts, String text) {
        return message(username, "default", id, ts, text);
    }

    static ChatMessage message(String username, String room, String id, long ts, String text) {
        ChatMessage m = new ChatMessage();
        m.id = id;
        m.username = username;
        m.userKey = UserKey.of(username);
        m.room = room;
        m.text = text;
        m.ts = ts;
        MessageMetrics.measure(m);
        return m;
    }

    /**
     * An opened harness (the factory opens it) for a chat operator keyed by user, as the workflow
     * keys it. A function whose rows are flushed ({@link RowFlusher}) runs in the workflow's {@link
     * FlushingKeyedOperator}, flushing after every event and timer, so each test sees the rows one
     * event leaves; {@code FlushingKeyedOperatorTest} covers the coalescing itself.
     */
    static <O> KeyedOneInputStreamOperatorTestHarness<String, ChatMessage, O> harness(
            KeyedProcessFunction<String, ChatMessage, O> function) throws Exception {
        if (!(function instanceof RowFlusher)) {
            return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                    function, m -> m.userKey, Types.STRING);
        }
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        operator(function), m -> m.userKey, Types.STRING);
        h.open();
        return h;
    }

    /**
     * {@link #harness} on the state backend named {@code backend} ({@code hashmap} or {@code
     * rocksdb}), restored from {@code snapshot} if not null.
     */
    static <O> KeyedOneInputStreamOperatorTestHarness<String, ChatMessage, O> harnessOn(
            String backend,
            KeyedProcessFunction<String, ChatMessage, O> function,
            OperatorSubtaskState snapshot)
            throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        operator(function), m -> m.userKey, Types.STRING);
        h.setStateBackend(
                backend.equals("rocksdb")
                        ? new EmbeddedRocksDBStateBackend()
                        : new HashMapStateBackend());
        if (snapshot != null) {
            h.initializeState(snapshot);
        }
        h.open();
        return h;
    }

    /** The workflow's operator for a {@link RowFlusher} function, flushing after every event. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static <O> FlushingKeyedOperator<String, ChatMessage, O> operator(
            KeyedProcessFunction<String, ChatMessage, O> function) {
        return new FlushingKeyedOperator(
                (KeyedProcessFunction & RowFlusher) function, FlushPolicy.immediate());
    }
}
