package io.tally.pipeline.reviews.records;

/**
 * What the reviews between a user and one counterpart contribute to the user's R4R inputs (SPEC
 * §3.2), as absolute values: the user's operator replaces the previous contribution of the same
 * counterpart and sums over counterparts, so it never needs the user's reviews themselves.
 */
public class PairContribution {
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
