package io.tally.pipeline.reviews.records;

/**
 * A row of {@code r4r_pairs}: how many of the user's given reviews to the counterpart are
 * reciprocal now. The {@code leaderboard_entries} view counts high-risk partners from it (SPEC §3.2
 * {@code high_risk_r4rs}), so that count is right whenever it is read.
 */
public class PairRow {
    public String userkey;
    public String counterpart;
    public long reciprocalGiven;

    /** Review states applied to the pair so far: only grows. */
    public long version;

    public PairRow() {}
}
