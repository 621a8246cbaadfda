package io.tally.pipeline.reviews;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.tally.connectors.kafka.ParsedRecord;
import io.tally.connectors.kafka.ValidatingDeserializer;
import io.tally.pipeline.reviews.records.Review;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** SPEC §3.1: the canonical review shape, the Ethos aliases, and the bad-record reasons. */
class ReviewValidatorTest {
    final ValidatingDeserializer<Review> deserializer =
            new ValidatingDeserializer<>(
                    new ReviewValidator(),
                    r -> r.ts,
                    Types.POJO(Review.class),
                    1 << 20,
                    Duration.ofDays(1));

    ParsedRecord<Review> parse(String json) {
        return deserializer.parse("reviews", 0, 0, null, json.getBytes(StandardCharsets.UTF_8));
    }

    static final String AUTHOR =
            "\"author\":{\"userkey\":\"service:x.com:1\",\"username\":\"alice\",\"name\":\"Alice\"}";
    static final String SUBJECT =
            "\"subject\":{\"userkey\":\"service:x.com:2\",\"username\":\"bob\",\"name\":\"Bob\"}";

    @Test
    void canonicalShape() {
        ParsedRecord<Review> r =
                parse(
                        "{\"id\":\"review-81234\","
                                + AUTHOR
                                + ","
                                + SUBJECT
                                + ",\"sentiment\":\"positive\",\"ts\":\"2025-06-27T14:51:24Z\",\"archived\":false}");
        assertThat(r.isValid()).isTrue();
        Review v = r.value;
        assertThat(v.id).isEqualTo("review-81234");
        assertThat(v.authorKey).isEqualTo("service:x.com:1");
        assertThat(v.subjectName).isEqualTo("Bob");
        assertThat(v.sentiment).isEqualTo("positive");
        assertThat(v.ts).isEqualTo(Instant.parse("2025-06-27T14:51:24Z").toEpochMilli());
        assertThat(v.archived).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "\"data\":{\"score\":\"negative\"},\"timestamp\":1751035884|negative|1751035884000",
                "\"content\":{\"rating\":\"neutral\"},\"createdAt\":1751035884000|neutral|1751035884000",
                "\"data\":{\"score\":\"positive\"},\"createdAt\":\"2025-06-27T14:51:24Z\"|positive|1751035884000",
                // The canonical field wins; null counts as absent.
                "\"sentiment\":\"negative\",\"data\":{\"score\":\"positive\"},\"ts\":1751035884000,\"timestamp\":1|negative|1751035884000",
                "\"sentiment\":null,\"data\":{\"score\":\"positive\"},\"ts\":null,\"timestamp\":1751035884|positive|1751035884000",
            })
    void ethosAliases(String fields, String sentiment, long ts) {
        ParsedRecord<Review> r =
                parse("{\"id\":\"r1\"," + AUTHOR + "," + SUBJECT + "," + fields + "}");
        assertThat(r.isValid()).as(r.deadLetter == null ? "" : r.deadLetter.error).isTrue();
        assertThat(r.value.sentiment).isEqualTo(sentiment);
        assertThat(r.value.ts).isEqualTo(ts);
        assertThat(r.value.archived).isFalse();
    }

    @ParameterizedTest(name = "{1}: {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"id\":\"r1\","
                        + "\"author\":{\"userkey\":\"k\"},\"subject\":{\"userkey\":\"k\"},\"sentiment\":\"positive\",\"ts\":1}|self-review",
                "{\"id\":\"r1\",\"author\":{\"userkey\":\"a\"},\"sentiment\":\"positive\",\"ts\":1}|missing-field",
                "{\"id\":\"r1\",\"author\":{\"userkey\":\"a\"},\"subject\":{\"userkey\":\"b\"},\"sentiment\":\"great\",\"ts\":1}|bad-value",
                "{\"id\":\"r1\",\"author\":{\"userkey\":\"a\"},\"subject\":{\"userkey\":\"b\"},\"ts\":1}|missing-field",
                "{\"id\":\"r1\",\"author\":{\"userkey\":\"a\"},\"subject\":{\"userkey\":\"b\"},\"sentiment\":\"positive\"}|missing-field",
                "{\"id\":\"r1\",\"author\":{\"userkey\":\"a\"},\"subject\":{\"userkey\":\"b\"},\"sentiment\":\"positive\",\"ts\":1,\"archived\":\"no\"}|wrong-type",
                "{\"id\":\"r1\",\"author\":\"a\",\"subject\":{\"userkey\":\"b\"},\"sentiment\":\"positive\",\"ts\":1}|missing-field",
                // A self-review with a bad sentiment: bad-value comes first in SPEC §1.6 order.
                "{\"id\":\"r1\",\"author\":{\"userkey\":\"k\"},\"subject\":{\"userkey\":\"k\"},\"sentiment\":\"meh\",\"ts\":1}|bad-value",
            })
    void badReviews(String json, String reason) {
        ParsedRecord<Review> r = parse(json);
        assertThat(r.isValid()).isFalse();
        assertThat(r.deadLetter.reason).isEqualTo(reason);
    }

    @Test
    void pairKeyIsTheSameInBothDirections() {
        Review ab =
                parse(
                                "{\"id\":\"r1\","
                                        + AUTHOR
                                        + ","
                                        + SUBJECT
                                        + ",\"sentiment\":\"positive\",\"ts\":1}")
                        .value;
        Review ba =
                parse(
                                "{\"id\":\"r2\",\"author\":{\"userkey\":\"service:x.com:2\"},\"subject\":{\"userkey\":\"service:x.com:1\"},\"sentiment\":\"positive\",\"ts\":1}")
                        .value;
        assertThat(ab.pairKey()).isEqualTo(ba.pairKey());
    }

    static final String NUL_ERROR = ": contains U+0000 (NUL), which PostgreSQL text cannot hold";
    static final String SURROGATE_ERROR =
            ": contains an unpaired surrogate (U+D800), which is not valid Unicode and PostgreSQL"
                    + " cannot store";
    static final String RANGE_ERROR =
            ": expected an instant from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, got ";

    /** A review whose strings are JSON string contents (escapes stay escapes). */
    static String review(
            String id, String authorKey, String authorName, String subjectKey, String time) {
        return "{\"id\":\""
                + id
                + "\",\"author\":{\"userkey\":\""
                + authorKey
                + "\",\"username\":\"alice\",\"name\":\""
                + authorName
                + "\"},\"subject\":{\"userkey\":\""
                + subjectKey
                + "\",\"username\":\"bob\"},\"sentiment\":\"positive\","
                + time
                + "}";
    }

    static final String TS = "\"ts\":1751035884000";

    static Stream<Arguments> valuesNoTableCanHold() {
        return Stream.of(
                arguments("good", review("r1", "k:a", "Alice", "k:b", TS), "ok"),
                arguments(
                        "keys and labels of 256",
                        review("i".repeat(256), "a".repeat(256), "n".repeat(256), "b", TS),
                        "ok"),
                arguments(
                        "id of 257",
                        review("i".repeat(257), "k:a", "Alice", "k:b", TS),
                        "bad-value: id: at most 256 characters, got 257"),
                arguments(
                        "NUL in author.userkey",
                        review("r1", "k:\\u0000a", "Alice", "k:b", TS),
                        "bad-value: author.userkey" + NUL_ERROR),
                arguments(
                        "surrogate in subject.userkey",
                        review("r1", "k:a", "Alice", "k:\\ud800", TS),
                        "bad-value: subject.userkey" + SURROGATE_ERROR),
                arguments(
                        "userkey of 5000",
                        review("r1", "k".repeat(5000), "Alice", "k:b", TS),
                        "bad-value: author.userkey: at most 256 characters, got 5000"),
                arguments(
                        "name label of 257",
                        review("r1", "k:a", "n".repeat(257), "k:b", TS),
                        "bad-value: author.name: at most 256 characters, got 257"),
                arguments(
                        "NUL in the name label",
                        review("r1", "k:a", "Al\\u0000ice", "k:b", TS),
                        "bad-value: author.name" + NUL_ERROR),
                arguments(
                        "ts in year 0",
                        review("r1", "k:a", "Alice", "k:b", "\"ts\":\"0000-01-01T00:00:00Z\""),
                        "bad-timestamp: ts" + RANGE_ERROR + "\"0000-01-01T00:00:00Z\""),
                arguments(
                        "Ethos timestamp (seconds) before 1970",
                        review("r1", "k:a", "Alice", "k:b", "\"timestamp\":-1"),
                        "bad-timestamp: timestamp" + RANGE_ERROR + "-1"),
                arguments(
                        "Ethos createdAt in year 10000",
                        review(
                                "r1",
                                "k:a",
                                "Alice",
                                "k:b",
                                "\"createdAt\":\"+10000-01-01T00:00:00Z\""),
                        "bad-timestamp: createdAt" + RANGE_ERROR + "\"+10000-01-01T00:00:00Z\""),
                // SPEC §1.6 order: bad-value before bad-timestamp before self-review.
                arguments(
                        "self-review with a NUL in the id",
                        review("r\\u0000", "k", "Alice", "k", TS),
                        "bad-value: id" + NUL_ERROR));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void valuesNoTableCanHold(String name, String json, String expected) {
        ParsedRecord<Review> r = parse(json);
        String outcome = r.isValid() ? "ok" : r.deadLetter.reason + ": " + r.deadLetter.error;
        assertThat(outcome).isEqualTo(expected);
    }
}
