package io.tally.pipeline.reviews.functions;

import static io.tally.pipeline.reviews.ReviewFixtures.A;
import static io.tally.pipeline.reviews.ReviewFixtures.B;
import static io.tally.pipeline.reviews.ReviewFixtures.MINUTE;
import static io.tally.pipeline.reviews.ReviewFixtures.T0;
import static io.tally.pipeline.reviews.ReviewFixtures.review;
import static io.tally.pipeline.reviews.ReviewFixtures.shortName;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.reviews.logic.PairReviews;
import io.tally.pipeline.reviews.records.PairContribution;
import io.tally.pipeline.reviews.records.PairContribution.CountsIn;
import io.tally.pipeline.reviews.records.PairRow;
import io.tally.pipeline.reviews.records.Review;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * SPEC §3.1–§3.3 at the pair operator: the latest state of each review between two users, both
 * users' reciprocity from it, labels from the newest state, and an {@code r4r_pairs} version that
 * grows with every review processed. Per pair of users: a current contribution for each user on
 * every review state, and a settled one when the watermark passes a review's ts, counting only the
 * reviews created by then, so settled contributions do not depend on the order the pair's reviews
 * arrived in (issue 9).
 */
class PairFunctionTest {
    static final long AT_3 = T0 + 3 * MINUTE;
    static final long AT_5 = T0 + 5 * MINUTE;

    static KeyedOneInputStreamOperatorTestHarness<String, Review, PairContribution> harness()
            throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new PairFunction(false)),
                        Review::pairKey,
                        Types.STRING);
        h.open();
        return h;
    }

    static void send(
            KeyedOneInputStreamOperatorTestHarness<String, Review, PairContribution> h, Review r)
            throws Exception {
        h.processElement(r, r.ts);
    }

    /** A contribution in one line: what it counts in, whose, from whom, the counts, when. */
    static List<String> out(
            KeyedOneInputStreamOperatorTestHarness<String, Review, PairContribution> h,
            CountsIn countsIn) {
        return h.extractOutputValues().stream()
                .filter(c -> c.countsIn == countsIn)
                .map(PairFunctionTest::line)
                .toList();
    }

    static String line(PairContribution c) {
        return String.join(
                " ",
                shortName(c.userKey),
                "from",
                shortName(c.counterpartKey),
                "G" + c.given,
                "R" + c.received,
                "C" + c.reciprocal,
                "Q" + c.quick,
                c.username,
                "@" + (c.eventTime - T0) / MINUTE);
    }

    static Review given() {
        return review("g", A, B, AT_5, "positive");
    }

    static Review received() {
        return review("m", B, A, AT_3, "positive");
    }

    @Test
    void currentContributionsOnArrivalSettledOnesWhenTheWatermarkPassesTheirTs() throws Exception {
        var h = harness();
        send(h, given());
        assertThat(out(h, CountsIn.CURRENT))
                .containsExactly("a from b G1 R0 C0 Q0 a-g @5", "b from a G0 R1 C0 Q0 b-g @5");
        assertThat(out(h, CountsIn.SETTLED)).isEmpty();
        assertThat(h.numEventTimeTimers()).isEqualTo(1);
        assertThat(h.numKeyedStateEntries()).as("the review and the version").isEqualTo(2);

        h.processWatermark(new Watermark(AT_5));
        assertThat(out(h, CountsIn.SETTLED))
                .containsExactly("a from b G1 R0 C0 Q0 a-g @5", "b from a G0 R1 C0 Q0 b-g @5");
        assertThat(h.numEventTimeTimers()).isZero();
        // The pair's rows (r4r_pairs) come with the current contributions only.
        assertThat(h.getSideOutput(PairFunction.PAIRS)).hasSize(2);
    }

    @Test
    void settledContributionsDoNotDependOnTheOrderThePairsReviewsArrive() throws Exception {
        var newestFirst = harness();
        send(newestFirst, given());
        send(newestFirst, received());
        newestFirst.processWatermark(new Watermark(AT_5));

        var oldestFirst = harness();
        send(oldestFirst, received());
        send(oldestFirst, given());
        oldestFirst.processWatermark(new Watermark(AT_5));

        // The current contributions differ: the first review alone, then both.
        assertThat(out(newestFirst, CountsIn.CURRENT))
                .isNotEqualTo(out(oldestFirst, CountsIn.CURRENT));
        // The settled ones count the reviews created by each ts: m alone at 3, both at 5.
        List<String> settled =
                List.of(
                        "a from b G0 R1 C0 Q0 a-m @3",
                        "b from a G1 R0 C0 Q0 b-m @3",
                        "a from b G1 R1 C1 Q1 a-g @5",
                        "b from a G1 R1 C1 Q1 b-g @5");
        assertThat(out(newestFirst, CountsIn.SETTLED)).containsExactlyElementsOf(settled);
        assertThat(out(oldestFirst, CountsIn.SETTLED)).containsExactlyElementsOf(settled);
    }

    @Test
    void aLateReviewIsSettledAtOnceWithWhatTheWatermarkHasPassed() throws Exception {
        var h = harness();
        send(h, review("later", A, B, T0 + 60 * MINUTE, "positive"));
        h.processWatermark(new Watermark(AT_5));
        send(h, received()); // ts 3 minutes, the watermark is at 5: late
        assertThat(out(h, CountsIn.SETTLED))
                .as(
                        "the review of 60 minutes is not settled yet and does not count; stamped"
                                + " with the watermark, as it counts what the watermark passed")
                .containsExactlyInAnyOrder(
                        "a from b G0 R1 C0 Q0 a-m @5", "b from a G1 R0 C0 Q0 b-m @5");
        assertThat(h.numEventTimeTimers()).as("only the pending review's").isEqualTo(1);
    }

    @Test
    void theEndOfABoundedInputSettlesEveryReview() throws Exception {
        var h = harness();
        send(h, given());
        send(h, received());
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(out(h, CountsIn.SETTLED)).hasSize(4).endsWith("b from a G1 R1 C1 Q1 b-g @5");
    }

    // SPEC §3.1–§3.3: the latest state of each review, labels, the r4r_pairs version.

    static final long MONDAY = 1_767_571_200_000L; // 2026-01-05T00:00:00Z
    static final long HOUR = 3_600_000L;

    static Review state(String id, String author, String subject, long ts, boolean archived) {
        Review r = new Review();
        r.id = id;
        r.authorKey = author;
        r.authorUsername = author.toUpperCase();
        r.authorName = "name of " + author;
        r.subjectKey = subject;
        r.subjectUsername = subject.toUpperCase();
        r.subjectName = "name of " + subject;
        r.sentiment = "positive";
        r.ts = ts;
        r.archived = archived;
        return r;
    }

    @Test
    void aReviewBackWithinADayMakesBothUsersReciprocalAndQuick() throws Exception {
        var h = harness();
        h.processElement(new StreamRecord<>(state("r1", "ann", "bob", MONDAY, false), MONDAY));
        h.processElement(
                new StreamRecord<>(state("r2", "bob", "ann", MONDAY + HOUR, false), MONDAY + HOUR));

        List<PairContribution> out = h.extractOutputValues();
        assertThat(out).hasSize(4); // one per user per review
        // The author of the review comes first: bob wrote r2.
        PairContribution bob = out.get(2);
        PairContribution ann = out.get(3);
        assertThat(ann.userKey + "→" + ann.counterpartKey).isEqualTo("ann→bob");
        assertThat(bob.userKey + "→" + bob.counterpartKey).isEqualTo("bob→ann");
        assertThat(List.of(ann.given, ann.received, bob.given, bob.received))
                .containsExactly(1L, 1L, 1L, 1L);
        assertThat(ann.reciprocal).isEqualTo(1);
        assertThat(bob.reciprocal).isEqualTo(1);
        assertThat(ann.labelReviewId).as("labels from the newest state").isEqualTo("r2");
        assertThat(ann.username).isEqualTo("ANN");
        assertThat(bob.username).isEqualTo("BOB");
        // The pair's review map and its version: one key, two state entries.
        assertThat(h.numKeyedStateEntries()).isEqualTo(2);
        assertThat(h.numEventTimeTimers())
                .as("one per review ts, to send the settled contributions")
                .isEqualTo(2);
        h.close();
    }

    @Test
    void aRepeatChangesNothingButTheVersionAndAnArchivedStateLeavesThePairing() throws Exception {
        var h = harness();
        Review first = state("r1", "ann", "bob", MONDAY, false);
        h.processElement(new StreamRecord<>(first, MONDAY));
        h.processElement(new StreamRecord<>(first, MONDAY)); // the same state again
        h.processElement(
                new StreamRecord<>(state("r1", "ann", "bob", MONDAY + HOUR, true), MONDAY));

        List<PairContribution> out = h.extractOutputValues();
        assertThat(out)
                .extracting(c -> c.userKey + " given " + c.given)
                .containsExactly(
                        "ann given 1", "bob given 0",
                        "ann given 1", "bob given 0",
                        "ann given 0", "bob given 0");
        List<PairRow> pairs =
                h.getSideOutput(PairFunction.PAIRS).stream().map(StreamRecord::getValue).toList();
        assertThat(pairs).extracting(p -> p.version).containsExactly(1L, 1L, 2L, 2L, 3L, 3L);
        // The archived state replaced the first (given 0 above), it was not added beside it.
        assertThat(h.numKeyedStateEntries()).isEqualTo(2);
        h.close();
    }

    @Test
    void labelsTieBreakOnTheLargerReviewId() {
        Review a = state("r1", "ann", "bob", MONDAY, false);
        Review b = state("r2", "ann", "bob", MONDAY, false);
        assertThat(PairReviews.newer(a, b)).isSameAs(b);
        assertThat(PairReviews.newer(b, a)).isSameAs(b);
        assertThat(PairReviews.newer(null, a)).isSameAs(a);
    }
}
