package io.tally.pipeline.reviews.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.reviews.records.PairContribution;
import io.tally.pipeline.reviews.records.PairRow;
import io.tally.pipeline.reviews.records.Review;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * SPEC §3.1–§3.3 at the pair operator: the latest state of each review between two users, both
 * users' reciprocity from it, labels from the newest state, and an {@code r4r_pairs} version that
 * grows with every review processed.
 */
class PairFunctionTest {
    static final long MONDAY = 1_767_571_200_000L; // 2026-01-05T00:00:00Z
    static final long HOUR = 3_600_000L;

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

    static Review review(String id, String author, String subject, long ts, boolean archived) {
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
        h.processElement(new StreamRecord<>(review("r1", "ann", "bob", MONDAY, false), MONDAY));
        h.processElement(
                new StreamRecord<>(
                        review("r2", "bob", "ann", MONDAY + HOUR, false), MONDAY + HOUR));

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
        assertThat(h.numEventTimeTimers()).as("pairing needs no timer").isZero();
        h.close();
    }

    @Test
    void aRepeatChangesNothingButTheVersionAndAnArchivedStateLeavesThePairing() throws Exception {
        var h = harness();
        Review first = review("r1", "ann", "bob", MONDAY, false);
        h.processElement(new StreamRecord<>(first, MONDAY));
        h.processElement(new StreamRecord<>(first, MONDAY)); // the same state again
        h.processElement(
                new StreamRecord<>(review("r1", "ann", "bob", MONDAY + HOUR, true), MONDAY));

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
        Review a = review("r1", "ann", "bob", MONDAY, false);
        Review b = review("r2", "ann", "bob", MONDAY, false);
        assertThat(PairFunction.newer(a, b)).isSameAs(b);
        assertThat(PairFunction.newer(b, a)).isSameAs(b);
        assertThat(PairFunction.newer(null, a)).isSameAs(a);
    }
}
