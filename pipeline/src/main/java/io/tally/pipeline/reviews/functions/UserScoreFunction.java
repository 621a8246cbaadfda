package io.tally.pipeline.reviews.functions;

import io.tally.pipeline.reviews.logic.R4rInputs;
import io.tally.pipeline.reviews.logic.R4rResult;
import io.tally.pipeline.reviews.logic.R4rScore;
import io.tally.pipeline.reviews.logic.R4rV1Batch;
import io.tally.pipeline.reviews.records.LeaderboardRow;
import io.tally.pipeline.reviews.records.PairContribution;
import io.tally.pipeline.reviews.records.R4rAlert;
import io.tally.pipeline.runtime.EventTimeKeyedFunction;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by userkey: sums the per-counterpart contributions into the user's R4R inputs, scores them
 * at {@code asOf} (SPEC §3.2), writes the leaderboard row (§3.3), raises an alert when the risk
 * level changes (§3.5), and keeps one event-time timer at the next instant the account-age
 * multiplier would change with no new review (§3.4).
 */
public final class UserScoreFunction
        extends EventTimeKeyedFunction<String, PairContribution, LeaderboardRow> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<R4rAlert> ALERTS =
            new OutputTag<>("r4r-alerts", Types.POJO(R4rAlert.class));

    static final String ANALYSIS_VERSION = "tally-1";

    /** SPEC §3.5: a new user starts at low. */
    static final String INITIAL_RISK = "low";

    private final boolean v1Batch;

    private transient MapState<String, PairContribution> counterparts;
    private transient ValueState<Long> asOf;
    private transient ValueState<String> risk;

    /** The level the last alert announced (a new user starts at low). */
    private transient ValueState<String> alerted;

    private transient ValueState<Long> timer;
    private transient ValueState<Integer> score;
    private transient ValueState<String> username;

    public UserScoreFunction() {
        this(false);
    }

    /**
     * @param v1Batch score with the older batch variant (SPEC §3.3 {@code algorithm: v1-batch})
     */
    public UserScoreFunction(boolean v1Batch) {
        this.v1Batch = v1Batch;
    }

    @Override
    public void open(OpenContext context) {
        counterparts =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "counterparts",
                                        Types.STRING,
                                        Types.POJO(PairContribution.class)));
        asOf = getRuntimeContext().getState(new ValueStateDescriptor<>("as-of", Types.LONG));
        risk = getRuntimeContext().getState(new ValueStateDescriptor<>("risk", Types.STRING));
        alerted = getRuntimeContext().getState(new ValueStateDescriptor<>("alerted", Types.STRING));
        timer = getRuntimeContext().getState(new ValueStateDescriptor<>("timer", Types.LONG));
        score = getRuntimeContext().getState(new ValueStateDescriptor<>("score", Types.INT));
        username =
                getRuntimeContext().getState(new ValueStateDescriptor<>("username", Types.STRING));
    }

    @Override
    public void processElement(PairContribution c, Context ctx, Collector<LeaderboardRow> out)
            throws Exception {
        observe(c.eventTime);
        counterparts.put(c.counterpartKey, c);
        evaluate(ctx, advanceAsOf(c.eventTime), out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LeaderboardRow> out)
            throws Exception {
        if (isEndOfInput(timestamp, ctx.timerService().currentWatermark())) {
            return;
        }
        Long multiplierAt = timer.value();
        if (multiplierAt != null && multiplierAt == timestamp) {
            timer.clear();
            evaluate(ctx, advanceAsOf(timestamp), out);
        }
        checkAlert(ctx);
    }

    /**
     * SPEC §3.5: alert when the risk level changed — judged once the watermark has passed the
     * evaluation instant, so that reviews arriving out of order within the watermark bound (from
     * other partitions or pair subtasks) are all counted first and a passing level that only one
     * arrival order shows raises no alert.
     */
    private void checkAlert(Context ctx) throws Exception {
        String now = risk.value();
        String before = alerted.value() == null ? INITIAL_RISK : alerted.value();
        if (now == null || now.equals(before)) {
            return;
        }
        R4rAlert alert = new R4rAlert();
        alert.userkey = ctx.getCurrentKey();
        alert.username = username.value();
        alert.from = before;
        alert.to = now;
        alert.score = score.value();
        alert.at = asOf.value();
        ctx.output(ALERTS, alert);
        alerted.update(now);
    }

    /** asOf never moves backwards (SPEC §1.4). */
    private long advanceAsOf(long time) throws Exception {
        Long previous = asOf.value();
        long next = previous == null ? time : Math.max(previous, time);
        asOf.update(next);
        return next;
    }

    private void evaluate(Context ctx, long at, Collector<LeaderboardRow> out) throws Exception {
        long given = 0;
        long received = 0;
        long reciprocal = 0;
        long quick = 0;
        long diffSum = 0;
        long earliest = Long.MAX_VALUE;
        PairContribution label = null;
        for (PairContribution c : counterparts.values()) {
            given += c.given;
            received += c.received;
            reciprocal += c.reciprocal;
            quick += c.quick;
            diffSum += c.reciprocalDiffMillisSum;
            earliest = Math.min(earliest, c.earliest);
            if (label == null
                    || c.labelTs > label.labelTs
                    || (c.labelTs == label.labelTs
                            && c.labelReviewId.compareTo(label.labelReviewId) > 0)) {
                label = c;
            }
        }
        R4rInputs in = new R4rInputs(given, received, reciprocal, quick, diffSum, earliest);
        R4rResult tally = R4rScore.evaluate(in, at);
        double exact = v1Batch ? R4rV1Batch.evaluateV1(in, at) : tally.score();
        // v1 scores have 2 decimals; the integer column (sorting, alerts, CSV) rounds half up.
        int score = v1Batch ? (int) Math.floor(exact + 0.5) : tally.score();
        String level = v1Batch ? R4rScore.riskLevel(exact) : tally.riskLevel();
        String user = ctx.getCurrentKey();

        LeaderboardRow row = new LeaderboardRow();
        row.userkey = user;
        row.username = label == null ? null : label.username;
        row.name = label == null ? null : label.name;
        row.reviewsGiven = given;
        row.reviewsReceived = received;
        row.reciprocalReviews = reciprocal;
        row.farmingScore = score;
        row.farmingScoreExact = exact;
        row.riskLevel = level;
        row.quickReciprocations = quick;
        row.avgReciprocalTime = tally.avgReciprocalHours();
        row.lastAnalyzed = at;
        row.analysisVersion = v1Batch ? "v1-batch" : ANALYSIS_VERSION;
        row.version = at;
        out.collect(row);

        risk.update(level);
        this.score.update(score);
        username.update(row.username);

        Long next = R4rScore.nextMultiplierChange(in, at);
        Long current = timer.value();
        if (!Objects.equals(current, next)) {
            if (current != null) {
                ctx.timerService().deleteEventTimeTimer(current);
            }
            if (next != null) {
                ctx.timerService().registerEventTimeTimer(next);
            }
            timer.update(next);
        }
        // Judge a risk change once the watermark passes this evaluation (see checkAlert). After
        // the multiplier timer is rescheduled, so deleting that one never drops this one.
        if (at <= ctx.timerService().currentWatermark()) {
            checkAlert(ctx);
        } else {
            ctx.timerService().registerEventTimeTimer(at);
        }
    }
}
