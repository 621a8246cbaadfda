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
                .key("userkey", r -> r.userkey)
                .column("username", r -> r.username)
                .column("name", r -> r.name)
                .column("reviews_given", r -> r.reviewsGiven)
                .column("reviews_received", r -> r.reviewsReceived)
                .column("reciprocal_reviews", r -> r.reciprocalReviews)
                .column("farming_score", r -> r.farmingScore)
                .column("risk_level", r -> r.riskLevel)
                .column("quick_reciprocations", r -> r.quickReciprocations)
                .column("avg_reciprocal_time", r -> Columns.decimal(r.avgReciprocalTime, 2))
                .column("last_analyzed", r -> Columns.utc(r.lastAnalyzed))
                .column("analysis_version", r -> r.analysisVersion)
                .column("farming_score_exact", r -> Columns.decimal(r.farmingScoreExact, 2))
                .column("version", r -> r.version)
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .build();
    }

    public static UpsertTable<PairRow> pairs() {
        return UpsertTable.<PairRow>builder("r4r_pairs")
                .key("userkey", r -> r.userkey)
                .key("counterpart", r -> r.counterpart)
                .column("reciprocal_given", r -> r.reciprocalGiven)
                .column("version", r -> r.version)
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .build();
    }

    /** Keyed on (userkey, at, to_level): a replayed alert inserts nothing (SPEC §3.5). */
    public static UpsertTable<R4rAlert> alerts() {
        return UpsertTable.<R4rAlert>builder("r4r_alerts")
                .key("userkey", r -> r.userkey)
                .key("at", r -> Columns.utc(r.at))
                .key("to_level", r -> r.to)
                .column("from_level", r -> r.from)
                .column("score", r -> r.score)
                .insertOnly()
                .updatedAtColumn("updated_at")
                .build();
    }
}
