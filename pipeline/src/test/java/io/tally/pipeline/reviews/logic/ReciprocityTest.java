package io.tally.pipeline.reviews.logic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReciprocityTest {

    private static final long T0 =
            1_751_035_884_000L; // 2025-06-27T14:51:24Z, the SPEC §3.1 example
    private static final long MINUTE = 60_000L;
    private static final long DAY = R4rScore.MILLIS_PER_DAY;

    /** Half the quick threshold, so some pairs are quick and some are not. */
    private static final long QUICK_STEP = R4rScore.QUICK_MILLIS / 2 + 1;

    private static ReviewRef positive(String id, long ts) {
        return new ReviewRef(id, ts, true);
    }

    private static ReviewRef notPositive(String id, long ts) {
        return new ReviewRef(id, ts, false);
    }

    @Test
    void noReviewsEitherWay() {
        assertThat(Reciprocity.forUser(List.of(), List.of())).isEqualTo(R4rInputs.EMPTY);
    }

    @Test
    void positiveBothWaysIsReciprocal() {
        R4rInputs a =
                Reciprocity.forUser(
                        List.of(positive("g", T0)), List.of(positive("r", T0 + 10 * MINUTE)));
        assertThat(a).isEqualTo(new R4rInputs(1, 1, 1, 1, 10 * MINUTE, T0));
    }

    @Test
    void noReceivedReviewIsNotReciprocal() {
        R4rInputs a = Reciprocity.forUser(List.of(positive("g", T0)), List.of());
        assertThat(a).isEqualTo(new R4rInputs(1, 0, 0, 0, 0, T0));
    }

    @Test
    void onlyReceivedCountsReceivedAndAge() {
        R4rInputs a = Reciprocity.forUser(List.of(), List.of(positive("r", T0)));
        assertThat(a).isEqualTo(new R4rInputs(0, 1, 0, 0, 0, T0));
    }

    @Test
    void severalGivenToTheSameSubjectAllPairWithTheNewestReceived() {
        List<ReviewRef> given =
                List.of(
                        positive("g1", T0),
                        positive("g2", T0 + 5 * MINUTE),
                        positive("g3", T0 + 3 * DAY));
        List<ReviewRef> received =
                List.of(positive("r-old", T0 - DAY), positive("r-new", T0 + 20 * MINUTE));
        R4rInputs a = Reciprocity.forUser(given, received);
        // diffs to r-new: 20 min (quick), 15 min (quick), 3 days − 20 min (not quick)
        long diffs = 20 * MINUTE + 15 * MINUTE + (3 * DAY - 20 * MINUTE);
        assertThat(a).isEqualTo(new R4rInputs(3, 2, 3, 2, diffs, T0 - DAY));
    }

    @Test
    void aNonPositiveNewestReceivedBlocksPairingEvenIfAnOlderOneIsPositive() {
        List<ReviewRef> received =
                List.of(positive("r-old", T0), notPositive("r-new", T0 + MINUTE));
        R4rInputs a = Reciprocity.forUser(List.of(positive("g", T0)), received);
        assertThat(a.reciprocal()).isZero();
        assertThat(a.received()).isEqualTo(2);
    }

    @Test
    void nonPositiveGivenIsNeverReciprocal() {
        // neutral and negative are both "not positive"
        List<ReviewRef> given = List.of(notPositive("g-neutral", T0), positive("g", T0 + MINUTE));
        R4rInputs a = Reciprocity.forUser(given, List.of(positive("r", T0)));
        assertThat(a).isEqualTo(new R4rInputs(2, 1, 1, 1, MINUTE, T0));
    }

    @ParameterizedTest(name = "[{index}] tie between {0} and {1}: {2} wins")
    @CsvSource({
        "review-a, review-b, review-b",
        "review-b, review-a, review-b",
        // string order, not numeric: "review-9" > "review-10"
        "review-9, review-10, review-9",
        "review-10, review-9, review-9",
    })
    void tieOnTsGoesToTheLargerIdAsAString(String first, String second, String winner) {
        // only the winner is positive: the pair is reciprocal iff the winner is chosen
        List<ReviewRef> received =
                List.of(
                        new ReviewRef(first, T0, first.equals(winner)),
                        new ReviewRef(second, T0, second.equals(winner)));
        R4rInputs a = Reciprocity.forUser(List.of(positive("g", T0)), received);
        assertThat(a.reciprocal()).isEqualTo(1);
    }

    @ParameterizedTest(name = "[{index}] |diff| {0} ms: quick {1}")
    @CsvSource({"0, 1", "1797119, 1", "1797120, 0", "-1797119, 1", "-1797120, 0"})
    void quickIsStrictlyBelow1797120Millis(long diff, long quick) {
        R4rInputs a =
                Reciprocity.forUser(List.of(positive("g", T0)), List.of(positive("r", T0 + diff)));
        assertThat(a.reciprocal()).isEqualTo(1);
        assertThat(a.quick()).isEqualTo(quick);
        assertThat(a.reciprocalDiffMillisSum()).isEqualTo(Math.abs(diff));
    }

    @Test
    void earliestIsTakenOverBothLists() {
        R4rInputs a =
                Reciprocity.forUser(
                        List.of(notPositive("g", T0)), List.of(notPositive("r", T0 - MINUTE)));
        assertThat(a.earliestMillis()).isEqualTo(T0 - MINUTE);
    }

    /** One active review of the whole stream. */
    private record Review(String id, String author, String subject, long ts, boolean positive) {
        ReviewRef ref() {
            return new ReviewRef(id, ts, positive);
        }
    }

    /**
     * Summing per-counterpart shares gives the SPEC §3.2 totals, computed here straight from the
     * definitions over all of a user's reviews.
     */
    @Test
    void perCounterpartSharesAddUpToTheSpecTotals() {
        Random random = new Random(42);
        long reciprocalSeen = 0;
        long quickSeen = 0;
        List<String> users = List.of("service:x.com:1", "service:x.com:2", "Ωmega", "ß", "e", "f");
        for (int round = 0; round < 300; round++) {
            List<Review> reviews = new ArrayList<>();
            int count = random.nextInt(60);
            for (int i = 0; i < count; i++) {
                String author = users.get(random.nextInt(users.size()));
                String subject = users.get(random.nextInt(users.size()));
                if (author.equals(subject)) {
                    continue; // SPEC §3.1: self-reviews are bad records
                }
                // few distinct timestamps so ties happen
                long ts = T0 + random.nextInt(8) * QUICK_STEP;
                reviews.add(
                        new Review(
                                "review-" + random.nextInt(20) + "-" + i,
                                author,
                                subject,
                                ts,
                                random.nextInt(3) != 0));
            }
            for (String u : users) {
                R4rInputs summed = R4rInputs.EMPTY;
                for (String v : users) {
                    if (v.equals(u)) {
                        continue;
                    }
                    summed =
                            summed.plus(
                                    Reciprocity.forUser(
                                            between(reviews, u, v), between(reviews, v, u)));
                }
                assertThat(summed).as("user %s in %s", u, reviews).isEqualTo(direct(reviews, u));
                reciprocalSeen += summed.reciprocal();
                quickSeen += summed.quick();
            }
        }
        // the random streams do exercise pairing, quick and not quick
        assertThat(reciprocalSeen).isGreaterThan(quickSeen).isGreaterThan(100);
    }

    private static List<ReviewRef> between(List<Review> reviews, String author, String subject) {
        return reviews.stream()
                .filter(r -> r.author().equals(author) && r.subject().equals(subject))
                .map(Review::ref)
                .toList();
    }

    /** SPEC §3.2 read literally, over all of u's reviews at once. */
    private static R4rInputs direct(List<Review> reviews, String u) {
        List<Review> g = reviews.stream().filter(r -> r.author().equals(u)).toList();
        List<Review> r = reviews.stream().filter(x -> x.subject().equals(u)).toList();
        long c = 0;
        long q = 0;
        long sum = 0;
        for (Review given : g) {
            Optional<Review> m =
                    r.stream()
                            .filter(x -> x.author().equals(given.subject()))
                            .max(Comparator.comparingLong(Review::ts).thenComparing(Review::id));
            if (m.isPresent() && given.positive() && m.get().positive()) {
                long diff = Math.abs(given.ts() - m.get().ts());
                c++;
                sum += diff;
                q += diff < 1_797_120L ? 1 : 0;
            }
        }
        long earliest =
                Stream.concat(g.stream(), r.stream())
                        .mapToLong(Review::ts)
                        .min()
                        .orElse(Long.MAX_VALUE);
        return new R4rInputs(g.size(), r.size(), c, q, sum, earliest);
    }
}
