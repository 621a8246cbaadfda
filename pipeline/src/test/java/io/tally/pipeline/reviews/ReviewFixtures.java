package io.tally.pipeline.reviews;

import io.tally.pipeline.reviews.records.Review;

/** Named instants, users and review states for the reviews tests. */
public final class ReviewFixtures {
    /** 2026-10-01T00:00:00Z. */
    public static final long T0 = 1_790_812_800_000L;

    public static final long MINUTE = 60_000L;
    public static final String A = "service:x.com:a";
    public static final String B = "service:x.com:b";
    public static final String X = "service:x.com:x";

    private ReviewFixtures() {}

    /**
     * A review state; each user's labels name the review ({@code a-g} is user a in review g), so a
     * test sees which state labelled whom.
     */
    public static Review review(
            String id, String author, String subject, long ts, String sentiment) {
        Review r = new Review();
        r.id = id;
        r.authorKey = author;
        r.authorUsername = shortName(author) + "-" + id;
        r.authorName = "Author " + id;
        r.subjectKey = subject;
        r.subjectUsername = shortName(subject) + "-" + id;
        r.subjectName = "Subject " + id;
        r.sentiment = sentiment;
        r.ts = ts;
        return r;
    }

    /** The last part of a userkey: {@code a} for {@code service:x.com:a}. */
    public static String shortName(String userkey) {
        return userkey.substring(userkey.lastIndexOf(':') + 1);
    }
}
