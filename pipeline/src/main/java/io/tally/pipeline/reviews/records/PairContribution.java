package io.tally.pipeline.reviews.records;

/**
 * What the reviews between a user and one counterpart contribute to the user's R4R inputs (SPEC
 * §3.2), as absolute values: the user's operator replaces the previous contribution of the same
 * counterpart and sums over counterparts, so it never needs the user's reviews themselves.
 *
 * <p>The user's operator keeps two sums (see {@code UserScoreFunction}): the current one, for the
 * leaderboard, and a settled one, on which alerts are judged. {@link #countsIn} says which this
 * contribution belongs to.
 */
public class PairContribution {
    /** Which of the user's two sums a contribution counts in. */
    public enum CountsIn {
        /** The pair's current reviews, sent as each review state arrives: the leaderboard's sum. */
        CURRENT,
        /**
         * The pair's reviews with {@code ts ≤ eventTime}, sent once the watermark has passed {@code
         * eventTime}: the settled sum that alerts are judged on (SPEC §3.5).
         */
        SETTLED,
        /** Both: the pair's current reviews, all with {@code ts ≤ eventTime}. */
        BOTH
    }

    public CountsIn countsIn = CountsIn.BOTH;

    public String userKey;
    public String counterpartKey;

    /** Active reviews the user gave to / received from the counterpart. */
    public long given;

    public long received;
    public long reciprocal;
    public long quick;
    public long reciprocalDiffMillisSum;

    /** Min ts over the active reviews in either direction; Long.MAX_VALUE when none. */
    public long earliest;

    /** Label of the user from the newest state (by ts, then id) between the two naming them. */
    public long labelTs;

    public String labelReviewId;
    public String username;
    public String name;

    /** Event time of the review state that caused this contribution. */
    public long eventTime;

    public PairContribution() {}
}
