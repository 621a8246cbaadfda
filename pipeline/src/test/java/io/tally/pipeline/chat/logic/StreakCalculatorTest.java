package io.tally.pipeline.chat.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StreakCalculatorTest {

    private static final LocalDate TODAY = LocalDate.of(2026, 11, 22);
    private static final int RETENTION = 90;

    /** Active days written as offsets from {@link #TODAY}: "-3 -1 0". */
    private static long[] days(String offsets) {
        return Arrays.stream(offsets.trim().split("\\s+"))
                .mapToLong(o -> TODAY.toEpochDay() + Long.parseLong(o))
                .sorted()
                .toArray();
    }

    private static LocalDate day(Integer offset) {
        return offset == null ? null : TODAY.plusDays(offset);
    }

    @ParameterizedTest(name = "[{index}] days {0}, retention {1}: {9}")
    @CsvSource(
            delimiter = '|',
            value = {
                // days (offsets)   |ret|cur|best|last|start|total|bestAll|totalAll| rule
                "0                  | 90 | 1 | 1 | 0  | 0  | 1 | 1 | 1 | active today only",
                "-1                 | 90 | 1 | 1 | -1 | -1 | 1 | 1 | 1 | a run ending yesterday is"
                        + " still current",
                "-2                 | 90 | 0 | 1 | -2 |    | 1 | 1 | 1 | a run ending two days ago is"
                        + " not",
                "-3 -2              | 90 | 0 | 2 | -2 |    | 2 | 2 | 2 | best survives the broken"
                        + " run",
                "-3 -1 0            | 90 | 2 | 2 | 0  | -1 | 3 | 2 | 3 | a one-day gap breaks a run",
                "-5 -4 -3 -1        | 90 | 1 | 3 | -1 | -1 | 4 | 3 | 4 | best is the longest run,"
                        + " not the current one",
                "-2 -1 0            | 90 | 3 | 3 | 0  | -2 | 3 | 3 | 3 | current includes today",
                "-11 -10            | 10 | 0 | 1 | -10 |   | 1 | 2 | 2 | window start today−10 is"
                        + " inclusive, the run is cut there",
                "-5 -4 -3 -2        | 3  | 0 | 2 | -2 |    | 2 | 4 | 4 | a run crossing the window"
                        + " start counts only inside",
                "-6 -5 -4 -3 -2 -1 0 | 3 | 7 | 7 | 0  | -6 | 4 | 7 | 7 | best is never less than"
                        + " current",
                "-20 -19            | 5  | 0 | 0 | -19 |   | 0 | 2 | 2 | nothing left in the window",
                "-1                 | 0  | 1 | 1 | -1 | -1 | 0 | 1 | 1 | retention 0: window is"
                        + " today only",
                "-9 -8 -7 -3 -2     | 90 | 0 | 3 | -2 |    | 5 | 3 | 5 | two runs, neither current",
            })
    void computesTheSpecFields(
            String offsets,
            int retention,
            int current,
            int best,
            int last,
            Integer start,
            int total,
            int bestAllTime,
            int totalAllTime,
            String rule) {
        Streaks streaks = StreakCalculator.compute(days(offsets), TODAY, retention);

        assertThat(streaks)
                .as(rule)
                .isEqualTo(
                        new Streaks(
                                current,
                                best,
                                day(last),
                                day(start),
                                total,
                                bestAllTime,
                                totalAllTime));
    }

    @Test
    void oldDaysLeaveTheWindowButAllTimeValuesNeverGoDown() {
        // SPEC §2.6: best_streak and total_active_days can go down; the all-time ones cannot.
        long[] active = days("-5 -4 -3");

        Streaks now = StreakCalculator.compute(active, TODAY, 5);
        Streaks later = StreakCalculator.compute(active, TODAY.plusDays(2), 5);

        assertThat(now.bestStreak()).isEqualTo(3);
        assertThat(now.totalActiveDays()).isEqualTo(3);
        assertThat(later.bestStreak()).isEqualTo(1); // only −3 is still ≥ (today+2) − 5
        assertThat(later.totalActiveDays()).isEqualTo(1);
        assertThat(later.bestStreakAllTime()).isEqualTo(3);
        assertThat(later.totalActiveDaysAllTime()).isEqualTo(3);
    }

    @ParameterizedTest(name = "[{index}] days {0}, retention {1} → {2}: {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                "0        | 90 | 2  | the current streak breaks the day after tomorrow",
                "-1       | 90 | 1  | yesterday's streak breaks tomorrow",
                "-100 -5  | 90 | 86 | no current streak: −5 leaves the window on −5 + 90 + 1",
                "-90      | 90 | 1  | today − 90 is still inside and leaves tomorrow",
                "-200     | 90 |    | nothing in the window and no streak: never",
                "-1       | 0  | 1  | retention 0: nothing in the window, streak breaks tomorrow",
                "0        | 0  | 1  | retention 0: today leaves the window tomorrow",
                "-3 -2 -1 | 2  | 1  | the oldest day leaves before the streak breaks",
            })
    void findsTheNextDayTimeAloneChangesTheRow(
            String offsets, int retention, Integer expected, String rule) {
        assertThat(StreakCalculator.nextChange(days(offsets), TODAY, retention))
                .as(rule)
                .isEqualTo(day(expected));
    }

    @Test
    void nextChangeIsExactlyTheFirstDayComputeDiffers() {
        Random random = new Random(20261122);
        for (int trial = 0; trial < 3_000; trial++) {
            long[] active = randomDays(random);
            int retention = random.nextInt(30);
            Streaks atToday = StreakCalculator.compute(active, TODAY, retention);
            LocalDate next = StreakCalculator.nextChange(active, TODAY, retention);
            String input = Arrays.toString(active) + " retention " + retention;

            LocalDate horizon = next == null ? TODAY.plusDays(200) : next;
            for (LocalDate d = TODAY.plusDays(1); d.isBefore(horizon); d = d.plusDays(1)) {
                assertThat(StreakCalculator.compute(active, d, retention))
                        .as("%s at %s (next change %s)", input, d, next)
                        .isEqualTo(atToday);
            }
            if (next != null) {
                assertThat(next).isAfter(TODAY);
                assertThat(StreakCalculator.compute(active, next, retention))
                        .as("%s at next change %s", input, next)
                        .isNotEqualTo(atToday);
            }
        }
    }

    @Test
    void agreesWithTheSpecTextEvaluatedNaively() {
        Random random = new Random(7);
        for (int trial = 0; trial < 3_000; trial++) {
            long[] active = randomDays(random);
            int retention = random.nextInt(30);
            assertThat(StreakCalculator.compute(active, TODAY, retention))
                    .as("%s retention %d", Arrays.toString(active), retention)
                    .isEqualTo(naive(active, TODAY, retention));
        }
    }

    @Test
    void longestRunIsTheBestStreakEverAndTheStreakDaysMetric() {
        // SPEC §2.9 streak_days = max(current_streak, best_streak_all_time) = the longest run.
        Random random = new Random(11);
        for (int trial = 0; trial < 1_000; trial++) {
            long[] active = randomDays(random);
            Streaks s = StreakCalculator.compute(active, TODAY, 30);
            assertThat(StreakCalculator.longestRun(active))
                    .as(Arrays.toString(active))
                    .isEqualTo(s.bestStreakAllTime())
                    .isEqualTo(Math.max(s.currentStreak(), s.bestStreakAllTime()));
        }
        assertThat(StreakCalculator.longestRun(new long[0])).isZero();
    }

    @Test
    void rejectsInputOutsideItsContract() {
        assertThatThrownBy(() -> StreakCalculator.compute(new long[0], TODAY, RETENTION))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StreakCalculator.nextChange(days("0"), TODAY, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** 1–40 distinct days in [today − 60, today], dense or sparse. */
    private static long[] randomDays(Random random) {
        double density = random.nextDouble();
        Set<Long> chosen = new TreeSet<>();
        for (int offset = -60; offset <= 0; offset++) {
            if (random.nextDouble() < density) {
                chosen.add(TODAY.toEpochDay() + offset);
            }
        }
        if (chosen.isEmpty()) {
            chosen.add(TODAY.toEpochDay() - random.nextInt(61));
        }
        return chosen.stream().mapToLong(Long::longValue).toArray();
    }

    /** SPEC §2.6 word by word, over a set of days, with no cleverness. */
    private static Streaks naive(long[] activeDays, LocalDate today, int retention) {
        Set<Long> active = new HashSet<>();
        for (long d : activeDays) {
            active.add(d);
        }
        long t = today.toEpochDay();
        long windowStart = t - retention;
        long last = Arrays.stream(activeDays).max().orElseThrow();

        int current = 0;
        if (last >= t - 1) {
            while (active.contains(last - current)) {
                current++;
            }
        }
        int bestInWindow = 0;
        int bestAllTime = 0;
        int inWindow = 0;
        for (long d : activeDays) {
            int runInWindow = 0;
            while (active.contains(d - runInWindow) && d - runInWindow >= windowStart) {
                runInWindow++;
            }
            int run = 0;
            while (active.contains(d - run)) {
                run++;
            }
            bestInWindow = Math.max(bestInWindow, runInWindow);
            bestAllTime = Math.max(bestAllTime, run);
            if (d >= windowStart) {
                inWindow++;
            }
        }
        return new Streaks(
                current,
                Math.max(bestInWindow, current),
                LocalDate.ofEpochDay(last),
                current == 0 ? null : LocalDate.ofEpochDay(last - current + 1),
                inWindow,
                bestAllTime,
                active.size());
    }
}
