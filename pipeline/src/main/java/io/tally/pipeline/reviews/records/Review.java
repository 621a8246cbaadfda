package io.tally.pipeline.reviews.records;

/** One state of a review (SPEC §3.1): creation, edit, archive or unarchive. A Flink POJO. */
public class Review {
    public String id;
    public String authorKey;
    public String authorUsername;
    public String authorName;
    public String subjectKey;
    public String subjectUsername;
    public String subjectName;

    /** positive, neutral or negative. */
    public String sentiment;

    /** The review's creation time (every state of a review carries it), epoch ms. */
    public long ts;

    public boolean archived;

    public Review() {}

    /** The key of the unordered pair of users the review is between. */
    public String pairKey() {
        return authorKey.compareTo(subjectKey) < 0
                ? authorKey + '\u0000' + subjectKey
                : subjectKey + '\u0000' + authorKey;
    }

    public boolean isPositive() {
        return "positive".equals(sentiment);
    }
}
