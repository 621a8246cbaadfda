package io.tally.pipeline.reviews.logic;

import java.util.Comparator;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * SPEC §3.2 pairing between one ordered pair of users a and b.
 *
 * <p>m(g) for a review g by a about b is the newest review in R (reviews a received) whose author
 * is b: exactly the newest of the b→a list. So every R4R count of a is a sum over a's counterparts,
 * and the operator that holds the reviews between a and b can compute a's share alone; {@link
 * R4rInputs#plus} adds the shares up to the SPEC totals.
 */
public final class Reciprocity {

    /** SPEC §3.2: newest by {@code ts}; ties go to the larger id, compared as strings. */
    static final Comparator<ReviewRef> NEWEST_LAST =
            Comparator.comparingLong(ReviewRef::ts).thenComparing(ReviewRef::id);

    private Reciprocity() {}

    /**
     * User a's share of the SPEC §3.2 counts from counterpart b.
     *
     * @param given the active reviews a→b (a's G restricted to subject b)
     * @param received the active reviews b→a (a's R restricted to author b)
     */
    public static R4rInputs forUser(List<ReviewRef> given, List<ReviewRef> received) {
        return pair(given, received, false, R4rScore::isQuick);
    }

    /**
     * The pairing with its two rule switches, shared with the v1 batch variant ({@link
     * R4rV1Batch#forUser}).
     *
     * @param anySentiment pair whatever the sentiments (v1) instead of positive with positive
     * @param isQuick whether |ts(g) − ts(m(g))| counts as quick
     */
    static R4rInputs pair(
            List<ReviewRef> given,
            List<ReviewRef> received,
            boolean anySentiment,
            LongPredicate isQuick) {
        ReviewRef match = received.stream().max(NEWEST_LAST).orElse(null);
        long reciprocal = 0;
        long quick = 0;
        long diffSum = 0;
        long earliest = Long.MAX_VALUE;
        for (ReviewRef g : given) {
            earliest = Math.min(earliest, g.ts());
            // SPEC §3.2: every given review counts, several to the same subject all pair with m(g).
            if (match != null && (anySentiment || (g.positive() && match.positive()))) {
                long diff = Math.abs(g.ts() - match.ts());
                reciprocal++;
                diffSum += diff;
                if (isQuick.test(diff)) {
                    quick++;
                }
            }
        }
        for (ReviewRef r : received) {
            earliest = Math.min(earliest, r.ts());
        }
        return new R4rInputs(given.size(), received.size(), reciprocal, quick, diffSum, earliest);
    }
}
