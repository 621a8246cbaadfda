package io.tally.pipeline.reviews.logic;

import io.tally.pipeline.reviews.records.LeaderboardRow;
import io.tally.pipeline.reviews.records.PairContribution;
import io.tally.pipeline.reviews.records.R4rAlert;

/**
 * One user's R4R evaluation at an instant: the per-counterpart contributions summed into the SPEC
 * §3.2 inputs, the score and risk level at {@code at}, the labels (§3.3), and the next instant the
 * age multiplier would change with no new review (§3.4).
 *
 * @param at the evaluation's asOf, epoch ms
 * @param score the integer score (v1: the exact score rounded half up)
 * @param exactScore the score as §3.3's variant computes it (tally-1: an integer)
 * @param username the user's label, null when no contribution carries one
 * @param nextMultiplierChange see {@link R4rScore#nextMultiplierChange}; null when none
 */
public record R4rEvaluation(
        R4rInputs inputs,
        long at,
        int score,
        double exactScore,
        String riskLevel,
        double avgReciprocalHours,
        String username,
        String name,
        Long nextMultiplierChange) {

    public static final String ANALYSIS_VERSION = "tally-1";
    public static final String V1_ANALYSIS_VERSION = "v1-batch";

    /** SPEC §3.5: a new user starts at low. */
    public static final String INITIAL_RISK = "low";

    /**
     * Sums {@code contributions} (one per counterpart) and scores the sum at {@code at}.
     *
     * @param v1Batch score with the older batch variant (SPEC §3.3 {@code algorithm: v1-batch})
     */
    public static R4rEvaluation of(
            Iterable<PairContribution> contributions, long at, boolean v1Batch) {
        long given = 0;
        long received = 0;
        long reciprocal = 0;
        long quick = 0;
        long diffSum = 0;
        long earliest = Long.MAX_VALUE;
        PairContribution label = null;
        for (PairContribution c : contributions) {
            given += c.given;
            received += c.received;
            reciprocal += c.reciprocal;
            quick += c.quick;
            diffSum += c.reciprocalDiffMillisSum;
            earliest = Math.min(earliest, c.earliest);
            if (c.labelReviewId != null
                    && (label == null
                            || c.labelTs > label.labelTs
                            || (c.labelTs == label.labelTs
                                    && c.labelReviewId.compareTo(label.labelReviewId) > 0))) {
                label = c;
            }
        }
        R4rInputs in = new R4rInputs(given, received, reciprocal, quick, diffSum, earliest);
        R4rResult tally = R4rScore.evaluate(in, at);
        double exact = v1Batch ? R4rV1Batch.evaluateV1(in, at) : tally.score();
        // v1 scores have 2 decimals; the integer column (sorting, alerts, CSV) rounds half up.
        int score = v1Batch ? (int) Math.floor(exact + 0.5) : tally.score();
        String level = v1Batch ? R4rScore.riskLevel(exact) : tally.riskLevel();
        return new R4rEvaluation(
                in,
                at,
                score,
                exact,
                level,
                tally.avgReciprocalHours(),
                label == null ? null : label.username,
                label == null ? null : label.name,
                R4rScore.nextMultiplierChange(in, at));
    }

    /** The SPEC §3.3 leaderboard row; {@code version} = asOf, which never moves backwards. */
    public LeaderboardRow row(String userkey, boolean v1Batch) {
        LeaderboardRow row = new LeaderboardRow();
        row.userkey = userkey;
        row.username = username;
        row.name = name;
        row.reviewsGiven = inputs.given();
        row.reviewsReceived = inputs.received();
        row.reciprocalReviews = inputs.reciprocal();
        row.farmingScore = score;
        row.farmingScoreExact = exactScore;
        row.riskLevel = riskLevel;
        row.quickReciprocations = inputs.quick();
        row.avgReciprocalTime = avgReciprocalHours;
        row.lastAnalyzed = at;
        row.analysisVersion = v1Batch ? V1_ANALYSIS_VERSION : ANALYSIS_VERSION;
        row.version = at;
        return row;
    }

    /**
     * SPEC §3.5: the alert this evaluation raises after the level last announced ({@code null}: a
     * new user, at {@link #INITIAL_RISK}), or null when the level did not change.
     */
    public R4rAlert alertAfter(String userkey, String announced) {
        String before = announced == null ? INITIAL_RISK : announced;
        if (riskLevel.equals(before)) {
            return null;
        }
        R4rAlert alert = new R4rAlert();
        alert.userkey = userkey;
        alert.username = username;
        alert.from = before;
        alert.to = riskLevel;
        alert.score = score;
        alert.at = at;
        return alert;
    }
}
