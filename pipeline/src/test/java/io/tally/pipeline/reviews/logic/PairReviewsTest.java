package io.tally.pipeline.reviews.logic;

import static io.tally.pipeline.reviews.ReviewFixtures.A;
import static io.tally.pipeline.reviews.ReviewFixtures.B;
import static io.tally.pipeline.reviews.ReviewFixtures.MINUTE;
import static io.tally.pipeline.reviews.ReviewFixtures.T0;
import static io.tally.pipeline.reviews.ReviewFixtures.review;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.reviews.records.Review;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * SPEC §3.2 shares of a pair of users, from all its reviews or from those created by an instant.
 */
class PairReviewsTest {
    @Test
    void allReviewsGiveBothUsersTheirShareAndOneLabel() {
        List<Review> reviews =
                List.of(
                        review("g", A, B, T0 + 5 * MINUTE, "positive"),
                        review("m", B, A, T0 + 3 * MINUTE, "positive"));
        var shares = PairReviews.shares(reviews, A, B, Long.MAX_VALUE, false);
        assertThat(shares).extracting(PairReviews.Share::user).containsExactly(A, B);
        assertThat(shares.get(0).inputs())
                .isEqualTo(new R4rInputs(1, 1, 1, 1, 2 * MINUTE, T0 + 3 * MINUTE));
        assertThat(shares.get(1).inputs())
                .isEqualTo(new R4rInputs(1, 1, 1, 1, 2 * MINUTE, T0 + 3 * MINUTE));
        // SPEC §3.3: the newest state names both users.
        assertThat(shares).extracting(s -> s.label().id).containsExactly("g", "g");
    }

    @Test
    void onlyReviewsCreatedByTheInstantCount() {
        List<Review> reviews =
                List.of(
                        review("g", A, B, T0 + 5 * MINUTE, "positive"),
                        review("m", B, A, T0 + 3 * MINUTE, "positive"));
        // At 3 minutes only m exists: B gave one, A received one, nothing is reciprocal yet.
        var at3 = PairReviews.shares(reviews, A, B, T0 + 3 * MINUTE, false);
        assertThat(at3.get(0).inputs()).isEqualTo(new R4rInputs(0, 1, 0, 0, 0, T0 + 3 * MINUTE));
        assertThat(at3.get(1).inputs()).isEqualTo(new R4rInputs(1, 0, 0, 0, 0, T0 + 3 * MINUTE));
        assertThat(at3.get(0).label().id).isEqualTo("m");
        // Before any review: nothing, and no label.
        var before = PairReviews.shares(reviews, A, B, T0, false);
        assertThat(before).extracting(PairReviews.Share::inputs).containsOnly(R4rInputs.EMPTY);
        assertThat(before).extracting(PairReviews.Share::label).containsOnlyNulls();
    }

    @Test
    void archivedReviewsLabelButDoNotCount() {
        Review archived = review("g", A, B, T0 + 5 * MINUTE, "positive");
        archived.archived = true;
        var shares =
                PairReviews.shares(
                        List.of(archived, review("m", B, A, T0, "positive")),
                        A,
                        B,
                        Long.MAX_VALUE,
                        false);
        assertThat(shares.get(0).inputs()).isEqualTo(new R4rInputs(0, 1, 0, 0, 0, T0));
        assertThat(shares.get(0).label().id).isEqualTo("g");
    }

    @Test
    void theV1VariantPairsAnySentiment() {
        List<Review> reviews =
                List.of(
                        review("g", A, B, T0 + 5 * MINUTE, "negative"),
                        review("m", B, A, T0 + 3 * MINUTE, "neutral"));
        assertThat(
                        PairReviews.shares(reviews, A, B, Long.MAX_VALUE, false)
                                .get(0)
                                .inputs()
                                .reciprocal())
                .isZero();
        assertThat(
                        PairReviews.shares(reviews, A, B, Long.MAX_VALUE, true)
                                .get(0)
                                .inputs()
                                .reciprocal())
                .isEqualTo(1);
    }

    @Test
    void sharesDoNotDependOnTheOrderOfTheReviews() {
        Random random = new Random(9);
        List<Review> reviews = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            boolean aWrites = random.nextBoolean();
            // Ties on ts, so the label's id tie-break is exercised too.
            reviews.add(
                    review(
                            "r" + i,
                            aWrites ? A : B,
                            aWrites ? B : A,
                            T0 + random.nextInt(20) * MINUTE,
                            random.nextInt(3) == 0 ? "neutral" : "positive"));
        }
        for (long upTo = T0; upTo <= T0 + 20 * MINUTE; upTo += MINUTE) {
            var expected = PairReviews.shares(reviews, A, B, upTo, false);
            for (int shuffle = 0; shuffle < 5; shuffle++) {
                List<Review> order = new ArrayList<>(reviews);
                Collections.shuffle(order, random);
                assertThat(PairReviews.shares(order, A, B, upTo, false)).isEqualTo(expected);
            }
        }
    }
}
