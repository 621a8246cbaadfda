package io.tally.pipeline.reviews.logic;

/**
 * The counts SPEC §3.2 derives from a user's active reviews, all {@link R4rScore#evaluate} needs
 * besides {@code asOf}.
 *
 * <p>Every field is a sum or a minimum over counterparts (m(g) is always a review by g's subject),
 * so the per-counterpart values of {@link Reciprocity#forUser} add up with {@link #plus} to the
 * user's totals.
 *
 * @param given |G|, active reviews the user gave
 * @param received |R|, active reviews the user received
 * @param reciprocal C, reciprocal given reviews
 * @param quick Q, reciprocal given reviews with |ts(g) − ts(m(g))| &lt; {@link
 *     R4rScore#QUICK_MILLIS}
 * @param reciprocalDiffMillisSum Σ |ts(g) − ts(m(g))| over reciprocal g
 * @param earliestMillis min ts over G ∪ R; {@link Long#MAX_VALUE} when G ∪ R is empty
 */
public record R4rInputs(
        long given,
        long received,
        long reciprocal,
        long quick,
        long reciprocalDiffMillisSum,
        long earliestMillis) {

    /** A user with no active review. */
    public static final R4rInputs EMPTY = new R4rInputs(0, 0, 0, 0, 0, Long.MAX_VALUE);

    public R4rInputs {
        if (given < 0
                || received < 0
                || reciprocal < 0
                || reciprocal > given
                || quick < 0
                || quick > reciprocal
                || reciprocalDiffMillisSum < 0) {
            throw new IllegalArgumentException(
                    "R4R inputs must satisfy 0 ≤ quick ≤ reciprocal ≤ given, received ≥ 0, diff"
                            + " sum ≥ 0: "
                            + given
                            + "/"
                            + received
                            + "/"
                            + reciprocal
                            + "/"
                            + quick
                            + "/"
                            + reciprocalDiffMillisSum);
        }
    }

    /** The totals over two disjoint sets of counterparts. */
    public R4rInputs plus(R4rInputs other) {
        return new R4rInputs(
                given + other.given,
                received + other.received,
                reciprocal + other.reciprocal,
                quick + other.quick,
                reciprocalDiffMillisSum + other.reciprocalDiffMillisSum,
                Math.min(earliestMillis, other.earliestMillis));
    }
}
