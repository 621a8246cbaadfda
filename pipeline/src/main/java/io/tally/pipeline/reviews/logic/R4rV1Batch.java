package io.tally.pipeline.reviews.logic;

import java.util.List;

/**
 * The older batch variant of the R4R score, selected by {@code algorithm: v1-batch} (SPEC §3.3) to
 * compare with historical rows.
 *
 * <p>The SPEC gives only its differences from §3.2: "any sentiment pairs, no 65 cap, quick ≤ 24 h,
 * fixed penalties 12.5/10/6.5/3 at 80/60/40/20 % quick, 2-decimal score". This is the most literal
 * reading: §3.2 step for step with exactly those substitutions. Assumptions, none stated by the
 * SPEC:
 *
 * <ul>
 *   <li>m(g) is chosen as in §3.2 (the newest review by g's subject, ties to the larger id); only
 *       the sentiment condition is dropped ({@link #forUser}).
 *   <li>"≤ 24 h" is inclusive: |diff| ≤ 86 400 000 ms is quick.
 *   <li>"at 80/60/40/20 %" means ratio = Q / C ≥ 0.8, ≥ 0.6, ≥ 0.4, ≥ 0.2, first match, with no
 *       minimum Q (the §3.2 minimums are not listed for v1); ratio is 0 when C = 0.
 *   <li>Volume and account-age multipliers, |R| = 0 → 0 and the cap at 100 are unchanged.
 *   <li>"2-decimal" rounds half-up like every other rounding in the SPEC: floor(100·x + 0.5) / 100,
 *       in double, left to right.
 *   <li>Risk level, avg_reciprocal_time and the §3.4 timer instants are §3.2's, applied to the v1
 *       inputs: {@link R4rScore#riskLevel(double)}, {@link R4rScore#evaluate}'s {@code
 *       avgReciprocalHours} and {@link R4rScore#nextMultiplierChange} (which only depend on the
 *       inputs and the age multiplier).
 * </ul>
 */
public final class R4rV1Batch {

    /** SPEC §3.3 v1: quick iff |ts(g) − ts(m(g))| ≤ 24 h. */
    public static final long QUICK_MILLIS = 86_400_000L;

    private R4rV1Batch() {}

    /** SPEC §3.3 v1 "quick ≤ 24 h"; {@code diffMillis} may have either sign. */
    public static boolean isQuick(long diffMillis) {
        return Math.abs(diffMillis) <= QUICK_MILLIS;
    }

    /**
     * User a's share of the v1 counts from counterpart b: {@link Reciprocity#forUser} with any
     * sentiment pairing and the 24 h quick rule.
     */
    public static R4rInputs forUser(List<ReviewRef> given, List<ReviewRef> received) {
        return Reciprocity.pair(given, received, true, R4rV1Batch::isQuick);
    }

    /**
     * The v1 score, 0..100 with 2 decimals, of inputs computed under v1 rules ({@link #forUser}).
     */
    public static double evaluateV1(R4rInputs in, long asOfMillis) {
        if (in.received() == 0) {
            return 0.0;
        }
        double base = 100.0 * in.reciprocal() / in.received();
        double volume = R4rScore.volumeMultiplier(in.reciprocal());
        double age = R4rScore.ageMultiplier(in, asOfMillis);
        double penalty = penalty(in.quick(), in.reciprocal());
        return Math.min(Math.floor(100 * (base * volume * age + penalty) + 0.5) / 100, 100);
    }

    static double penalty(long quick, long reciprocal) {
        double ratio = reciprocal == 0 ? 0 : (double) quick / reciprocal;
        if (ratio >= 0.8) {
            return 12.5;
        }
        if (ratio >= 0.6) {
            return 10;
        }
        if (ratio >= 0.4) {
            return 6.5;
        }
        return ratio >= 0.2 ? 3 : 0;
    }
}
