package io.tally.pipeline.reviews.records;

/**
 * A row of {@code leaderboard_scores}, shown by the view {@code leaderboard_entries} (SPEC §3.3).
 */
public class LeaderboardRow {
    public String userkey;
    public String username;
    public String name;
    public long reviewsGiven;
    public long reviewsReceived;
    public long reciprocalReviews;
    public int farmingScore;

    /** The score with its decimals (2 for v1-batch; equal to farmingScore for tally-1). */
    public double farmingScoreExact;

    public String riskLevel;
    public long quickReciprocations;
    public double avgReciprocalTime;

    /** The evaluation instant asOf, epoch ms (SPEC §1.4). */
    public long lastAnalyzed;

    public String analysisVersion;

    /** asOf: only grows, and a replay reaches it again (SPEC §1.8). */
    public long version;

    public LeaderboardRow() {}
}
