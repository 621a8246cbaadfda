package io.tally.pipeline.reviews;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.connectors.kafka.ParsedRecord;
import io.tally.connectors.kafka.ValidatingDeserializer;
import io.tally.pipeline.reviews.records.Review;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
}
