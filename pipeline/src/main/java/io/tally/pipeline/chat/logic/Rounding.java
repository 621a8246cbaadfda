package io.tally.pipeline.chat.logic;

/**
 * The reference's rounding, written as SPEC §2.12 states it so every table rounds alike.
 *
 * <p>Both are half-up towards +∞ in double arithmetic, not banker's rounding and not {@code
 * BigDecimal}: {@code round1(0.15)} is 0.2 because {@code 10 · 0.15} evaluates to exactly 1.5.
 */
public final class Rounding {

    private Rounding() {}

    /** One decimal: floor(10·x + 0.5) / 10 (SPEC §2.12). */
    public static double round1(double x) {
        return Math.floor(10 * x + 0.5) / 10;
    }

    /**
     * Integer rounding: floor(x + 0.5) (SPEC §2.12). It agrees with {@link Math#round(double)}
     * except at the double just below 0.5 (and at magnitudes ≥ 2^52), which a mean of counts never
     * hits.
     */
    public static long roundHalfUp(double x) {
        return (long) Math.floor(x + 0.5);
    }
}
