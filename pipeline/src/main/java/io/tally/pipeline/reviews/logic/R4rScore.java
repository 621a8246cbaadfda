package io.tally.pipeline.reviews.logic;

import java.util.Arrays;
import java.util.function.LongPredicate;

/**
 * The R4R formula of SPEC §3.2 and the instants at which time alone changes it (SPEC §3.4).
 *
 * <p>Every step is IEEE double arithmetic evaluated left to right exactly as the SPEC writes it, as
 * the reference batch did, so results match it to the last bit: {@code 100.0 * C / |R|} is {@code
 * (100.0 · C) / |R|}, and {@code 50 · 1.15} is 57.49999999999999, which scores 57, not 58.
 */
public final class R4rScore {

    /** SPEC §3.2: a reciprocal review is quick iff |ts(g) − ts(m(g))| is strictly below this. */
    public static final long QUICK_MILLIS = 1_797_120L;

    public static final long MILLIS_PER_DAY = 86_400_000L;
    private static final double MILLIS_PER_HOUR = 3_600_000.0;

    /** SPEC §3.2 thresholds of the age multiplier, in the order they are matched. */
    private static final double[] RPD_ABOVE = {10, 5, 2};

    private static final int MAX_WALK = 16;

    private static final long[] AGE_DAYS_BELOW = {30, 60, 90};
    private static final double[] AGE_MULTIPLIER = {1.4, 1.25, 1.1};

    private R4rScore() {}

    /** SPEC §3.2 "quick"; {@code diffMillis} may have either sign. */
    public static boolean isQuick(long diffMillis) {
        return Math.abs(diffMillis) < QUICK_MILLIS;
    }

    /**
     * The §3.2 score, risk level and average reciprocation time of a user at {@code asOfMillis}.
     *
     * <p>{@code avg_reciprocal_time} is evaluated as {@code h = ((double) Σdiff / C) / 3 600
     * 000.0}, then {@code floor(100 · h + 0.5) / 100}: the mean in milliseconds first, then hours.
     */
    public static R4rResult evaluate(R4rInputs in, long asOfMillis) {
        if (in.received() == 0) {
            // SPEC §3.2: no received review → score 0, low, every derived field 0.
            return new R4rResult(0, "low", 0.0);
        }
        double base = Math.min(100.0 * in.reciprocal() / in.received(), 65);
        double volume = volumeMultiplier(in.reciprocal());
        double age = ageMultiplier(in, asOfMillis);
        double penalty = penalty(in.quick(), in.reciprocal());
        int score = (int) Math.min(Math.floor(base * volume * age + penalty + 0.5), 100);
        return new R4rResult(score, riskLevel(score), avgReciprocalHours(in));
    }

    /** SPEC §3.2 risk level of a score: ≥ 70 high, ≥ 40 moderate, else low. */
    public static String riskLevel(double score) {
        if (score >= 70) {
            return "high";
        }
        return score >= 40 ? "moderate" : "low";
    }

    /** SPEC §3.2 volume multiplier by C. */
    static double volumeMultiplier(long reciprocal) {
        if (reciprocal >= 50) {
            return 1.2;
        }
        if (reciprocal >= 20) {
            return 1.15;
        }
        return reciprocal >= 10 ? 1.05 : 1;
    }

    /** SPEC §3.2 quick-reciprocation penalty; the Q minimums keep a single quick pair harmless. */
    static double penalty(long quick, long reciprocal) {
        double ratio = reciprocal == 0 ? 0 : (double) quick / reciprocal;
        if (ratio >= 0.8 && quick >= 3) {
            return 10 + 5 * ratio;
        }
        if (ratio >= 0.6 && quick >= 3) {
            return 8 + 4 * ratio;
        }
        if (ratio >= 0.4 && quick >= 2) {
            return 5 + 3 * ratio;
        }
        if (ratio >= 0.2 && quick >= 2) {
            return 2 + 2 * ratio;
        }
        return 0;
    }

    static double avgReciprocalHours(R4rInputs in) {
        if (in.reciprocal() == 0) {
            return 0.0;
        }
        double hours = ((double) in.reciprocalDiffMillisSum() / in.reciprocal()) / MILLIS_PER_HOUR;
        return Math.floor(100 * hours + 0.5) / 100;
    }

    /** SPEC §3.2 ageDays = (asOf − earliest) / 86 400 000, in double. */
    static double ageDays(R4rInputs in, long asOfMillis) {
        return (asOfMillis - in.earliestMillis()) / (double) MILLIS_PER_DAY;
    }

    /** SPEC §3.2 reviews per day, (|G| + |R|) / max(ageDays, 1). */
    static double reviewsPerDay(R4rInputs in, long asOfMillis) {
        return (double) (in.given() + in.received()) / Math.max(ageDays(in, asOfMillis), 1);
    }

    /**
     * The SPEC §3.2 account-age multiplier at {@code asOfMillis}: the first match of rpd &gt; 10
     * and ageDays &lt; 30 → 1.4; rpd &gt; 5 and ageDays &lt; 60 → 1.25; rpd &gt; 2 and ageDays &lt;
     * 90 → 1.1; else 1. A user with no active review has no age: 1.
     */
    public static double ageMultiplier(R4rInputs in, long asOfMillis) {
        if (in.given() + in.received() == 0) {
            return 1;
        }
        double ageDays = ageDays(in, asOfMillis);
        double rpd = reviewsPerDay(in, asOfMillis);
        for (int i = 0; i < AGE_MULTIPLIER.length; i++) {
            if (rpd > RPD_ABOVE[i] && ageDays < AGE_DAYS_BELOW[i]) {
                return AGE_MULTIPLIER[i];
            }
        }
        return 1;
    }

    /**
     * SPEC §3.4: the smallest instant t &gt; {@code asOfMillis} at which {@link #ageMultiplier}
     * differs from its value at {@code asOfMillis} if no event arrives, with no change strictly in
     * between; {@code null} when it never changes again or the score cannot depend on it (|R| = 0
     * or C = 0, where base and penalty are 0).
     *
     * <p>The multiplier is a function of six conditions (ageDays &lt; 30/60/90, rpd &gt; 10/5/2),
     * each monotone in t (ageDays only grows, rpd only falls, even after double rounding, since
     * correctly rounded division is monotone), so each turns false once and for good. In real
     * numbers each turns at an integer millisecond: {@code earliest + days · MILLIS_PER_DAY}, or,
     * for rpd = n / ageDays = k, {@code earliest + n · (MILLIS_PER_DAY / k)} (an integer quotient
     * for k = 10, 5, 2; only when n &gt; k, else rpd is never above k). Double rounding may move
     * the flip by a millisecond, so each candidate is adjusted until it is the first millisecond
     * where the condition as evaluated in double is false. The multiplier is constant between
     * consecutive flips, so the answer is the first flip after {@code asOf} that changes the value.
     */
    public static Long nextMultiplierChange(R4rInputs in, long asOfMillis) {
        if (in.received() == 0 || in.reciprocal() == 0) {
            return null;
        }
        long n = in.given() + in.received();
        long earliest = in.earliestMillis();
        long[] flips = new long[AGE_DAYS_BELOW.length + RPD_ABOVE.length];
        int count = 0;
        for (long days : AGE_DAYS_BELOW) {
            long candidate = saturatedAdd(earliest, saturatedMultiply(days, MILLIS_PER_DAY));
            flips[count++] = firstFalse(candidate, t -> ageDays(in, t) < days, asOfMillis);
        }
        for (double k : RPD_ABOVE) {
            // rpd ≤ n ≤ k while ageDays ≤ 1, and afterwards it only falls: never above k.
            if (n <= k) {
                continue;
            }
            long millisPerReview = MILLIS_PER_DAY / (long) k;
            long candidate = saturatedAdd(earliest, saturatedMultiply(n, millisPerReview));
            flips[count++] = firstFalse(candidate, t -> reviewsPerDay(in, t) > k, asOfMillis);
        }
        Arrays.sort(flips, 0, count);
        double now = ageMultiplier(in, asOfMillis);
        for (int i = 0; i < count; i++) {
            long t = flips[i];
            if (t > asOfMillis && ageMultiplier(in, t) != now) {
                return t;
            }
        }
        return null;
    }

    /**
     * The first millisecond at which {@code holds} (true, then false for good) is false, or {@code
     * floor} if that is at or before {@code floor}. {@code candidate} is the exact real-number
     * instant, at most a millisecond or so from the answer; the bounded walk from it is checked,
     * and a bisection takes over should rounding ever move the flip further.
     */
    private static long firstFalse(long candidate, LongPredicate holds, long floor) {
        long t = Math.max(candidate, floor);
        for (int step = 0; step < MAX_WALK && t < Long.MAX_VALUE && holds.test(t); step++) {
            t++;
        }
        for (int step = 0; step < MAX_WALK && t > floor && !holds.test(t - 1); step++) {
            t--;
        }
        boolean exact = !holds.test(t) && (t == floor || holds.test(t - 1));
        return exact ? t : bisectFirstFalse(holds, floor);
    }

    /** Invariant: holds(lo) or lo == floor; !holds(hi). */
    private static long bisectFirstFalse(LongPredicate holds, long floor) {
        if (!holds.test(floor)) {
            return floor;
        }
        long lo = floor;
        long hi = Long.MAX_VALUE;
        // Unsigned: hi − lo may exceed Long.MAX_VALUE when floor is negative.
        while (Long.compareUnsigned(hi - lo, 1) > 0) {
            long mid = lo + ((hi - lo) >>> 1);
            if (holds.test(mid)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        // Overflow iff both operands have the same sign and the sum's sign differs.
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private static long saturatedMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return (hi == 0 && lo >= 0) ? lo : Long.MAX_VALUE;
    }
}
