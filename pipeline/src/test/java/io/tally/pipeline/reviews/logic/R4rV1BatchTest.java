package io.tally.pipeline.reviews.logic;

import static io.tally.pipeline.reviews.logic.R4rScore.MILLIS_PER_DAY;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class R4rV1BatchTest {

    private static final long AS_OF = 1_782_000_000_000L; // 2026-06-21T00:00:00Z

    /** Old and slow enough that the age multiplier is 1. */
    private static R4rInputs old(long reciprocal, long received, long quick) {
        return new R4rInputs(
                reciprocal, received, reciprocal, quick, 0, AS_OF - 1000 * MILLIS_PER_DAY);
    }

    @ParameterizedTest(name = "[{index}] C={0}, |R|={1} → {2}: {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                "0  | 5   | 0     | no reciprocal review",
                "1  | 3   | 33.33 | 2 decimals, down",
                "2  | 3   | 66.67 | 2 decimals, up; no 65 cap",
                "3  | 7   | 42.86 | 42.857",
                "1  | 16  | 6.25  | kept exactly",
                "7  | 10  | 70    | §3.2 would cap at 65",
                "9  | 10  | 90    | no cap",
                "10 | 10  | 100   | 100 · 1.05 = 105, capped at 100",
                "20 | 40  | 57.5  | 50 · 1.15 = 57.49999999999999 rounds to 57.5",
            })
    void scoreHasTwoDecimalsAndNoSixtyFiveCap(long c, long r, double expected, String rule) {
        assertThat(R4rV1Batch.evaluateV1(old(c, r, 0), AS_OF)).as(rule).isEqualTo(expected);
    }

    @Test
    void noReceivedReviewScoresZero() {
        assertThat(R4rV1Batch.evaluateV1(R4rInputs.EMPTY, AS_OF)).isZero();
        assertThat(R4rV1Batch.evaluateV1(new R4rInputs(5, 0, 0, 0, 0, AS_OF), AS_OF)).isZero();
    }

    @ParameterizedTest(name = "[{index}] Q={0}, C={1} → {2}")
    @CsvSource({
        "1, 1, 12.5", // no minimum Q in v1
        "4, 5, 12.5",
        "79, 100, 10",
        "3, 5, 10",
        "59, 100, 6.5",
        "2, 5, 6.5",
        "39, 100, 3",
        "1, 5, 3",
        "19, 100, 0",
        "0, 5, 0",
        "0, 0, 0",
    })
    void fixedPenaltiesByShareOfQuick(long q, long c, double expected) {
        assertThat(R4rV1Batch.penalty(q, c)).isEqualTo(expected);
    }

    @Test
    void multipliersAndPenaltyCombine() {
        // base 100·12/20 = 60, volume 1.05, 32 reviews in 5 days → rpd 6.4 → 1.25, Q 6 of 12 → 6.5
        // 60 · 1.05 · 1.25 + 6.5 = 85.25
        R4rInputs in = new R4rInputs(12, 20, 12, 6, 0, AS_OF - 5 * MILLIS_PER_DAY);
        assertThat(R4rV1Batch.evaluateV1(in, AS_OF)).isEqualTo(85.25);
        // base 100·1/8 = 12.5 + 12.5 (one quick of one)
        assertThat(R4rV1Batch.evaluateV1(old(1, 8, 1), AS_OF)).isEqualTo(25.0);
    }

    @ParameterizedTest(name = "[{index}] |diff| {0} ms quick: {1}")
    @CsvSource({
        "0, true",
        "1797120, true",
        "86400000, true",
        "86400001, false",
        "-86400000, true",
        "-86400001, false"
    })
    void quickIsAtMostTwentyFourHours(long diff, boolean quick) {
        assertThat(R4rV1Batch.isQuick(diff)).isEqualTo(quick);
    }

    @Test
    void anySentimentPairsWithTheNewestReceived() {
        long t0 = 1_751_035_884_000L;
        List<ReviewRef> given =
                List.of(new ReviewRef("g1", t0, false), new ReviewRef("g2", t0 + 1, true));
        List<ReviewRef> received =
                List.of(
                        new ReviewRef("r-old", t0 - 1000, true),
                        new ReviewRef("r-new", t0 + MILLIS_PER_DAY, false));
        // both pair with r-new (negative): diffs 24 h (quick, inclusive) and 24 h − 1 ms
        assertThat(R4rV1Batch.forUser(given, received))
                .isEqualTo(new R4rInputs(2, 2, 2, 2, 2 * MILLIS_PER_DAY - 1, t0 - 1000));
        // §3.2 pairs none of them
        assertThat(Reciprocity.forUser(given, received).reciprocal()).isZero();
        assertThat(R4rV1Batch.forUser(given, List.of()).reciprocal()).isZero();
    }
}
