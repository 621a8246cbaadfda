package io.tally.pipeline.chat.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.chat.records.StreakRow;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streak timer of SPEC §2.6 and §1.4: time alone ends a current streak when the watermark
 * passes the end of {@code last_active_date + 1}, in the configured zone — UTC, a fixed +10:00
 * offset, and Sydney across its daylight-saving change (2026-10-04, a 23-hour day).
 */
class StreakFunctionTest {
    static final int RETENTION = 90;

    static KeyedOneInputStreamOperatorTestHarness<String, ChatMessage, StreakRow> harness(
            ZoneId zone) throws Exception {
        return ChatFixtures.harness(new StreakFunction(zone, RETENTION));
    }

    static ChatMessage message(String id, long ts) {
        return ChatFixtures.message("Alice", id, ts, "hi");
    }

    static List<StreakRow> rows(
            KeyedOneInputStreamOperatorTestHarness<String, ChatMessage, StreakRow> h) {
        return h.extractOutputValues();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"UTC", "+10:00", "Australia/Sydney", "America/New_York"})
    void aQuietDayEndsTheStreakWhenTheWatermarkPassesTheEndOfTheNextDay(String zoneId)
            throws Exception {
        ZoneId zone = ZoneId.of(zoneId);
        var h = harness(zone);
        // Two active days in a row, just before Sydney's change day (Sat 3 Oct and Sun 4 Oct 2026).
        h.processElement(
                message("a", ChatFixtures.local("2026-10-03T12:00", zone)),
                ChatFixtures.local("2026-10-03T12:00", zone));
        h.processElement(
                message("b", ChatFixtures.local("2026-10-04T12:00", zone)),
                ChatFixtures.local("2026-10-04T12:00", zone));
        StreakRow afterMessages = rows(h).get(1);
        assertThat(afterMessages.currentStreak).isEqualTo(2);
        assertThat(afterMessages.streakStartEpochDay)
                .isEqualTo(LocalDate.of(2026, 10, 3).toEpochDay());
        assertThat(h.numEventTimeTimers()).isEqualTo(1);

        // The whole of 5 Oct (local) is still "yesterday": the run is current until 6 Oct begins.
        long breakAt = ChatFixtures.local("2026-10-06T00:00", zone);
        h.processWatermark(new Watermark(breakAt - 1));
        assertThat(rows(h)).hasSize(2);

        h.processWatermark(new Watermark(breakAt));
        List<StreakRow> out = rows(h);
        assertThat(out).hasSize(3);
        StreakRow broken = out.get(2);
        assertThat(broken.currentStreak).isZero();
        assertThat(broken.streakStartEpochDay).isNull();
        assertThat(broken.bestStreak).isEqualTo(2);
        assertThat(broken.bestStreakAllTime).isEqualTo(2);
        assertThat(broken.asOf).isEqualTo(breakAt);
        assertThat(broken.version).isEqualTo(breakAt).isGreaterThan(afterMessages.version);
        // The next change is when 3 Oct leaves the 90-day window.
        assertThat(h.numEventTimeTimers()).isEqualTo(1);
    }

    @Test
    void sydneyDaysFollowDaylightSaving() throws Exception {
        ZoneId sydney = ZoneId.of("Australia/Sydney");
        var h = harness(sydney);
        // 23:30 on 4 Oct local is 12:30 UTC (AEDT, +11); at +10 it would already be 5 Oct.
        long lateEvening = ChatFixtures.local("2026-10-04T23:30", sydney);
        assertThat(Instant.ofEpochMilli(lateEvening))
                .isEqualTo(Instant.parse("2026-10-04T12:30:00Z"));
        h.processElement(message("a", lateEvening), lateEvening);
        assertThat(rows(h).get(0).lastActiveEpochDay)
                .isEqualTo(LocalDate.of(2026, 10, 4).toEpochDay());
        // Breaks at the start of 6 Oct local = 5 Oct 13:00 UTC.
        h.processWatermark(new Watermark(Instant.parse("2026-10-05T12:59:59.999Z").toEpochMilli()));
        assertThat(rows(h)).hasSize(1);
        h.processWatermark(new Watermark(Instant.parse("2026-10-05T13:00:00Z").toEpochMilli()));
        assertThat(rows(h)).hasSize(2);
        assertThat(rows(h).get(1).currentStreak).isZero();
    }

    @Test
    void aLateMessageExtendsTheRunAndAsOfNeverMovesBack() throws Exception {
        ZoneId utc = ZoneId.of("UTC");
        var h = harness(utc);
        h.processElement(
                message("a", ChatFixtures.local("2026-11-01T10:00", utc)),
                ChatFixtures.local("2026-11-01T10:00", utc));
        h.processElement(
                message("c", ChatFixtures.local("2026-11-03T10:00", utc)),
                ChatFixtures.local("2026-11-03T10:00", utc));
        assertThat(rows(h).get(1).currentStreak).isEqualTo(1);
        h.processWatermark(new Watermark(ChatFixtures.local("2026-11-03T12:00", utc)));
        // Nov 2 arrives late: the run Nov 1–3 is current; asOf stays at the Nov 3 message.
        h.processElement(
                message("b", ChatFixtures.local("2026-11-02T10:00", utc)),
                ChatFixtures.local("2026-11-02T10:00", utc));
        StreakRow r = rows(h).get(2);
        assertThat(r.currentStreak).isEqualTo(3);
        assertThat(r.bestStreakAllTime).isEqualTo(3);
        assertThat(r.totalActiveDaysAllTime).isEqualTo(3);
        assertThat(r.asOf).isEqualTo(ChatFixtures.local("2026-11-03T10:00", utc));
    }

    @Test
    void theEndOfABoundedInputIsNotThePassageOfTime() throws Exception {
        ZoneId utc = ZoneId.of("UTC");
        var h = harness(utc);
        h.processElement(
                message("a", ChatFixtures.local("2026-11-01T10:00", utc)),
                ChatFixtures.local("2026-11-01T10:00", utc));
        // SPEC §1.4: the final watermark (+∞) must not break the streak.
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(rows(h)).hasSize(1);
        assertThat(rows(h).get(0).currentStreak).isEqualTo(1);
    }
}
