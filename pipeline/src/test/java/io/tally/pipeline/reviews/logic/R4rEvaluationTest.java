package io.tally.pipeline.reviews.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.reviews.records.PairContribution;
import io.tally.pipeline.reviews.records.R4rAlert;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One user's evaluation: the sum over counterparts, the row (§3.3) and the alert rule (§3.5). */
class R4rEvaluationTest {
    static final long T0 = 1_790_812_800_000L; // 2026-10-01T00:00:00Z
    static final long DAY = R4rScore.MILLIS_PER_DAY;

    static PairContribution contribution(
            String counterpart, long given, long received, long reciprocal, long quick) {
        PairContribution c = new PairContribution();
        c.userKey = "service:x.com:u";
        c.counterpartKey = counterpart;
        c.given = given;
        c.received = received;
        c.reciprocal = reciprocal;
        c.quick = quick;
        c.reciprocalDiffMillisSum = reciprocal * 3_600_000L;
        c.earliest = T0;
        c.labelTs = T0;
        c.labelReviewId = "review-" + counterpart;
        c.username = "u-" + counterpart;
        c.name = "U " + counterpart;
        return c;
    }

    @Test
    void sumsTheCounterpartsAndScoresTheSum() {
        long at = T0 + 100 * DAY;
        R4rEvaluation e =
                R4rEvaluation.of(
                        List.of(contribution("v", 2, 2, 1, 0), contribution("w", 1, 2, 1, 1)),
                        at,
                        false);
        R4rInputs in = new R4rInputs(3, 4, 2, 1, 2 * 3_600_000L, T0);
        assertThat(e.inputs()).isEqualTo(in);
        assertThat(e.score()).isEqualTo(R4rScore.evaluate(in, at).score()).isEqualTo(50);
        assertThat(e.riskLevel()).isEqualTo("moderate");
        assertThat(e.avgReciprocalHours()).isEqualTo(1.0);
        assertThat(e.nextMultiplierChange()).isNull(); // older than 90 days: ×1 for good
        var row = e.row("service:x.com:u", false);
        assertThat(row.lastAnalyzed).isEqualTo(at);
        assertThat(row.version).isEqualTo(at);
        assertThat(row.analysisVersion).isEqualTo("tally-1");
        assertThat(row.reviewsGiven).isEqualTo(3);
    }

    @Test
    void theLabelComesFromTheNewestStateAndIgnoresContributionsWithoutOne() {
        PairContribution older = contribution("v", 1, 0, 0, 0);
        PairContribution newer = contribution("w", 0, 1, 0, 0);
        newer.labelTs = T0 + 1;
        PairContribution tieLargerId = contribution("x", 0, 1, 0, 0);
        tieLargerId.labelTs = T0 + 1;
        tieLargerId.labelReviewId = "review-z";
        PairContribution none = contribution("y", 0, 0, 0, 0);
        none.labelReviewId = null;
        none.labelTs = T0 + 2;
        none.username = null;
        R4rEvaluation e = R4rEvaluation.of(List.of(older, none, newer, tieLargerId), T0, false);
        assertThat(e.username()).isEqualTo("u-x");
        assertThat(R4rEvaluation.of(List.of(none), T0, false).username()).isNull();
    }

    @ParameterizedTest(name = "announced {0}, now {1} → alert {2}")
    @CsvSource({
        // A new user starts at low (SPEC §3.5): a first evaluation at low raises nothing.
        ",low,",
        ",moderate,low→moderate",
        "low,low,",
        "moderate,moderate,",
        "moderate,high,moderate→high",
        "high,low,high→low",
    })
    void anAlertWhenTheLevelDiffersFromTheOneLastAnnounced(
            String announced, String now, String expected) {
        // reciprocal 0 → 0, low; 1 of 2 received → 50, moderate; 50 of 50 → 65 · 1.2 = 78, high.
        PairContribution c =
                switch (now) {
                    case "low" -> contribution("v", 2, 2, 0, 0);
                    case "moderate" -> contribution("v", 2, 2, 1, 0);
                    default -> contribution("v", 50, 50, 50, 0);
                };
        R4rEvaluation e = R4rEvaluation.of(List.of(c), T0 + 100 * DAY, false);
        assertThat(e.riskLevel()).isEqualTo(now);
        R4rAlert alert = e.alertAfter("service:x.com:u", announced);
        if (expected == null) {
            assertThat(alert).isNull();
        } else {
            assertThat(alert.from + "→" + alert.to).isEqualTo(expected);
            assertThat(alert.at).isEqualTo(T0 + 100 * DAY);
            assertThat(alert.score).isEqualTo(e.score());
            assertThat(alert.username).isEqualTo("u-v");
        }
    }
}
