package io.tally.pipeline.chat.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.chat.logic.UserAchievements;
import io.tally.pipeline.chat.records.AchievementProgressRow;
import io.tally.pipeline.chat.records.AchievementRow;
import io.tally.pipeline.chat.records.ChatMessage;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §2.9: an award is dated by the update that met it in (ts, id) order per user, whatever order
 * the messages arrive in; messages wait for the watermark, late ones are applied at once, and the
 * end of a bounded input (+∞ watermark) applies whatever still waits (§1.4).
 */
class AchievementFunctionTest {
    static final long JUNE_20 = Instant.parse("2026-06-20T10:00:00Z").toEpochMilli();
    static final long JUNE_30 = Instant.parse("2026-06-30T10:00:00Z").toEpochMilli();
    static final long ONE_SECOND = 1000;

    /** 120 characters: meets the Essay Writer bronze tier (100) of longest_msg. */
    static final String ESSAY = "word ".repeat(24);

    KeyedOneInputStreamOperatorTestHarness<String, ChatMessage, AchievementProgressRow> h;

    @BeforeEach
    void open() throws Exception {
        h = ChatFixtures.harness(new AchievementFunction(ZoneOffset.UTC, Set.of("dazza")));
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    static ChatMessage message(String user, String id, long ts, String text) {
        ChatMessage m = new ChatMessage();
        m.id = id;
        m.userKey = user;
        m.username = user;
        m.room = "default";
        m.text = text;
        m.ts = ts;
        MessageMetrics.measure(m);
        return m;
    }

    void send(ChatMessage m) throws Exception {
        h.processElement(m, m.ts);
    }

    List<AchievementRow> awards() {
        return h.getSideOutput(AchievementFunction.AWARDS) == null
                ? List.of()
                : h.getSideOutput(AchievementFunction.AWARDS).stream()
                        .map(StreamRecord::getValue)
                        .toList();
    }

    List<AchievementProgressRow> progress(String type) {
        return h.extractOutputValues().stream()
                .filter(r -> r.achievementType.equals(type))
                .toList();
    }

    @Test
    void aLongMessageOfJune20ArrivingAfterOneOfJune30WinsOnceTheWatermarkPassesBoth()
            throws Exception {
        send(message("alice", "m2", JUNE_30, ESSAY));
        send(message("alice", "m1", JUNE_20, ESSAY));

        // Both wait for the watermark: one timer per ts, nothing written yet.
        assertThat(h.extractOutputValues()).isEmpty();
        assertThat(awards()).isEmpty();
        assertThat(h.numEventTimeTimers()).isEqualTo(2);
        assertThat(h.numKeyedStateEntries()).isEqualTo(1); // the pending map

        h.processWatermark(new Watermark(JUNE_20));
        assertThat(awards())
                .singleElement()
                .satisfies(
                        a -> {
                            assertThat(a.achievementType).isEqualTo("longest_msg");
                            assertThat(a.achievementLevel).isEqualTo("bronze");
                            assertThat(a.achievedAt).isEqualTo(JUNE_20);
                            assertThat(a.details).isEqualTo("Wrote a message of 100 characters");
                        });
        // Every applicable type gets its progress row on the user's first message.
        assertThat(h.extractOutputValues()).hasSize(12);
        assertThat(h.numEventTimeTimers()).isEqualTo(1);
        // pending (June 30), the accumulator, the vocabulary
        assertThat(h.numKeyedStateEntries()).isEqualTo(3);

        h.processWatermark(new Watermark(JUNE_30 + ONE_SECOND));
        assertThat(awards()).hasSize(1);
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(h.numKeyedStateEntries()).isEqualTo(2); // nothing pending any more
        assertThat(progress("message_count"))
                .last()
                .satisfies(
                        r -> {
                            assertThat(r.currentValue).isEqualTo(2);
                            assertThat(r.nextTier).isEqualTo("bronze");
                            assertThat(r.progressPercent).isEqualTo(2.0);
                            assertThat(r.version).isEqualTo(2 * 8);
                        });
        assertThat(progress("longest_msg"))
                .singleElement()
                .satisfies(r -> assertThat(r.nextTier).isEqualTo("silver"));
    }

    @Test
    void theHundredthMessageInEventTimeOrderEarnsChatterboxWhateverTheArrivalOrder()
            throws Exception {
        // 100 messages, one per minute from JUNE_20, arriving newest first.
        for (int i = 99; i >= 0; i--) {
            send(message("bob", "m" + i, JUNE_20 + i * 60_000L, "hi"));
        }
        assertThat(h.numEventTimeTimers()).isEqualTo(100);

        h.processWatermark(new Watermark(JUNE_30));
        assertThat(awards())
                .filteredOn(a -> a.achievementType.equals("message_count"))
                .singleElement()
                .satisfies(a -> assertThat(a.achievedAt).isEqualTo(JUNE_20 + 99 * 60_000L));
        // The progress version only grows (SPEC §1.8): the sink keeps the newest.
        assertThat(progress("message_count"))
                .extracting(r -> r.version)
                .isSortedAccordingTo(Long::compare);
        assertThat(progress("message_count"))
                .last()
                .satisfies(r -> assertThat(r.currentValue).isEqualTo(100));
    }

    @Test
    void messagesWithOneTsWaitOnOneTimerAndAreAppliedInIdOrder() throws Exception {
        send(message("carol", "b", JUNE_20, "second"));
        send(message("carol", "a", JUNE_20, "first"));
        assertThat(h.numEventTimeTimers()).isEqualTo(1);

        h.processWatermark(new Watermark(JUNE_20));
        assertThat(progress("message_count"))
                .last()
                .satisfies(r -> assertThat(r.currentValue).isEqualTo(2));
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void aMessageBehindTheWatermarkIsAppliedAtOnce() throws Exception {
        h.processWatermark(new Watermark(JUNE_30));
        send(message("alice", "late", JUNE_20, ESSAY));

        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(awards())
                .singleElement()
                .satisfies(a -> assertThat(a.achievedAt).isEqualTo(JUNE_20));
        assertThat(h.extractOutputValues()).hasSize(12);
    }

    @Test
    void theEndOfABoundedInputAppliesEverythingStillWaiting() throws Exception {
        send(message("alice", "m2", JUNE_30, ESSAY));
        send(message("alice", "m1", JUNE_20, ESSAY));

        // SPEC §1.4: held messages are events, not time passing; the +∞ watermark applies them.
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(awards()).extracting(a -> a.achievedAt).containsExactly(JUNE_20);
        assertThat(progress("message_count"))
                .last()
                .satisfies(r -> assertThat(r.currentValue).isEqualTo(2));
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void excludedSendersOnlyGetMessageAndWordCount() throws Exception {
        send(message("dazza", "d1", JUNE_20, ESSAY));
        send(message("[server]", "s1", JUNE_20, ESSAY));
        h.processWatermark(new Watermark(JUNE_20));

        assertThat(h.extractOutputValues())
                .extracting(r -> r.username + " " + r.achievementType)
                .containsExactlyInAnyOrder(
                        "dazza message_count",
                        "dazza word_count",
                        "[server] message_count",
                        "[server] word_count");
        assertThat(awards()).isEmpty();
    }

    /** Words beyond the packed table still count once each (SPEC §2.9 vocabulary, exact). */
    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void theVocabularyCountsWordsBeyondThePackedTableOnce(String backend) throws Exception {
        h.close();
        h =
                ChatFixtures.harnessOn(
                        backend, new AchievementFunction(ZoneOffset.UTC, Set.of("dazza")), null);
        int distinct = 600;
        StringBuilder all = new StringBuilder();
        for (int w = 0; w < distinct; w++) {
            all.append(" w").append(w);
        }
        send(message("alice", "m1", JUNE_20, all.toString()));
        send(message("alice", "m2", JUNE_20 + ONE_SECOND, all.toString()));
        send(message("alice", "m3", JUNE_20 + 2 * ONE_SECOND, "w1 w" + (distinct - 1) + " new"));
        h.processWatermark(new Watermark(JUNE_30));

        assertThat(progress("vocabulary"))
                .last()
                .extracting(r -> r.currentValue)
                .isEqualTo(distinct + 1L);
        assertThat(awards())
                .filteredOn(a -> a.achievementType.equals("vocabulary"))
                .extracting(a -> a.achievementLevel + "@" + a.achievedAt)
                .as("bronze (500) on the first message, not again")
                .containsExactly("bronze@" + JUNE_20);
    }

    /**
     * Savepoints before the word table hold the vocabulary as a {@code vocabulary} map state: its
     * words still count as known after a restore, and new words go to the table.
     */
    @Test
    void aVocabularyFromAnOlderSavepointStillCounts() throws Exception {
        var writer =
                new KeyedOneInputStreamOperatorTestHarness<String, ChatMessage, Object>(
                        new KeyedProcessOperator<>(new LegacyVocabularyWriter()),
                        m -> m.userKey,
                        Types.STRING);
        writer.open();
        writer.processElement(message("alice", "m1", JUNE_20, "seed"), JUNE_20);
        OperatorSubtaskState savepoint = writer.snapshot(1, JUNE_20);
        writer.close();

        h.close();
        h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        ChatFixtures.operator(
                                new AchievementFunction(ZoneOffset.UTC, Set.of("dazza"))),
                        m -> m.userKey,
                        Types.STRING);
        h.initializeState(savepoint);
        h.open();
        send(message("alice", "m2", JUNE_30, "w1 w498 w1"));
        h.processWatermark(new Watermark(JUNE_30));
        assertThat(awards()).as("499 known words, none new").isEmpty();
        send(message("alice", "m3", JUNE_30 + ONE_SECOND, "w7 fresh"));
        h.processWatermark(new Watermark(JUNE_30 + ONE_SECOND));

        assertThat(awards())
                .singleElement()
                .satisfies(
                        a -> {
                            assertThat(a.achievementType).isEqualTo("vocabulary");
                            assertThat(a.achievementLevel).isEqualTo("bronze");
                            assertThat(a.achievedAt).isEqualTo(JUNE_30 + ONE_SECOND);
                        });
        assertThat(progress("vocabulary")).last().extracting(r -> r.currentValue).isEqualTo(500L);
        // The accumulator, the table (fresh) and the map (the 499): nothing is pending.
        assertThat(h.numKeyedStateEntries()).isEqualTo(3);
    }

    /** Writes 499 words into {@code vocabulary} and the accumulator, as before the word table. */
    static final class LegacyVocabularyWriter
            extends KeyedProcessFunction<String, ChatMessage, Object> {
        private transient MapState<String, Boolean> vocabulary;
        private transient ValueState<UserAchievements> achievements;

        @Override
        public void open(OpenContext context) {
            vocabulary =
                    getRuntimeContext()
                            .getMapState(
                                    new MapStateDescriptor<>(
                                            "vocabulary", Types.STRING, Types.BOOLEAN));
            achievements =
                    getRuntimeContext()
                            .getState(
                                    new ValueStateDescriptor<>(
                                            "user-achievements",
                                            Types.POJO(UserAchievements.class)));
        }

        @Override
        public void processElement(ChatMessage m, Context ctx, Collector<Object> out)
                throws Exception {
            UserAchievements a = new UserAchievements();
            for (int i = 0; i < 499; i++) {
                vocabulary.put("w" + i, Boolean.TRUE);
            }
            a.addMessage(1);
            a.vocabularySize = 499;
            achievements.update(a);
        }
    }
}
