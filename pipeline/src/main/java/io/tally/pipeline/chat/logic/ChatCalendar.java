package io.tally.pipeline.chat.logic;

import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * Calendar days and hours of event times in the configured {@code timezone} (SPEC §1.3). Days and
 * hours follow DST, so a day may last 23 or 25 hours and an hour of the day may occur twice or not
 * at all. Serializable so operators can hold one as a field.
 */
public final class ChatCalendar implements Serializable {

    private static final long serialVersionUID = 1L;

    private final ZoneId zone;

    public ChatCalendar(ZoneId zone) {
        this.zone = Objects.requireNonNull(zone, "zone");
    }

    /**
     * The legacy integer {@code timezoneOffset} (whole hours) as the fixed offset it meant (SPEC
     * §1.3): no DST. Throws {@link java.time.DateTimeException} outside −18…+18.
     */
    public static ZoneId fromLegacyOffsetHours(int hours) {
        return ZoneOffset.ofHours(hours);
    }

    public ZoneId zone() {
        return zone;
    }

    /** The local calendar day of an event time (the {@code date} of SPEC §2.5). */
    public LocalDate dayOf(long epochMillis) {
        return LocalDate.ofInstant(Instant.ofEpochMilli(epochMillis), zone);
    }

    /**
     * The local hour 0–23 of an event time (SPEC §2.7): on a day when clocks go back, two real
     * hours share one bucket; on a day when they go forward, one bucket stays empty.
     */
    public int hourOf(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).atZone(zone).getHour();
    }

    /**
     * The first instant of the local day, in epoch ms. Usually local midnight; where a DST gap
     * swallows midnight (some zones switch at 00:00) it is the first local time that exists.
     */
    public long startOfDay(LocalDate day) {
        return day.atStartOfDay(zone).toInstant().toEpochMilli();
    }

    /**
     * The exclusive end of the local day = the start of the next one, in epoch ms; so {@code
     * endOfDay − startOfDay} is 23 or 25 hours on DST change days, and a timer at {@code endOfDay}
     * fires exactly when the day is over (SPEC §2.6).
     */
    public long endOfDay(LocalDate day) {
        return startOfDay(day.plusDays(1));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChatCalendar && zone.equals(((ChatCalendar) o).zone);
    }

    @Override
    public int hashCode() {
        return zone.hashCode();
    }

    @Override
    public String toString() {
        return "ChatCalendar{" + zone + '}';
    }
}
