package io.tally.pipeline.chat.logic;

import java.time.LocalDate;

/**
 * Streak arithmetic of SPEC §2.6 over the set of a user's active days (dates with ≥ 1 message, in
 * {@code timezone}), and the next day on which the passage of time alone changes the result.
 *
 * <p>Days are {@link LocalDate#toEpochDay() epoch days}: a run is a maximal sequence of days that
 * differ by exactly 1 (no gap tolerance). The retention window at {@code today} is {@code day ≥
 * today − retentionDays}, inclusive.
 *
 * <p>{@code today} is the date of {@code asOf} and {@code asOf} is at least every event time (SPEC
 * §1.4), so no active day lies after {@code today}. Such input is not special-cased: such a day
 * simply counts as active and inside the window.
 */
public final class StreakCalculator {

    private StreakCalculator() {}

    /**
     * The §2.6 values at {@code today}.
     *
     * @param activeEpochDays every day the user was ever active, sorted ascending, distinct,
     *     non-empty
     * @param retentionDays {@code retention-days} (≥ 0)
     */
    public static Streaks compute(long[] activeEpochDays, LocalDate today, int retentionDays) {
        checkInput(activeEpochDays, retentionDays);
        long todayDay = today.toEpochDay();
        long windowStart = todayDay - retentionDays;
        int n = activeEpochDays.length;

        int bestAllTime = 0;
        int bestInWindow = 0;
        int activeInWindow = 0;
        int run = 0; // run ending at day i, all time
        int windowRun = 0; // the same run cut at the window start
        for (int i = 0; i < n; i++) {
            long day = activeEpochDays[i];
            boolean continues = i > 0 && day == activeEpochDays[i - 1] + 1;
            run = continues ? run + 1 : 1;
            if (day >= windowStart) {
                // SPEC §2.6: runs are cut at the window start, so only in-window days count.
                windowRun = continues ? windowRun + 1 : 1;
                activeInWindow++;
                bestInWindow = Math.max(bestInWindow, windowRun);
            }
            bestAllTime = Math.max(bestAllTime, run);
        }

        long last = activeEpochDays[n - 1];
        // SPEC §2.6: a run ending yesterday is still current; `run` is now the run ending at last.
        int current = last >= todayDay - 1 ? run : 0;
        LocalDate streakStart = current == 0 ? null : LocalDate.ofEpochDay(last - current + 1);
        return new Streaks(
                current,
                // SPEC §2.6: a current run longer than the window is still the best one.
                Math.max(bestInWindow, current),
                LocalDate.ofEpochDay(last),
                streakStart,
                activeInWindow,
                bestAllTime,
                n);
    }

    /**
     * The longest run of consecutive active days ever ({@code best_streak_all_time}, SPEC §2.6);
     * also the §2.9 {@code streak_days} metric, since max(current_streak, best_streak_all_time) is
     * the longest run: the current run is one of the runs. 0 for no days.
     *
     * @param activeEpochDays sorted ascending, distinct
     */
    public static int longestRun(long[] activeEpochDays) {
        int best = 0;
        int run = 0;
        for (int i = 0; i < activeEpochDays.length; i++) {
            boolean continues = i > 0 && activeEpochDays[i] == activeEpochDays[i - 1] + 1;
            run = continues ? run + 1 : 1;
            best = Math.max(best, run);
        }
        return best;
    }

    /**
     * The first day D &gt; {@code today} at whose start {@code compute(activeEpochDays, D,
     * retentionDays)} differs from {@code compute(activeEpochDays, today, retentionDays)} if no
     * further message arrives; {@code null} when it never will. The operator registers its
     * event-time timer at the start of that day (SPEC §1.4, §2.6).
     *
     * <p>Only two things move with time: the current run breaks on {@code lastActiveDate + 2}
     * (yesterday's run is still current), and the oldest active day inside the window leaves it on
     * {@code thatDay + retentionDays + 1}. Either changes a field ({@code currentStreak} or {@code
     * totalActiveDays}); nothing else changes in between.
     */
    public static LocalDate nextChange(long[] activeEpochDays, LocalDate today, int retentionDays) {
        checkInput(activeEpochDays, retentionDays);
        long todayDay = today.toEpochDay();
        long windowStart = todayDay - retentionDays;
        long last = activeEpochDays[activeEpochDays.length - 1];

        long next = Long.MAX_VALUE;
        if (last >= todayDay - 1) {
            next = last + 2; // the current streak (≥ 1 day) breaks
        }
        int oldest = firstAtOrAfter(activeEpochDays, windowStart);
        if (oldest < activeEpochDays.length) {
            next = Math.min(next, activeEpochDays[oldest] + retentionDays + 1);
        }
        return next == Long.MAX_VALUE ? null : LocalDate.ofEpochDay(next);
    }

    /** Index of the first day ≥ {@code day}, or the length when there is none. */
    private static int firstAtOrAfter(long[] sortedDays, long day) {
        int lo = 0;
        int hi = sortedDays.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sortedDays[mid] < day) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static void checkInput(long[] activeEpochDays, int retentionDays) {
        if (activeEpochDays.length == 0) {
            throw new IllegalArgumentException(
                    "activeEpochDays is empty: a user has ≥ 1 active day");
        }
        if (retentionDays < 0) {
            throw new IllegalArgumentException("retentionDays < 0: " + retentionDays);
        }
    }
}
