package io.tally.pipeline.reviews.functions;

import io.tally.pipeline.reviews.logic.R4rEvaluation;
import io.tally.pipeline.reviews.records.LeaderboardRow;
import io.tally.pipeline.reviews.records.PairContribution;
import io.tally.pipeline.reviews.records.PairContribution.CountsIn;
import io.tally.pipeline.reviews.records.R4rAlert;
import io.tally.pipeline.runtime.EventTimeKeyedFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 *
 * <p>Two sums are kept. The <b>current</b> one takes each {@link CountsIn#CURRENT current}
 * contribution as it arrives and is evaluated at once, at the largest event time seen: the
 * leaderboard row. Its contents at any moment depend on how far the partitions had been read, so
 * alerts are not judged on it: after a restore the watermark starts again at {@code Long.MIN_VALUE}
 * and the replay would judge a change later, with more contributions in and a larger asOf, than the
 * crashed run did, and the insert-only {@code r4r_alerts} would get a second row (issue 9). The
 * <b>settled</b> sum takes the {@link CountsIn#SETTLED settled} contributions (each the pair's
 * reviews with {@code ts ≤ eventTime}), held until the watermark passes their event time and then
 * applied in event-time order, the sum evaluated at that event time and at the multiplier changes
 * of the settled sum. Alerts are judged there, so their {@code at}, level and score depend only on
 * the input within the out-of-orderness bound, in every run. A settled contribution that arrives
 * behind the watermark is applied at once (nothing held is older), at the settled asOf (which never
 * moves backwards); such late input stays arrival-dependent.
 *
 * <p>At the end of a bounded input the held contributions are applied (they are events) and
 * multiplier timers past the largest event time are discarded (§1.4).
 */
public final class UserScoreFunction
        extends EventTimeKeyedFunction<String, PairContribution, LeaderboardRow> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<R4rAlert> ALERTS =
            new OutputTag<>("r4r-alerts", Types.POJO(R4rAlert.class));

    private final boolean v1Batch;

    // The current sum: the leaderboard.
    private transient MapState<String, PairContribution> counterparts;
    private transient ValueState<Long> asOf;
    private transient ValueState<Long> timer;

    // The settled sum: alerts.
    private transient MapState<Long, List<PairContribution>> held;
    private transient MapState<String, PairContribution> settled;
    private transient ValueState<Long> settledAsOf;
    private transient ValueState<Long> settledTimer;

    /** The level the last alert announced (a new user starts at low). */
    private transient ValueState<String> alerted;

    // Written by the version before the settled sum (judged alerts on the current one); a user
    // with a "risk" entry has state of that layout and is upgraded on first touch.
    private transient ValueState<String> olderRisk;
    private transient ValueState<Integer> olderScore;
    private transient ValueState<String> olderUsername;

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
        var contribution = Types.POJO(PairContribution.class);
        counterparts =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "counterparts", Types.STRING, contribution));
        asOf = getRuntimeContext().getState(new ValueStateDescriptor<>("as-of", Types.LONG));
        timer = getRuntimeContext().getState(new ValueStateDescriptor<>("timer", Types.LONG));
        held =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "settling", Types.LONG, Types.LIST(contribution)));
        settled =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "settled-counterparts", Types.STRING, contribution));
        settledAsOf =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("settled-as-of", Types.LONG));
        settledTimer =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("settled-timer", Types.LONG));
        alerted = getRuntimeContext().getState(new ValueStateDescriptor<>("alerted", Types.STRING));
        olderRisk = getRuntimeContext().getState(new ValueStateDescriptor<>("risk", Types.STRING));
        olderScore = getRuntimeContext().getState(new ValueStateDescriptor<>("score", Types.INT));
        olderUsername =
                getRuntimeContext().getState(new ValueStateDescriptor<>("username", Types.STRING));
    }

    @Override
    public void processElement(PairContribution c, Context ctx, Collector<LeaderboardRow> out)
            throws Exception {
        observe(c.eventTime);
        upgradeOlderState(ctx);
        if (c.countsIn != CountsIn.SETTLED) {
            counterparts.put(c.counterpartKey, c);
            evaluateCurrent(ctx, advance(asOf, c.eventTime), out);
        }
        if (c.countsIn != CountsIn.CURRENT) {
            if (c.eventTime <= ctx.timerService().currentWatermark()) {
                // Late: a timer at its event time would fire only at the next watermark.
                settle(List.of(c), c.eventTime, ctx);
            } else {
                List<PairContribution> atTime = held.get(c.eventTime);
                if (atTime == null) {
                    atTime = new ArrayList<>();
                    ctx.timerService().registerEventTimeTimer(c.eventTime);
                }
                atTime.add(c);
                held.put(c.eventTime, atTime);
            }
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LeaderboardRow> out)
            throws Exception {
        boolean endOfInput = isEndOfInput(timestamp, ctx.timerService().currentWatermark());
        upgradeOlderState(ctx);
        if (!endOfInput && Objects.equals(timer.value(), timestamp)) {
            timer.clear();
            evaluateCurrent(ctx, advance(asOf, timestamp), out);
        }
        // Held contributions are events, applied even at the end of the input.
        List<PairContribution> due = held.get(timestamp);
        boolean multiplierChange = !endOfInput && Objects.equals(settledTimer.value(), timestamp);
        if (due != null || multiplierChange) {
            held.remove(timestamp);
            if (multiplierChange) {
                settledTimer.clear();
            }
            settle(due == null ? List.of() : due, timestamp, ctx);
        }
    }

    private void evaluateCurrent(Context ctx, long at, Collector<LeaderboardRow> out)
            throws Exception {
        R4rEvaluation e = R4rEvaluation.of(counterparts.values(), at, v1Batch);
        out.collect(e.row(ctx.getCurrentKey(), v1Batch));
        reschedule(timer, e.nextMultiplierChange(), ctx);
    }

    /**
     * Applies {@code contributions} (in arrival order: a pair's later state replaces its earlier
     * one) to the settled sum, evaluates it at {@code time} (or the settled asOf, if later) and
     * raises an alert if its level differs from the one last announced (SPEC §3.5).
     */
    private void settle(List<PairContribution> contributions, long time, Context ctx)
            throws Exception {
        for (PairContribution c : contributions) {
            settled.put(c.counterpartKey, c);
        }
        R4rEvaluation e = R4rEvaluation.of(settled.values(), advance(settledAsOf, time), v1Batch);
        R4rAlert alert = e.alertAfter(ctx.getCurrentKey(), alerted.value());
        if (alert != null) {
            ctx.output(ALERTS, alert);
            alerted.update(alert.to);
        }
        reschedule(settledTimer, e.nextMultiplierChange(), ctx);
    }

    /** An asOf never moves backwards (SPEC §1.4). */
    private static long advance(ValueState<Long> asOf, long time) throws Exception {
        Long previous = asOf.value();
        long next = previous == null ? time : Math.max(previous, time);
        asOf.update(next);
        return next;
    }

    /**
     * Moves the multiplier timer kept in {@code slot} to {@code next}. One Flink timer serves every
     * use of an instant (current and settled multiplier changes, held contributions), so the old
     * instant's timer is deleted only when nothing else still needs it.
     */
    private void reschedule(ValueState<Long> slot, Long next, Context ctx) throws Exception {
        Long current = slot.value();
        if (Objects.equals(current, next)) {
            return;
        }
        if (next == null) {
            slot.clear();
        } else {
            slot.update(next);
            ctx.timerService().registerEventTimeTimer(next);
        }
        if (current != null
                && !Objects.equals(timer.value(), current)
                && !Objects.equals(settledTimer.value(), current)
                && !held.contains(current)) {
            ctx.timerService().deleteEventTimeTimer(current);
        }
    }

    /**
     * State written before the settled sum existed has no settled copy: it starts as the current
     * one, evaluated at the current asOf, which also raises the alert the older version's pending
     * check would have (the same level at the same asOf). Keyed state is upgraded per user, the
     * first time the user is touched.
     */
    private void upgradeOlderState(Context ctx) throws Exception {
        if (olderRisk.value() == null) {
            return;
        }
        olderRisk.clear();
        olderScore.clear();
        olderUsername.clear();
        for (Map.Entry<String, PairContribution> e : counterparts.entries()) {
            settled.put(e.getKey(), e.getValue());
        }
        if (asOf.value() != null) {
            settle(List.of(), asOf.value(), ctx);
        }
    }
}
