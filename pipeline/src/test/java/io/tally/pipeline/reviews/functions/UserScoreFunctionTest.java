package io.tally.pipeline.reviews.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.reviews.logic.R4rInputs;
import io.tally.pipeline.reviews.logic.R4rScore;
import io.tally.pipeline.reviews.logic.R4rV1Batch;
import io.tally.pipeline.reviews.records.LeaderboardRow;
import io.tally.pipeline.reviews.records.PairContribution;
import io.tally.pipeline.reviews.records.R4rAlert;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * SPEC §3.4: one event-time timer per user at the next instant the account-age multiplier changes;
 * on firing the user is re-evaluated at that instant and the row (and an alert, on a risk change)
 * written. No timer when the score cannot depend on the multiplier; none applied at end of input.
 */
class UserScoreFunctionTest {
    static final long DAY = 86_400_000L;
    static final long BEGINNING = Instant.parse("2026-10-01T00:00:00Z").toEpochMilli();

    static KeyedOneInputStreamOperatorTestHarness<String, PairContribution, LeaderboardRow>
            harness() throws Exception {
        var h =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new UserScoreFunction(), c -> c.userKey, Types.STRING);
        h.open();
        return h;
    }

    /**
     * A brand-new, very active user: 12 given and 12 received in one day, 6 reciprocal, 2 quick.
     */
    static PairContribution busyNewcomer(String counterpart, long at) {
        PairContribution c = new PairContribution();
        c.userKey = "service:x.com:1";
        c.counterpartKey = counterpart;
        c.given = 12;
        c.received = 12;
        c.reciprocal = 6;
        c.quick = 2;
        c.reciprocalDiffMillisSum = 6 * 3_600_000L;
        c.earliest = BEGINNING;
        c.labelTs = at;
        c.labelReviewId = "review-1";
        c.username = "alice";
        c.name = "Alice";
        c.eventTime = at;
        return c;
    }

    @Test
    void theAgeMultiplierTimerReEvaluatesAtTheExactInstantItChanges() throws Exception {
        var h = harness();
        long at = BEGINNING + DAY / 2;
        h.processElement(busyNewcomer("service:x.com:2", at), at);
        List<LeaderboardRow> rows = h.extractOutputValues();
        assertThat(rows).hasSize(1);
        LeaderboardRow first = rows.get(0);
        assertThat(first.lastAnalyzed).isEqualTo(at);
        // rpd = 24 / max(0.5, 1) = 24 > 10 and ageDays < 30: ×1.4.
        R4rInputs in = new R4rInputs(12, 12, 6, 2, 6 * 3_600_000L, BEGINNING);
        assertThat(R4rScore.ageMultiplier(in, at)).isEqualTo(1.4);
        assertThat(first.farmingScore).isEqualTo(R4rScore.evaluate(in, at).score());
        // The next multiplier change, and the alert check at the evaluation instant.
        assertThat(h.numEventTimeTimers()).isEqualTo(2);

        // rpd falls to 10 at ageDays = 2.4: the multiplier becomes 1.25 exactly then.
        long change = R4rScore.nextMultiplierChange(in, at);
        assertThat(change).isEqualTo(BEGINNING + (long) (2.4 * DAY));
        h.processWatermark(new Watermark(change - 1));
        assertThat(h.extractOutputValues()).hasSize(1);
        h.processWatermark(new Watermark(change));
        LeaderboardRow later = h.extractOutputValues().get(1);
        assertThat(later.lastAnalyzed).isEqualTo(change);
        assertThat(later.farmingScore).isEqualTo(R4rScore.evaluate(in, change).score());
        assertThat(later.farmingScore).isLessThan(first.farmingScore);
        assertThat(later.version).isGreaterThan(first.version);
        // And the next change after that is scheduled.
        assertThat(h.numEventTimeTimers()).isEqualTo(1);
    }

    @Test
    void riskChangesRaiseAlertsFromLowAtTheEvaluationInstant() throws Exception {
        var h = harness();
        long at = BEGINNING + DAY / 2;
        h.processElement(busyNewcomer("service:x.com:2", at), at);
        // Judged once the watermark passes the evaluation instant, not on arrival.
        assertThat(h.getSideOutput(UserScoreFunction.ALERTS)).isNullOrEmpty();
        h.processWatermark(new Watermark(at));
        List<R4rAlert> alerts =
                h.getSideOutput(UserScoreFunction.ALERTS).stream().map(r -> r.getValue()).toList();
        // base 100·6/12 = 50, volume 1, age 1.4, penalty 2 + 2·(2/6): floor(73.17) = 73, high.
        assertThat(h.extractOutputValues().get(0).farmingScore).isEqualTo(73);
        assertThat(alerts).hasSize(1);
        assertThat(alerts.get(0).from).isEqualTo("low");
        assertThat(alerts.get(0).to).isEqualTo("high");
        assertThat(alerts.get(0).score).isEqualTo(73);
        assertThat(alerts.get(0).at).isEqualTo(at);
        assertThat(alerts.get(0).username).isEqualTo("alice");

        // At 2.4 days the multiplier drops to 1.25: 50·1.25 + 2.67 = 65.17 → 65, moderate.
        long change = BEGINNING + (long) (2.4 * DAY);
        h.processWatermark(new Watermark(change));
        List<R4rAlert> all =
                h.getSideOutput(UserScoreFunction.ALERTS).stream().map(r -> r.getValue()).toList();
        assertThat(all).hasSize(2);
        assertThat(all.get(1).from).isEqualTo("high");
        assertThat(all.get(1).to).isEqualTo("moderate");
        assertThat(all.get(1).at).isEqualTo(change);
    }

    @Test
    void aLevelOnlyOneArrivalOrderShowsRaisesNoAlert() throws Exception {
        var h = harness();
        long at = BEGINNING + DAY / 2;
        // First the busy pair arrives (high), then, before the watermark passes, a counterpart
        // whose
        // reviews dilute the ratio: only the settled level counts.
        h.processElement(busyNewcomer("service:x.com:2", at), at);
        PairContribution dilute = busyNewcomer("service:x.com:3", at - 1000);
        dilute.given = 0;
        dilute.received = 60;
        dilute.reciprocal = 0;
        dilute.quick = 0;
        dilute.reciprocalDiffMillisSum = 0;
        h.processElement(dilute, at - 1000);
        LeaderboardRow settled = h.extractOutputValues().get(1);
        assertThat(settled.riskLevel).isEqualTo("low");
        h.processWatermark(new Watermark(at));
        assertThat(h.getSideOutput(UserScoreFunction.ALERTS)).isNullOrEmpty();
    }

    @Test
    void noTimerWithoutReciprocity() throws Exception {
        var h = harness();
        PairContribution c = busyNewcomer("service:x.com:2", BEGINNING);
        c.reciprocal = 0;
        c.quick = 0;
        c.reciprocalDiffMillisSum = 0;
        h.processElement(c, BEGINNING);
        assertThat(h.extractOutputValues().get(0).farmingScore).isZero();
        // Only the alert check at the evaluation instant; no multiplier timer.
        assertThat(h.numEventTimeTimers()).isEqualTo(1);
        h.processWatermark(new Watermark(BEGINNING));
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void theEndOfABoundedInputChangesNoMultiplier() throws Exception {
        var h = harness();
        long at = BEGINNING + DAY / 2;
        h.processElement(busyNewcomer("service:x.com:2", at), at);
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(h.extractOutputValues()).hasSize(1);
    }

    @Test
    void contributionsOfSeveralCounterpartsAddUp() throws Exception {
        var h = harness();
        long at = BEGINNING + DAY;
        h.processElement(busyNewcomer("service:x.com:2", at), at);
        h.processElement(busyNewcomer("service:x.com:3", at + 1), at + 1);
        // A new state of the first pair replaces its contribution instead of adding to it.
        h.processElement(busyNewcomer("service:x.com:2", at + 2), at + 2);
        LeaderboardRow row = h.extractOutputValues().get(2);
        assertThat(row.reviewsGiven).isEqualTo(24);
        assertThat(row.reviewsReceived).isEqualTo(24);
        assertThat(row.reciprocalReviews).isEqualTo(12);
        assertThat(row.quickReciprocations).isEqualTo(4);
        assertThat(row.avgReciprocalTime).isEqualTo(1.0);
    }

    @Test
    void theV1BatchAlgorithmKeepsItsTwoDecimalScore() throws Exception {
        var h =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new UserScoreFunction(true), c -> c.userKey, Types.STRING);
        h.open();
        long at = BEGINNING + DAY / 2;
        h.processElement(busyNewcomer("service:x.com:2", at), at);
        LeaderboardRow row = h.extractOutputValues().get(0);
        R4rInputs in = new R4rInputs(12, 12, 6, 2, 6 * 3_600_000L, BEGINNING);
        // v1: no 65 cap, fixed penalty 3 at 33 % quick: 50 · 1.4 + 3 = 73.00.
        assertThat(row.farmingScoreExact).isEqualTo(R4rV1Batch.evaluateV1(in, at)).isEqualTo(73.0);
        assertThat(row.farmingScore).isEqualTo(73);
        assertThat(row.analysisVersion).isEqualTo("v1-batch");
        assertThat(row.riskLevel).isEqualTo("high");
    }
}
