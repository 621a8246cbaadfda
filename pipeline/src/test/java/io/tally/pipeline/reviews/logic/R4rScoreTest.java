package io.tally.pipeline.reviews.logic;

import static io.tally.pipeline.reviews.logic.R4rScore.MILLIS_PER_DAY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class R4rScoreTest {

    /** Evaluation instant of every fixture; the account age is set through {@code earliest}. */
    private static final long AS_OF = 1_782_000_000_000L; // 2026-06-21T00:00:00Z

    private static final long HOUR = 3_600_000L;

    /** An account old enough and slow enough that the age multiplier is 1 (rpd ≤ 2 at 90 days). */
    private static R4rInputs old(long given, long received, long reciprocal, long quick) {
        return new R4rInputs(given, received, reciprocal, quick, 0, AS_OF - 1000 * MILLIS_PER_DAY);
    }

    /** |G| + |R| = {@code reviews} (all received), first review {@code ageMillis} before AS_OF. */
    private static R4rInputs aged(long reviews, long ageMillis) {
        return new R4rInputs(0, reviews, 0, 0, 0, AS_OF - ageMillis);
    }

    // ---- score: base, 65 cap, rounding ----

    @ParameterizedTest(name = "[{index}] C={0}, |R|={1} → {2}: {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                "0  | 5   | 0  | no reciprocal review",
                "1  | 2   | 50 | 100·1/2",
                "1  | 3   | 33 | 33.33 rounds down",
                "1  | 8   | 13 | 12.5 rounds half-up",
                "3  | 8   | 38 | 37.5 rounds half-up",
                "1  | 16  | 6  | 6.25",
                "13 | 20  | 68 | base exactly 65 (not capped), × 1.05 = 68.25",
                "9  | 10  | 65 | 90 capped at 65, C = 9 has no volume bonus",
                "2  | 3   | 65 | 66.67 capped at 65",
                "20 | 40  | 57 | 50 · 1.15 = 57.49999999999999 in double: 57, not 58",
                "10 | 10  | 68 | 65 · 1.05 = 68.25",
                "20 | 20  | 75 | 65 · 1.15 = 74.75",
                "50 | 50  | 78 | 65 · 1.2 = 78",
                "20 | 200 | 12 | 10 · 1.15 = 11.5 exactly, half-up",
            })
    void scoreIsRoundedCappedBaseTimesVolume(long c, long r, int expected, String rule) {
        R4rResult result = R4rScore.evaluate(old(c, r, c, 0), AS_OF);
        assertThat(result.score()).as(rule).isEqualTo(expected);
    }

    @Test
    void fiftyTimesOnePointOneFiveIsBelowTheHalf() {
        // SPEC §3.2: the reference's double arithmetic, quoted as the SPEC's own example.
        assertThat(50 * 1.15).isEqualTo(57.49999999999999);
        assertThat(R4rScore.evaluate(old(20, 40, 20, 0), AS_OF))
                .isEqualTo(new R4rResult(57, "moderate", 0.0));
    }

    @Test
    void noReceivedReviewScoresZeroLowAndZeroHours() {
        R4rInputs onlyGiven = new R4rInputs(30, 0, 0, 0, 0, AS_OF - HOUR);
        assertThat(R4rScore.evaluate(onlyGiven, AS_OF)).isEqualTo(new R4rResult(0, "low", 0.0));
        assertThat(R4rScore.evaluate(R4rInputs.EMPTY, AS_OF))
                .isEqualTo(new R4rResult(0, "low", 0.0));
    }

    @Test
    void scoreIsCappedAtOneHundred() {
        // 65 · 1.2 · 1.4 + (10 + 5 · 1) = 124.2
        R4rInputs farm = new R4rInputs(60, 60, 60, 60, 60 * 1000L, AS_OF - MILLIS_PER_DAY);
        assertThat(R4rScore.ageMultiplier(farm, AS_OF)).isEqualTo(1.4);
        assertThat(R4rScore.evaluate(farm, AS_OF).score()).isEqualTo(100);
        assertThat(R4rScore.evaluate(farm, AS_OF).riskLevel()).isEqualTo("high");
    }

    @Test
    void allFactorsTogether() {
        // base min(100·12/20, 65) = 60, volume 1.05, age: 32 reviews in 5 days, rpd 6.4 → 1.25,
        // penalty Q/C = 6/12 = 0.5 → 5 + 1.5; 60 · 1.05 · 1.25 + 6.5 = 85.25 → 85
        R4rInputs in = new R4rInputs(12, 20, 12, 6, 12 * 2 * HOUR, AS_OF - 5 * MILLIS_PER_DAY);
        assertThat(R4rScore.evaluate(in, AS_OF)).isEqualTo(new R4rResult(85, "high", 2.0));
    }

    // ---- volume multiplier ----

    @ParameterizedTest(name = "[{index}] C={0} → ×{1}")
    @CsvSource({
        "0, 1",
        "1, 1",
        "9, 1",
        "10, 1.05",
        "19, 1.05",
        "20, 1.15",
        "49, 1.15",
        "50, 1.2",
        "1000, 1.2"
    })
    void volumeMultiplierByReciprocalCount(long c, double expected) {
        assertThat(R4rScore.volumeMultiplier(c)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] C={0}, |R|={1} → {2}")
    @CsvSource({
        "9,  30,  30", // 30 · 1
        "10, 30,  35", // 33.33 · 1.05 = 35.00000000000001
        "19, 30,  67", // 63.33 · 1.05 = 66.5, half-up
        "20, 40,  57", // 50 · 1.15 = 57.49999999999999
        "49, 100, 56", // 49 · 1.15 = 56.349999999999994
        "50, 100, 60", // 50 · 1.2
    })
    void volumeMultiplierEntersTheScore(long c, long r, int expected) {
        assertThat(R4rScore.evaluate(old(c, r, c, 0), AS_OF).score()).isEqualTo(expected);
    }

    // ---- age multiplier ----

    static Stream<Arguments> ageCases() {
        long day = MILLIS_PER_DAY;
        return Stream.of(
                // ageDays boundaries, rpd well above 10
                Arguments.of(400, 29_999 * day / 1000, 1.4, "ageDays 29.999, rpd 13.3"),
                Arguments.of(400, 30 * day - 1, 1.4, "1 ms before 30 days"),
                Arguments.of(400, 30 * day, 1.25, "ageDays 30 exactly is not < 30"),
                Arguments.of(400, 59_999 * day / 1000, 1.25, "ageDays 59.999"),
                Arguments.of(400, 60 * day, 1.1, "ageDays 60 exactly"),
                Arguments.of(400, 89_999 * day / 1000, 1.1, "ageDays 89.999"),
                Arguments.of(400, 90 * day, 1.0, "ageDays 90 exactly"),
                Arguments.of(400, 1000 * day, 1.0, "old account"),
                // rpd boundaries: exactly at the threshold is not above it
                Arguments.of(200, 20 * day, 1.25, "rpd 10 exactly, ageDays 20"),
                Arguments.of(201, 20 * day, 1.4, "rpd 10.05"),
                Arguments.of(200, 40 * day, 1.1, "rpd 5 exactly, ageDays 40"),
                Arguments.of(201, 40 * day, 1.25, "rpd 5.025"),
                Arguments.of(140, 70 * day, 1.0, "rpd 2 exactly, ageDays 70"),
                Arguments.of(141, 70 * day, 1.1, "rpd 2.014"),
                // younger than a day: rpd divides by 1
                Arguments.of(11, 0, 1.4, "11 reviews at age 0"),
                Arguments.of(10, day / 2, 1.25, "rpd 10 at half a day"),
                Arguments.of(11, day, 1.4, "rpd 11 at exactly one day"),
                Arguments.of(3, day / 2, 1.1, "rpd 3"),
                Arguments.of(2, day / 2, 1.0, "rpd 2"),
                // first match wins: fast but too old for 1.4 falls through to 1.25
                Arguments.of(1000, 45 * day, 1.25, "rpd 22 at 45 days"),
                Arguments.of(1000, 75 * day, 1.1, "rpd 13 at 75 days"));
    }

    @ParameterizedTest(name = "[{index}] {3}")
    @MethodSource("ageCases")
    void ageMultiplierFirstMatch(long reviews, long ageMillis, double expected, String rule) {
        assertThat(R4rScore.ageMultiplier(aged(reviews, ageMillis), AS_OF))
                .as(rule)
                .isEqualTo(expected);
    }

    @Test
    void ageMultiplierCountsGivenAndReceived() {
        // 6 given + 5 received in their first day: rpd 11 > 10
        R4rInputs in = new R4rInputs(6, 5, 0, 0, 0, AS_OF - HOUR);
        assertThat(R4rScore.ageMultiplier(in, AS_OF)).isEqualTo(1.4);
        assertThat(R4rScore.ageMultiplier(R4rInputs.EMPTY, AS_OF)).isEqualTo(1.0);
    }

    @Test
    void ageMultiplierEntersTheScore() {
        // base 50, volume 1.05 (C = 10), 1.4 → 73.5 → 74 (high); at 1.0 it would be 52.5 → 53
        R4rInputs young = new R4rInputs(10, 20, 10, 0, 0, AS_OF - HOUR);
        assertThat(R4rScore.evaluate(young, AS_OF).score()).isEqualTo(74);
        assertThat(R4rScore.evaluate(young, AS_OF + 1000 * MILLIS_PER_DAY).score()).isEqualTo(53);
    }

    // ---- penalty ----

    @ParameterizedTest(name = "[{index}] Q={0}, C={1} → {2}: {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                "0   | 0   | 0    | C = 0: ratio 0",
                "0   | 10  | 0    | no quick",
                "4   | 5   | 14   | ratio 0.8, Q ≥ 3: 10 + 5·0.8",
                "3   | 3   | 15   | ratio 1, Q = 3: 10 + 5",
                "2   | 2   | 8    | ratio 1 but Q = 2 < 3: falls to 5 + 3·1",
                "79  | 100 | 11.16| ratio 0.79: 8 + 4·0.79",
                "3   | 5   | 10.4 | ratio 0.6, Q = 3: 8 + 4·0.6",
                "2   | 3   | 7    | ratio 0.67 but Q = 2: 5 + 3·0.67",
                "59  | 100 | 6.77 | ratio 0.59: 5 + 3·0.59",
                "2   | 5   | 6.2  | ratio 0.4, Q = 2: 5 + 3·0.4",
                "1   | 1   | 0    | ratio 1 but Q = 1 < 2: nothing",
                "1   | 2   | 0    | ratio 0.5 but Q = 1",
                "39  | 100 | 2.78 | ratio 0.39: 2 + 2·0.39",
                "2   | 10  | 2.4  | ratio 0.2, Q = 2: 2 + 2·0.2",
                "1   | 5   | 0    | ratio 0.2 but Q = 1",
                "19  | 100 | 0    | ratio 0.19",
                "2   | 11  | 0    | ratio 0.18",
            })
    void penaltyBands(long q, long c, double expected, String rule) {
        assertThat(R4rScore.penalty(q, c)).as(rule).isCloseTo(expected, within(1e-9));
    }

    @Test
    void penaltyIsAddedBeforeRounding() {
        // base 100·5/50 = 10, ratio 0.4 with Q = 2: 10 + 6.2 = 16.2 → 16
        assertThat(R4rScore.evaluate(old(5, 50, 5, 2), AS_OF).score()).isEqualTo(16);
        // Q = 1: no penalty → 10
        assertThat(R4rScore.evaluate(old(5, 50, 5, 1), AS_OF).score()).isEqualTo(10);
        // base 100·3/30 = 10, Q = 3 of 3: 10 + 15 = 25
        assertThat(R4rScore.evaluate(old(3, 30, 3, 3), AS_OF).score()).isEqualTo(25);
        // base 100·5/200 = 2.5, ratio 0.6 with Q = 3: 2.5 + 10.4 = 12.9 → 13
        assertThat(R4rScore.evaluate(old(5, 200, 5, 3), AS_OF).score()).isEqualTo(13);
    }

    // ---- risk level ----

    @ParameterizedTest(name = "[{index}] {0} → {1}")
    @CsvSource({
        "0, low",
        "39, low",
        "40, moderate",
        "69, moderate",
        "70, high",
        "100, high",
        "39.99, low",
        "69.99, moderate"
    })
    void riskLevelFromTheScore(double score, String expected) {
        assertThat(R4rScore.riskLevel(score)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] C={0}, |R|={1} → {2} {3}")
    @CsvSource({
        "39, 100, 45, moderate",
        "2, 5, 40, moderate",
        "3, 8, 38, low",
        "14, 20, 68, moderate"
    })
    void riskLevelIsTakenFromTheIntegerScore(long c, long r, int score, String risk) {
        assertThat(R4rScore.evaluate(old(c, r, c, 0), AS_OF))
                .isEqualTo(new R4rResult(score, risk, 0));
    }

    @Test
    void riskFollowsTheRoundedScore() {
        // 30 reviews in 10 days: rpd 3 → 1.1; Q 4 of 10: 5 + 3·0.4
        R4rInputs in = new R4rInputs(10, 20, 10, 4, 0, AS_OF - 10 * MILLIS_PER_DAY);
        assertThat(R4rScore.ageMultiplier(in, AS_OF)).isEqualTo(1.1);
        // 50 · 1.05 · 1.1 + 6.2 = 63.95 → 64
        assertThat(R4rScore.evaluate(in, AS_OF)).isEqualTo(new R4rResult(64, "moderate", 0));
        // 69.5 rounds half-up into high: base 50, vol 1, age 1.25 → 62.5, penalty 7 (Q 2 of 3)
        R4rInputs edge = new R4rInputs(3, 6, 3, 2, 0, AS_OF - MILLIS_PER_DAY / 2);
        assertThat(R4rScore.evaluate(edge, AS_OF).score()).isEqualTo(70);
        assertThat(R4rScore.evaluate(edge, AS_OF).riskLevel()).isEqualTo("high");
    }

    // ---- quick ----

    @ParameterizedTest(name = "[{index}] |diff| {0} ms quick: {1}")
    @CsvSource({
        "0, true",
        "1797119, true",
        "1797120, false",
        "-1797119, true",
        "-1797120, false",
        "86400000, false"
    })
    void quickIsStrictlyBelowThreshold(long diff, boolean quick) {
        assertThat(R4rScore.isQuick(diff)).isEqualTo(quick);
    }

    @Test
    void quickThresholdIsThe0208DaysOfTheReference() {
        assertThat(R4rScore.QUICK_MILLIS).isEqualTo(Math.round(0.0208 * MILLIS_PER_DAY));
    }

    // ---- avg reciprocal hours ----

    @ParameterizedTest(name = "[{index}] Σ{0} ms over C={1} → {2} h")
    @CsvSource({
        "0, 0, 0",
        "5400000, 1, 1.5",
        "18000, 1, 0.01", // 0.005 h rounds half-up
        "17999, 1, 0", // 0.0049997 h
        "1797120, 1, 0.5", // 0.4992 h
        "10800001, 3, 1", // 1.0000001 h
        "3600000, 3, 0.33",
        "7200000, 3, 0.67",
        "86400000, 1, 24",
        "45000, 2, 0.01", // 22.5 s = 0.00625 h
    })
    void avgReciprocalHoursRoundedHalfUpToTwoDecimals(long sum, long c, double hours) {
        R4rInputs in = new R4rInputs(c, 10, c, 0, sum, AS_OF - 1000 * MILLIS_PER_DAY);
        assertThat(R4rScore.evaluate(in, AS_OF).avgReciprocalHours()).isEqualTo(hours);
    }

    // ---- next multiplier change (SPEC §3.4) ----

    @Test
    void nextChangeIsNullWhenTheScoreCannotDependOnTheMultiplier() {
        assertThat(R4rScore.nextMultiplierChange(R4rInputs.EMPTY, AS_OF)).isNull();
        R4rInputs noReceived = new R4rInputs(100, 0, 0, 0, 0, AS_OF);
        assertThat(R4rScore.nextMultiplierChange(noReceived, AS_OF)).isNull();
        R4rInputs noReciprocal = new R4rInputs(100, 100, 0, 0, 0, AS_OF);
        assertThat(R4rScore.nextMultiplierChange(noReciprocal, AS_OF)).isNull();
    }

    @Test
    void nextChangeWalksThroughTheMultipliers() {
        long e = AS_OF;
        // 100 given + 100 received, all reciprocal: rpd 200 from the start
        R4rInputs in = new R4rInputs(100, 100, 100, 0, 0, e);
        assertThat(R4rScore.ageMultiplier(in, e)).isEqualTo(1.4);
        // rpd falls to 10 at ageDays 20
        assertThat(R4rScore.nextMultiplierChange(in, e)).isEqualTo(e + 20 * MILLIS_PER_DAY);
        assertThat(R4rScore.ageMultiplier(in, e + 20 * MILLIS_PER_DAY)).isEqualTo(1.25);
        // rpd falls to 5 at ageDays 40
        assertThat(R4rScore.nextMultiplierChange(in, e + 20 * MILLIS_PER_DAY))
                .isEqualTo(e + 40 * MILLIS_PER_DAY);
        // rpd would fall to 2 at 100 days, but ageDays reaches 90 first
        assertThat(R4rScore.nextMultiplierChange(in, e + 40 * MILLIS_PER_DAY))
                .isEqualTo(e + 90 * MILLIS_PER_DAY);
        assertThat(R4rScore.nextMultiplierChange(in, e + 90 * MILLIS_PER_DAY)).isNull();
        assertThat(R4rScore.nextMultiplierChange(in, e + 5000 * MILLIS_PER_DAY)).isNull();
        // from an instant between two changes, the next one
        assertThat(R4rScore.nextMultiplierChange(in, e + 20 * MILLIS_PER_DAY - 1))
                .isEqualTo(e + 20 * MILLIS_PER_DAY);
    }

    @Test
    void nextChangeByAgeAlone() {
        // 2000 reviews: rpd stays above 10 past 90 days, so only ageDays moves the multiplier
        long e = AS_OF - MILLIS_PER_DAY;
        R4rInputs in = new R4rInputs(1000, 1000, 1, 0, 0, e);
        assertThat(R4rScore.nextMultiplierChange(in, AS_OF)).isEqualTo(e + 30 * MILLIS_PER_DAY);
        assertThat(R4rScore.nextMultiplierChange(in, e + 30 * MILLIS_PER_DAY))
                .isEqualTo(e + 60 * MILLIS_PER_DAY);
        assertThat(R4rScore.nextMultiplierChange(in, e + 60 * MILLIS_PER_DAY))
                .isEqualTo(e + 90 * MILLIS_PER_DAY);
        assertThat(R4rScore.nextMultiplierChange(in, e + 90 * MILLIS_PER_DAY)).isNull();
    }

    @Test
    void nextChangeSkipsFlipsThatDoNotChangeTheMultiplier() {
        // 5 reviews: rpd 5 on day one (not > 5), 1.1 until rpd reaches 2 at 2.5 days; the
        // ageDays 30 and 60 flips change nothing
        long e = AS_OF;
        R4rInputs in = new R4rInputs(2, 3, 1, 0, 0, e);
        assertThat(R4rScore.ageMultiplier(in, e)).isEqualTo(1.1);
        assertThat(R4rScore.nextMultiplierChange(in, e)).isEqualTo(e + 216_000_000L);
        // 3 reviews: rpd 3 until 1.5 days
        R4rInputs three = new R4rInputs(2, 1, 1, 0, 0, e);
        assertThat(R4rScore.nextMultiplierChange(three, e)).isEqualTo(e + 129_600_000L);
        // 2 reviews never have rpd > 2
        R4rInputs two = new R4rInputs(1, 1, 1, 0, 0, e);
        assertThat(R4rScore.nextMultiplierChange(two, e)).isNull();
    }

    @Test
    void nextChangeAgreesWithEvaluationAtRandomInputs() {
        Random random = new Random(20260621L);
        for (int i = 0; i < 20_000; i++) {
            long n = 1 + random.nextInt(random.nextBoolean() ? 30 : 3000);
            long received = 1 + (n > 1 ? random.nextInt((int) n) : 0);
            long given = n - received;
            if (given == 0) {
                given = 1;
            }
            long reciprocal = 1 + random.nextInt((int) given);
            long earliest = AS_OF - random.nextInt(1000) * MILLIS_PER_DAY + random.nextInt();
            R4rInputs in = new R4rInputs(given, received, reciprocal, 0, 0, earliest);
            long asOf = earliest + (long) (random.nextDouble() * 120 * MILLIS_PER_DAY);
            checkNextChange(in, asOf, random);
        }
    }

    @Test
    void nextChangeAgreesWithEvaluationNearEveryCandidate() {
        // asOf within a few ms of each real-number threshold, where double rounding bites
        Random random = new Random(7L);
        for (long n = 2; n <= 2500; n++) {
            long earliest = AS_OF + random.nextInt(1_000_000);
            R4rInputs in = new R4rInputs(n / 2, n - n / 2, 1, 0, 0, earliest);
            long[] thresholds = {
                30 * MILLIS_PER_DAY,
                60 * MILLIS_PER_DAY,
                90 * MILLIS_PER_DAY,
                n * 8_640_000L,
                n * 17_280_000L,
                n * 43_200_000L
            };
            for (long threshold : thresholds) {
                for (long delta = -3; delta <= 3; delta++) {
                    checkNextChange(in, earliest + threshold + delta, random);
                }
            }
            checkNextChange(in, earliest, random);
        }
    }

    private static void checkNextChange(R4rInputs in, long asOf, Random random) {
        double now = R4rScore.ageMultiplier(in, asOf);
        Long next = R4rScore.nextMultiplierChange(in, asOf);
        String what = in + " at " + asOf;
        long horizon = next == null ? asOf + 10_000 * MILLIS_PER_DAY : next;
        if (next != null) {
            assertThat(next).as(what).isGreaterThan(asOf);
            assertThat(R4rScore.ageMultiplier(in, next)).as(what).isNotEqualTo(now);
            assertThat(R4rScore.ageMultiplier(in, next - 1)).as(what).isEqualTo(now);
        } else {
            assertThat(R4rScore.ageMultiplier(in, horizon)).as(what).isEqualTo(now);
        }
        for (int s = 0; s < 20; s++) {
            long t = asOf + 1 + (long) (random.nextDouble() * (horizon - asOf - 1));
            if (t > asOf && t < horizon) {
                assertThat(R4rScore.ageMultiplier(in, t)).as(what + " sampled " + t).isEqualTo(now);
            }
        }
        if (next != null && next - asOf <= 2000) {
            for (long t = asOf + 1; t < next; t++) {
                assertThat(R4rScore.ageMultiplier(in, t)).as(what + " at " + t).isEqualTo(now);
            }
        }
        // the exact thresholds and their neighbours are where a change would hide
        long n = in.given() + in.received();
        long e = in.earliestMillis();
        long[] suspects = {
            e + 30 * MILLIS_PER_DAY,
            e + 60 * MILLIS_PER_DAY,
            e + 90 * MILLIS_PER_DAY,
            e + n * 8_640_000L,
            e + n * 17_280_000L,
            e + n * 43_200_000L
        };
        for (long suspect : suspects) {
            for (long t = suspect - 2; t <= suspect + 2; t++) {
                if (t > asOf && t < horizon) {
                    assertThat(R4rScore.ageMultiplier(in, t)).as(what + " at " + t).isEqualTo(now);
                }
            }
        }
    }
}
