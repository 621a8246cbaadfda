package io.tally.pipeline.chat.logic;

/**
 * One {@code user_activity_summary} row (SPEC §2.7), from the 24 hourly message counts c₀…c₂₃
 * summed over rooms, total T.
 *
 * <p>The scores are evaluated in double exactly as written below so that any oracle that follows
 * the SPEC text gets the same bits:
 *
 * <ul>
 *   <li>{@code nightOwlScore = round1(100.0 * night / T)}, i.e. {@code (100.0 · night) / T}; the
 *       same for {@code earlyBirdScore} with the morning count.
 *   <li>{@code μ = T / 24.0}; {@code σ = sqrt(s / 24)} where {@code s} sums {@code (cₕ − μ)·(cₕ −
 *       μ)} in hour order 0…23 (the SPEC leaves the order open; this is the obvious one); {@code
 *       consistencyScore = round1(max(0, 100 − (100 · σ) / μ))}.
 * </ul>
 */
public record ActivitySummary(
        int mostActiveHour,
        int leastActiveHour,
        long morningMessages,
        long afternoonMessages,
        long eveningMessages,
        long nightMessages,
        double nightOwlScore,
        double earlyBirdScore,
        double consistencyScore) {

    private static final int HOURS = 24;

    /** SPEC §2.7: night = local hours 0–5. */
    public static boolean isNight(int hour) {
        return hour < 6;
    }

    /** SPEC §2.7: morning = local hours 6–11. */
    public static boolean isMorning(int hour) {
        return hour >= 6 && hour < 12;
    }

    /**
     * SPEC §2.7: {@code night_owl_score} / {@code early_bird_score} = round1(100.0 · period / T),
     * evaluated in that order in double; 0 when T = 0. Shared with the achievements (SPEC §2.9
     * compares the stored, rounded score with 30).
     */
    public static double periodScore(long periodMessages, long total) {
        return total == 0 ? 0.0 : Rounding.round1(100.0 * periodMessages / total);
    }

    /** The summary of 24 hourly counts (index = local hour 0–23, SPEC §1.3). */
    public static ActivitySummary of(long[] hourCounts) {
        if (hourCounts.length != HOURS) {
            throw new IllegalArgumentException(
                    "expected 24 hourly counts, got " + hourCounts.length);
        }
        long total = 0;
        long night = 0;
        long morning = 0;
        long afternoon = 0;
        long evening = 0;
        int most = 0;
        int least = -1;
        int nonZeroHours = 0;
        for (int h = 0; h < HOURS; h++) {
            long c = hourCounts[h];
            total += c;
            if (isNight(h)) {
                night += c;
            } else if (isMorning(h)) {
                morning += c;
            } else if (h < 18) {
                afternoon += c;
            } else {
                evening += c;
            }
            // Strict comparisons keep the lowest hour on ties (SPEC §2.7).
            if (c > hourCounts[most]) {
                most = h;
            }
            if (c > 0) {
                nonZeroHours++;
                if (least < 0 || c < hourCounts[least]) {
                    least = h;
                }
            }
        }
        if (total == 0) {
            return new ActivitySummary(0, 0, 0, 0, 0, 0, 0.0, 0.0, 0.0);
        }
        // SPEC §2.7 (reference behaviour): when one hour holds every message, least is 0, not it.
        int leastActive = nonZeroHours == 1 ? 0 : least;

        double nightOwl = periodScore(night, total);
        double earlyBird = periodScore(morning, total);

        double mean = total / (double) HOURS;
        double sumOfSquares = 0.0;
        for (int h = 0; h < HOURS; h++) {
            double d = hourCounts[h] - mean;
            sumOfSquares += d * d;
        }
        double sigma = Math.sqrt(sumOfSquares / HOURS); // population σ
        double consistency = Rounding.round1(Math.max(0.0, 100.0 - 100.0 * sigma / mean));

        return new ActivitySummary(
                most,
                leastActive,
                morning,
                afternoon,
                evening,
                night,
                nightOwl,
                earlyBird,
                consistency);
    }
}
