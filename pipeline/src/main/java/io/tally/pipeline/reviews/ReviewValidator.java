package io.tally.pipeline.reviews;

import io.tally.connectors.kafka.BadRecordReason;
import io.tally.connectors.kafka.JsonRecord;
import io.tally.connectors.kafka.RecordValidator;
import io.tally.connectors.kafka.TextRules;
import io.tally.pipeline.reviews.records.Review;
import java.util.Set;

/**
 * The field rules of a {@code reviews} record (SPEC §3.1): the canonical shape, and the Ethos
 * activity aliases (sentiment from {@code data.score} or {@code content.rating}, time from {@code
 * timestamp} or {@code createdAt}, where an integer below 10¹¹ is epoch seconds). The canonical
 * field wins; {@code null} counts as absent. A review of oneself is {@code self-review}.
 */
public final class ReviewValidator implements RecordValidator<Review> {
    private static final long serialVersionUID = 1L;

    static final Set<String> SENTIMENTS = Set.of("positive", "neutral", "negative");

    /** SPEC §1.6 cap of {@code id}, the userkeys and the username/name labels, in characters. */
    static final int MAX_CHARS = 256;

    @Override
    public Review read(JsonRecord json) {
        Review r = new Review();
        // SPEC §1.6: userkeys are the keys of leaderboard_scores, r4r_pairs and r4r_alerts, the
        // labels are leaderboard columns; none may hold U+0000 or an unpaired surrogate.
        r.id = json.requireText("id", MAX_CHARS);
        r.authorKey = json.requireText("author.userkey", MAX_CHARS);
        r.subjectKey = json.requireText("subject.userkey", MAX_CHARS);
        r.authorUsername = json.optionalText("author.username", MAX_CHARS, null);
        r.authorName = json.optionalText("author.name", MAX_CHARS, null);
        r.subjectUsername = json.optionalText("subject.username", MAX_CHARS, null);
        r.subjectName = json.optionalText("subject.name", MAX_CHARS, null);
        r.sentiment = sentiment(json);
        r.ts = timestamp(json);
        Boolean archived = json.optionalBoolean("archived", false);
        r.archived = archived != null && archived;
        if (r.id != null && r.id.isEmpty()) {
            json.problem(BadRecordReason.BAD_VALUE, "id: must not be empty");
        }
        if (r.authorKey != null && r.authorKey.equals(r.subjectKey)) {
            json.problem(
                    BadRecordReason.SELF_REVIEW,
                    "author.userkey and subject.userkey are both " + r.authorKey);
        }
        return r;
    }

    private static String sentiment(JsonRecord json) {
        String path =
                json.has("sentiment")
                        ? "sentiment"
                        : json.has("data.score")
                                ? "data.score"
                                : json.has("content.rating") ? "content.rating" : null;
        if (path == null) {
            json.problem(BadRecordReason.MISSING_FIELD, "sentiment: required field is missing");
            return null;
        }
        String s = json.requireString(path);
        if (s != null && !SENTIMENTS.contains(s)) {
            json.problem(
                    BadRecordReason.BAD_VALUE,
                    path
                            + ": expected positive, neutral or negative, got \""
                            + TextRules.shortened(s, 40)
                            + "\"");
        }
        return s;
    }

    private static long timestamp(JsonRecord json) {
        Long ts;
        if (json.has("ts")) {
            ts = json.requireTimestamp("ts");
        } else if (json.has("timestamp")) {
            ts = json.aliasTimestamp("timestamp");
        } else if (json.has("createdAt")) {
            ts = json.aliasTimestamp("createdAt");
        } else {
            json.problem(BadRecordReason.MISSING_FIELD, "ts: required field is missing");
            ts = null;
        }
        return ts == null ? Long.MIN_VALUE : ts;
    }
}
