package io.tally.pipeline.chat.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ChatCalendarTest {

    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final ZoneId PLUS_TEN = ZoneId.of("+10:00");
    private static final ZoneId SYDNEY = ZoneId.of("Australia/Sydney");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final ZoneId SANTIAGO = ZoneId.of("America/Santiago");

    private static final long HOUR = 3_600_000L;

    /**
     * One local day: where it starts and ends in UTC, and the hour-of-day bucket of each real hour
     * in it, in order.
     */
    static Stream<Arguments> days() {
        return Stream.of(
                arguments(
                        UTC, "2026-11-22", "2026-11-22T00:00:00Z", "2026-11-23T00:00:00Z", hours()),
                arguments(
                        PLUS_TEN,
                        "2026-11-22",
                        "2026-11-21T14:00:00Z",
                        "2026-11-22T14:00:00Z",
                        hours()),
                // An ordinary Sydney summer day: +11:00
                arguments(
                        SYDNEY,
                        "2026-01-15",
                        "2026-01-14T13:00:00Z",
                        "2026-01-15T13:00:00Z",
                        hours()),
                // Sydney, DST ends: 03:00 +11 becomes 02:00 +10, the 2 o'clock hour happens twice
                arguments(
                        SYDNEY,
                        "2026-04-05",
                        "2026-04-04T13:00:00Z",
                        "2026-04-05T14:00:00Z",
                        hours(2)),
                // Sydney, DST starts: 02:00 +10 becomes 03:00 +11, there is no 2 o'clock
                arguments(
                        SYDNEY,
                        "2026-10-04",
                        "2026-10-03T14:00:00Z",
                        "2026-10-04T13:00:00Z",
                        hoursWithout(2)),
                // New York, DST starts: 02:00 -05 becomes 03:00 -04
                arguments(
                        NEW_YORK,
                        "2026-03-08",
                        "2026-03-08T05:00:00Z",
                        "2026-03-09T04:00:00Z",
                        hoursWithout(2)),
                // New York, DST ends: 02:00 -04 becomes 01:00 -05, 1 o'clock happens twice
                arguments(
                        NEW_YORK,
                        "2026-11-01",
                        "2026-11-01T04:00:00Z",
                        "2026-11-02T05:00:00Z",
                        hours(1)),
                // Santiago, DST ends at midnight: 00:00 -03 becomes 23:00 -04, 23 happens twice
                arguments(
                        SANTIAGO,
                        "2026-04-04",
                        "2026-04-04T03:00:00Z",
                        "2026-04-05T04:00:00Z",
                        hours(23)),
                // Santiago, DST starts at midnight: local midnight does not exist, the day starts
                // at 01:00 -03
                arguments(
                        SANTIAGO,
                        "2026-09-06",
                        "2026-09-06T04:00:00Z",
                        "2026-09-07T03:00:00Z",
                        hoursWithout(0)));
    }

    @ParameterizedTest(name = "[{index}] {1} in {0}")
    @MethodSource("days")
    void dayRunsFromItsFirstInstantToTheStartOfTheNextDay(
            ZoneId zone, String date, String start, String end, List<Integer> hourBuckets) {
        ChatCalendar calendar = new ChatCalendar(zone);
        LocalDate day = LocalDate.parse(date);

        assertThat(calendar.startOfDay(day)).isEqualTo(millis(start));
        assertThat(calendar.endOfDay(day)).isEqualTo(millis(end));
        assertThat(calendar.endOfDay(day)).isEqualTo(calendar.startOfDay(day.plusDays(1)));
        assertThat(Duration.ofMillis(calendar.endOfDay(day) - calendar.startOfDay(day)))
                .isEqualTo(Duration.ofHours(hourBuckets.size()));
        assertThat(hourBucketsOf(calendar, day)).isEqualTo(hourBuckets);
    }

    @ParameterizedTest(name = "[{index}] {1} in {0}")
    @MethodSource("days")
    void lastMillisecondBelongsToTheDayAndTheNextInstantToTheNext(
            ZoneId zone, String date, String start, String end, List<Integer> hourBuckets) {
        ChatCalendar calendar = new ChatCalendar(zone);
        LocalDate day = LocalDate.parse(date);

        // 00:00 local (or the first instant that exists)
        assertThat(calendar.dayOf(millis(start))).isEqualTo(day);
        assertThat(calendar.dayOf(millis(start) - 1)).isEqualTo(day.minusDays(1));
        assertThat(calendar.hourOf(millis(start))).isEqualTo(hourBuckets.get(0));
        // 23:59:59.999 local
        assertThat(calendar.dayOf(millis(end) - 1)).isEqualTo(day);
        assertThat(calendar.hourOf(millis(end) - 1)).isEqualTo(23);
        // 00:00 local of the next day
        assertThat(calendar.dayOf(millis(end))).isEqualTo(day.plusDays(1));
        assertThat(calendar.hourOf(millis(end))).isEqualTo(0);
    }

    @Test
    void fixedOffsetAndDstZoneDisagreeInSummer() {
        // 2026-01-10T13:30Z is 23:30 on the 10th at +10:00 but 00:30 on the 11th in Sydney (+11).
        long ts = millis("2026-01-10T13:30:00Z");

        assertThat(new ChatCalendar(PLUS_TEN).dayOf(ts)).isEqualTo(LocalDate.of(2026, 1, 10));
        assertThat(new ChatCalendar(PLUS_TEN).hourOf(ts)).isEqualTo(23);
        assertThat(new ChatCalendar(SYDNEY).dayOf(ts)).isEqualTo(LocalDate.of(2026, 1, 11));
        assertThat(new ChatCalendar(SYDNEY).hourOf(ts)).isEqualTo(0);
    }

    @Test
    void epochMillisOfTheSpecExampleMessage() {
        // SPEC §2.1: ts 1719800000123 = 2024-07-01T02:13:20.123Z
        ChatCalendar utc = new ChatCalendar(UTC);
        ChatCalendar newYork = new ChatCalendar(NEW_YORK);

        assertThat(utc.dayOf(1_719_800_000_123L)).isEqualTo(LocalDate.of(2024, 7, 1));
        assertThat(utc.hourOf(1_719_800_000_123L)).isEqualTo(2);
        assertThat(newYork.dayOf(1_719_800_000_123L)).isEqualTo(LocalDate.of(2024, 6, 30));
        assertThat(newYork.hourOf(1_719_800_000_123L)).isEqualTo(22);
    }

    @ParameterizedTest(name = "[{index}] timezoneOffset {0} → {1}")
    @CsvSource({"0, Z", "10, +10:00", "-5, -05:00", "18, +18:00", "-18, -18:00"})
    void legacyOffsetHoursMapToAFixedOffset(int hours, String offset) {
        ZoneId zone = ChatCalendar.fromLegacyOffsetHours(hours);

        assertThat(zone).isEqualTo(ZoneOffset.of(offset));
        assertThat(zone.getRules().isFixedOffset()).isTrue();
    }

    @Test
    void legacyPlusTenIsTheSameCalendarAsTheZonePlusTen() {
        assertThat(new ChatCalendar(ChatCalendar.fromLegacyOffsetHours(10)))
                .isEqualTo(new ChatCalendar(ZoneId.of("+10:00")));
    }

    @Test
    void legacyOffsetOutOfRangeIsRejected() {
        assertThatThrownBy(() -> ChatCalendar.fromLegacyOffsetHours(19))
                .isInstanceOf(DateTimeException.class);
    }

    /** The hour-of-day bucket of each real hour of the local day, in order. */
    private static List<Integer> hourBucketsOf(ChatCalendar calendar, LocalDate day) {
        List<Integer> buckets = new ArrayList<>();
        for (long t = calendar.startOfDay(day); t < calendar.endOfDay(day); t += HOUR) {
            buckets.add(calendar.hourOf(t));
        }
        return buckets;
    }

    /** 0…23, with the given hours occurring twice (clocks go back). */
    private static List<Integer> hours(int... repeated) {
        List<Integer> hours = new ArrayList<>();
        for (int h = 0; h < 24; h++) {
            hours.add(h);
            for (int r : repeated) {
                if (r == h) {
                    hours.add(h);
                }
            }
        }
        return hours;
    }

    /** 0…23 without the skipped hour (clocks go forward). */
    private static List<Integer> hoursWithout(int skipped) {
        return IntStream.range(0, 24).filter(h -> h != skipped).boxed().toList();
    }

    private static long millis(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }
}
