package io.tally.pipeline.reviews;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tally.connectors.kafka.ParsedRecord;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.reviews.functions.PairFunction;
import io.tally.pipeline.reviews.functions.UserScoreFunction;
import io.tally.pipeline.reviews.records.LeaderboardRow;
import io.tally.pipeline.reviews.records.PairContribution;
import io.tally.pipeline.reviews.records.R4rAlert;
import io.tally.pipeline.reviews.records.Review;
import io.tally.pipeline.runtime.StatusDelta;
import io.tally.pipeline.runtime.TallySinks;
import io.tally.pipeline.runtime.ValidRecordSplitter;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The reviews pipeline (SPEC §3): review states → per-pair reciprocity → per-user score,
 * leaderboard, alerts. Two keyed stages, so state scales with the number of user pairs and no
 * operator ever holds a user's whole history (see the module README).
 */
public final class ReviewsWorkflow {
    public static final String PIPELINE = "reviews";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ReviewsWorkflow() {}

    public static DataStream<StatusDelta> define(
            DataStream<ParsedRecord<Review>> parsed, TallyConfig config, TallySinks sinks) {
        SingleOutputStreamOperator<Review> reviews =
                parsed.transform(
                                "Validate reviews",
                                Types.POJO(Review.class),
                                new ValidRecordSplitter<Review>(PIPELINE))
                        .uid("reviews-validate");
        sinks.deadLetters(reviews.getSideOutput(ValidRecordSplitter.DEAD_LETTERS), PIPELINE);

        SingleOutputStreamOperator<PairContribution> contributions =
                reviews.keyBy(Review::pairKey, Types.STRING)
                        .process(new PairFunction(config.v1Batch()))
                        .uid("reviews-pairs")
                        .name("Reciprocity per pair of users (SPEC 3.2)");
        sinks.upsert(contributions.getSideOutput(PairFunction.PAIRS), ReviewsTables.pairs());

        SingleOutputStreamOperator<LeaderboardRow> leaderboard =
                contributions
                        .keyBy(c -> c.userKey, Types.STRING)
                        .process(new UserScoreFunction(config.v1Batch()))
                        .uid("reviews-scores")
                        .name("R4R score per user (SPEC 3.2-3.4)");
        sinks.upsert(leaderboard, ReviewsTables.leaderboard());

        DataStream<R4rAlert> alerts = leaderboard.getSideOutput(UserScoreFunction.ALERTS);
        sinks.upsert(alerts, ReviewsTables.alerts());
        sinks.publish(
                alerts,
                config.alertsTopic,
                a -> a.userkey,
                ReviewsWorkflow::alertJson,
                "reviews-alerts-topic");

        return reviews.getSideOutput(ValidRecordSplitter.STATUS);
    }

    /** SPEC §3.5: {"userkey","username","from","to","score","at"}. */
    static String alertJson(R4rAlert a) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("userkey", a.userkey);
        n.put("username", a.username);
        n.put("from", a.from);
        n.put("to", a.to);
        n.put("score", a.score);
        n.put("at", Instant.ofEpochMilli(a.at).toString());
        return n.toString();
    }
}
