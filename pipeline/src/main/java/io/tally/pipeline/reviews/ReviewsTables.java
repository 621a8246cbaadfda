package io.tally.pipeline.reviews;

import io.tally.connectors.postgres.UpsertTable;
import io.tally.pipeline.reviews.records.LeaderboardRow;
import io.tally.pipeline.reviews.records.PairRow;
import io.tally.pipeline.reviews.records.R4rAlert;
import io.tally.pipeline.runtime.Columns;

/** Column mappings of the reviews tables (SPEC §3.3, §3.5). */
public final class ReviewsTables {
    private ReviewsTables() {}

    public static UpsertTable<LeaderboardRow> leaderboard() {
        return UpsertTable.<LeaderboardRow>builder("leaderboard_scores")
                .keyColumns("userkey")
                .valueColumns(
                        "username",
                        "name",
                        "reviews_given",
                        "reviews_received",
                        "reciprocal_reviews",
                        "farming_score",
                        "risk_level",
                        "quick_reciprocations",
                        "avg_reciprocal_time",
                        "last_analyzed",
                        "analysis_version",
                        "farming_score_exact",
                        "version")
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .values(
                        r ->
                                new Object[] {
                                    r.userkey,
                                    r.username,
                                    r.name,
                                    r.reviewsGiven,
                                    r.reviewsReceived,
                                    r.reciprocalReviews,
                                    r.farmingScore,
                                    r.riskLevel,
                                    r.quickReciprocations,
                                    Columns.decimal(r.avgReciprocalTime, 2),
                                    Columns.utc(r.lastAnalyzed),
                                    r.analysisVersion,
                                    Columns.decimal(r.farmingScoreExact, 2),
                                    r.version
                                })
                .build();
    }

    public static UpsertTable<PairRow> pairs() {
        return UpsertTable.<PairRow>builder("r4r_pairs")
                .keyColumns("userkey", "counterpart")
                .valueColumns("reciprocal_given", "version")
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .values(r -> new Object[] {r.userkey, r.counterpart, r.reciprocalGiven, r.version})
                .build();
    }

    /** Keyed on (userkey, at, to_level): a replayed alert inserts nothing (SPEC §3.5). */
    public static UpsertTable<R4rAlert> alerts() {
        return UpsertTable.<R4rAlert>builder("r4r_alerts")
                .keyColumns("userkey", "at", "to_level")
                .valueColumns("from_level", "score")
                .insertOnly()
                .updatedAtColumn("updated_at")
                .values(r -> new Object[] {r.userkey, Columns.utc(r.at), r.to, r.from, r.score})
                .build();
    }
}
