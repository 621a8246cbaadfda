package io.tally.pipeline.reviews.logic;

import io.tally.pipeline.reviews.records.Review;
import java.util.ArrayList;
import java.util.List;

/**
 * What the reviews between two users a and b contribute to each of them (SPEC §3.2), from the
 * latest state of every review between them, optionally only those created at or before an instant.
 *
 * <p>The restriction is what makes a settled contribution a function of the input alone: the
 * reviews of a pair arrive from different Kafka partitions (keyed by review id), so the pair's
 * state after each arrival depends on how the partitions interleaved, but the reviews created at or
 * before T are the same in every run once the watermark has passed T (for input within the
 * out-of-orderness bound). Every state of a review carries its creation time (SPEC §3.1), so an
 * edit or archive never moves a review across T.
 */
public final class PairReviews {

    /**
     * One user's share: the counts from the counterpart, and the review state that labels the user
     * (null when no review is counted).
     */
    public record Share(String user, String counterpart, R4rInputs inputs, Review label) {}

    private PairReviews() {}

    /**
     * The shares of a and of b, in that order, from the reviews with {@code ts ≤ upTo} ({@link
     * Long#MAX_VALUE}: all of them).
     *
     * @param v1Batch pair under the older batch rules (any sentiment, quick ≤ 24 h, SPEC §3.3)
     */
    public static List<Share> shares(
            Iterable<Review> reviews, String a, String b, long upTo, boolean v1Batch) {
        List<ReviewRef> aToB = new ArrayList<>();
        List<ReviewRef> bToA = new ArrayList<>();
        Review label = null;
        for (Review x : reviews) {
            if (x.ts > upTo) {
                continue;
            }
            // Both users are named in every review between them: one label state serves both.
            label = newer(label, x);
            if (x.archived) {
                continue;
            }
            ReviewRef ref = new ReviewRef(x.id, x.ts, x.isPositive());
            (x.authorKey.equals(a) ? aToB : bToA).add(ref);
        }
        return List.of(
                new Share(a, b, pair(aToB, bToA, v1Batch), label),
                new Share(b, a, pair(bToA, aToB, v1Batch), label));
    }

    private static R4rInputs pair(List<ReviewRef> given, List<ReviewRef> received, boolean v1) {
        return v1 ? R4rV1Batch.forUser(given, received) : Reciprocity.forUser(given, received);
    }

    /** SPEC §3.3: labels come from the state with the largest ts (ties: larger review id). */
    public static Review newer(Review current, Review candidate) {
        if (current == null
                || candidate.ts > current.ts
                || (candidate.ts == current.ts && candidate.id.compareTo(current.id) > 0)) {
            return candidate;
        }
        return current;
    }
}
