package io.tally.pipeline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.pipeline.testing.R4rBatchOracle.Evaluation;
import io.tally.pipeline.testing.ReviewStream.ReviewState;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The R4R oracle itself, checked on tiny hand-computed cases (SPEC §3.1–§3.3). */
class R4rBatchOracleTest {
    static final long DAY = 86_400_000L;
    static final long HOUR = 3_600_000L;
    static final long T = Instant.parse("2025-06-27T14:51:24Z").toEpochMilli();

    static final String A = "service:x.com:1415194711682285568";
    static final String B = "service:x.com:225037966";
    static final String C = "service:x.com:31337";

    static String name(String key) {
        return key.equals(A) ? "alice" : key.equals(B) ? "bob" : "u" + key.hashCode();
    }

    static ReviewState st(String id, String a, String s, String sentiment, long ts) {
        return st(id, a, s, sentiment, ts, false);
    }

    static ReviewState st(
            String id, String a, String s, String sentiment, long ts, boolean archived) {
        return new ReviewState(
                id,
                a,
                name(a),
                name(a) + " N",
                s,
                name(s),
                name(s) + " N",
                sentiment,
                ts,
                archived);
    }

    static List<String> row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c == null ? null : c.toString());
        }
        return r;
    }

    // ---- §3.2 on hand-computed cases ------------------------------------------------------------

    @Test
    void onePositivePairScores65Moderate() {
        R4rBatchOracle o =
                new R4rBatchOracle(
                        List.of(
                                st("review-1", A, B, "positive", T),
                                st("review-2", B, A, "positive", T + 60_000)));
        long asOf = T + 60_000;
        // G = R = C = Q = 1; base = min(100, 65) = 65; volume 1; ageDays < 1 → rpd = 2/1 = 2,
        // not > 2 → age 1; penalty 0 (Q < 2); floor(65 + 0 + 0.5) = 65. 60 s = 0.0167 h → 0.02.
        assertThat(o.rowAt(A, asOf))
                .isEqualTo(row(A, "alice", "alice N", 1, 1, 1, 65, "moderate", 1, "0.02"));
        assertThat(o.rowAt(B, asOf))
                .isEqualTo(row(B, "bob", "bob N", 1, 1, 1, 65, "moderate", 1, "0.02"));
        assertThat(o.userkeys()).containsExactly(A, B);
        assertThat(o.lastEventTime(A)).isEqualTo(T + 60_000);

        // A third event for A (a neutral review from C) → |G| + |R| = 3 within a day: rpd 3 > 2
        // and ageDays < 90 → 1.1. base = 100·1/2 = 50; 50 · 1 · 1.1 = 55.00000000000001 → 55.
        R4rBatchOracle o3 =
                new R4rBatchOracle(
                        List.of(
                                st("review-1", A, B, "positive", T),
                                st("review-2", B, A, "positive", T + 60_000),
                                st("review-3", C, A, "neutral", T + 120_000)));
        Evaluation e = o3.evaluate(A, T + 120_000);
        assertThat(e.age()).isEqualTo(1.1);
        assertThat(e.base()).isEqualTo(50.0);
        assertThat(e.score()).isEqualTo(55);
        assertThat(o3.rowAt(A, T + 120_000))
                .isEqualTo(row(A, "alice", "alice N", 1, 2, 1, 55, "moderate", 1, "0.02"));
        // C gave one, received none: |R| = 0 → all derived fields 0.
        assertThat(o3.rowAt(C, T + 120_000))
                .isEqualTo(row(C, name(C), name(C) + " N", 1, 0, 0, 0, "low", 0, "0.00"));
    }

    @Test
    void fiftyTimesOnePointOneFiveIsFiftySevenNotFiftyEight() {
        assertThat(50 * 1.15).isEqualTo(57.49999999999999);
        List<ReviewState> s = new ArrayList<>();
        int id = 1;
        for (int i = 0; i < 20; i++) {
            String p = "service:x.com:7000" + i;
            s.add(st("review-" + id++, A, p, "positive", T + i * HOUR));
            s.add(st("review-" + id++, p, A, "positive", T + i * HOUR + 2 * DAY)); // slow
        }
        for (int j = 0; j < 20; j++) {
            s.add(st("review-" + id++, "service:x.com:8000" + j, A, "neutral", T + j * HOUR));
        }
        R4rBatchOracle o = new R4rBatchOracle(s);
        long asOf = T + 100 * DAY; // ageDays 100 → age 1
        Evaluation e = o.evaluate(A, asOf);
        // C = 20, |R| = 40: base = 100·20/40 = 50; volume 1.15 (C ≥ 20); Q = 0 → penalty 0.
        assertThat(e.base()).isEqualTo(50.0);
        assertThat(e.volume()).isEqualTo(1.15);
        assertThat(e.age()).isEqualTo(1.0);
        assertThat(e.penalty()).isEqualTo(0.0);
        assertThat(e.score()).isEqualTo(57);
        assertThat(o.rowAt(A, asOf))
                .isEqualTo(row(A, "alice", "alice N", 20, 40, 20, 57, "moderate", 0, "48.00"));
    }

    @Test
    void noReceivedReviewsMeansZeroEverything() {
        R4rBatchOracle o =
                new R4rBatchOracle(
                        List.of(
                                st("review-1", A, B, "positive", T),
                                st("review-2", A, B, "positive", T + HOUR),
                                st("review-3", A, C, "negative", T + 2 * HOUR)));
        assertThat(o.rowAt(A, T + 2 * HOUR))
                .isEqualTo(row(A, "alice", "alice N", 3, 0, 0, 0, "low", 0, "0.00"));
        // B received two but gave none: C = 0 → base 0 → score floor(0 + 0.5) = 0.
        assertThat(o.rowAt(B, T + 2 * HOUR))
                .isEqualTo(row(B, "bob", "bob N", 0, 2, 0, 0, "low", 0, "0.00"));
        assertThat(o.highRiskR4rs(A, Map.of(B, 100, C, 100), 70)).isZero();
    }

    @Test
    void everyReviewToTheSameSubjectCounts() {
        long last = T + 2 * DAY + 1_000;
        R4rBatchOracle o =
                new R4rBatchOracle(
                        List.of(
                                st("review-1", A, B, "positive", T),
                                st("review-2", A, B, "positive", T + DAY),
                                st("review-3", A, B, "positive", T + 2 * DAY),
                                st("review-4", B, A, "positive", last)));
        // A: every g matches review-4 → C = 3; diffs 2d+1s, 1d+1s, 1s → Q = 1, mean 1d+1s =
        // 24.0003 h → 24.00. base min(300, 65) = 65; ageDays 2.00001 → rpd 4/2.00001 < 2 → 1.
        assertThat(o.rowAt(A, last))
                .isEqualTo(row(A, "alice", "alice N", 3, 1, 3, 65, "moderate", 1, "24.00"));
        // B: m(review-4) = the newest of A's three (review-3, 1 s apart) → C = Q = 1;
        // base = 100·1/3 = 33.333333333333336 → floor(33.83…) = 33; 1 s → 0.00 h.
        assertThat(o.evaluate(B, last).base()).isEqualTo(100.0 / 3);
        assertThat(o.rowAt(B, last))
                .isEqualTo(row(B, "bob", "bob N", 1, 3, 1, 33, "low", 1, "0.00"));
        // high_risk_r4rs counts distinct subjects: B once, though A has 3 reciprocal reviews of B.
        assertThat(o.highRiskR4rs(A, Map.of(B, 70), 70)).isEqualTo(1);
        assertThat(o.highRiskR4rs(A, Map.of(B, 69), 70)).isZero();
        assertThatThrownBy(() -> o.highRiskR4rs(A, Map.of(), 70))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tiesOnTsGoToTheLargerIdAsAString() {
        // "review-9" > "review-10" as strings (numerically the other way round).
        long t2 = T + 5 * 60_000;
        R4rBatchOracle negativeWins =
                new R4rBatchOracle(
                        List.of(
                                st("review-1", A, B, "positive", T),
                                st("review-10", B, A, "positive", t2),
                                st("review-9", B, A, "negative", t2)));
        // A: m(review-1) = review-9 (negative) → not reciprocal → C = 0 → score 0.
        assertThat(negativeWins.rowAt(A, t2))
                .isEqualTo(row(A, "alice", "alice N", 1, 2, 0, 0, "low", 0, "0.00"));
        // B: review-10 is positive and matches review-1 → C = 1 of |R| = 1 → 65; 5 min → 0.08.
        // G + R = 3 within a day → rpd 3 → age 1.1: 65 · 1 · 1.1 = 71.5 → 72, high.
        assertThat(negativeWins.rowAt(B, t2))
                .isEqualTo(row(B, "bob", "bob N", 2, 1, 1, 72, "high", 1, "0.08"));

        R4rBatchOracle positiveWins =
                new R4rBatchOracle(
                        List.of(
                                st("review-1", A, B, "positive", T),
                                st("review-10", B, A, "negative", t2),
                                st("review-9", B, A, "positive", t2)));
        // A: C = 1 of |R| = 2 → base 50 · 1 · 1.1 (rpd 3) = 55.00000000000001 → 55.
        assertThat(positiveWins.rowAt(A, t2))
                .isEqualTo(row(A, "alice", "alice N", 1, 2, 1, 55, "moderate", 1, "0.08"));
    }

    @Test
    void labelsComeFromTheLatestStateTiesToTheLargerId() {
        ReviewState older =
                new ReviewState(
                        "review-1", C, "cold", "C Old", A, "a0", "A0", "positive", T, false);
        ReviewState tie10 =
                new ReviewState(
                        "review-10",
                        A,
                        "a10",
                        "A10",
                        C,
                        "c10",
                        "C Ten",
                        "positive",
                        T + DAY,
                        false);
        ReviewState tie9 =
                new ReviewState(
                        "review-9", C, "c9", "C Nine", B, "b9", "B9", "neutral", T + DAY, true);
        R4rBatchOracle o = new R4rBatchOracle(List.of(older, tie9, tie10));
        // C: review-9 and review-10 share the largest ts; "review-9" is the larger string. It is
        // archived, which does not matter for labels.
        assertThat(o.rowAt(C, T + DAY).subList(0, 3)).containsExactly(C, "c9", "C Nine");
        // A: named by review-1 (T) and review-10 (T + DAY) → review-10.
        assertThat(o.rowAt(A, T + DAY).subList(0, 3)).containsExactly(A, "a10", "A10");
        // B appears only in an archived review: it still has a row, all zeros.
        assertThat(o.userkeys()).containsExactly(A, B, C);
        assertThat(o.rowAt(B, T + DAY)).isEqualTo(row(B, "b9", "B9", 0, 0, 0, 0, "low", 0, "0.00"));

        // A later state of the same id (an edit) at the same ts replaces the labels too.
        ReviewState tie9edit =
                new ReviewState(
                        "review-9", C, "c9b", "C Nine B", B, "b9", "B9", "neutral", T + DAY, true);
        R4rBatchOracle o2 = new R4rBatchOracle(List.of(older, tie9, tie10, tie9edit));
        assertThat(o2.rowAt(C, T + DAY).subList(1, 3)).containsExactly("c9b", "C Nine B");
    }

    @Test
    void archiveThenUnarchive() {
        ReviewState g = st("review-1", A, B, "positive", T);
        ReviewState m = st("review-2", B, A, "positive", T + HOUR);
        ReviewState mArchived = st("review-2", B, A, "positive", T + HOUR, true);
        long asOf = T + HOUR;

        R4rBatchOracle archived = new R4rBatchOracle(List.of(g, m, mArchived));
        assertThat(archived.rowAt(A, asOf))
                .isEqualTo(row(A, "alice", "alice N", 1, 0, 0, 0, "low", 0, "0.00"));
        assertThat(archived.rowAt(B, asOf))
                .isEqualTo(row(B, "bob", "bob N", 0, 1, 0, 0, "low", 0, "0.00"));

        R4rBatchOracle back = new R4rBatchOracle(List.of(g, m, mArchived, m));
        // 1 h apart: not quick; 1.00 h.
        assertThat(back.rowAt(A, asOf))
                .isEqualTo(row(A, "alice", "alice N", 1, 1, 1, 65, "moderate", 0, "1.00"));
        assertThat(back.riskAt(A, asOf)).isEqualTo("moderate");
    }

    @Test
    void anEditFlipsTheSentimentAndBack() {
        ReviewState g = st("review-1", A, B, "positive", T);
        ReviewState m = st("review-2", B, A, "positive", T + HOUR);
        ReviewState mNegative = st("review-2", B, A, "negative", T + HOUR);
        long asOf = T + HOUR;
        R4rBatchOracle flipped = new R4rBatchOracle(List.of(g, m, mNegative));
        assertThat(flipped.rowAt(A, asOf))
                .isEqualTo(row(A, "alice", "alice N", 1, 1, 0, 0, "low", 0, "0.00"));
        assertThat(flipped.rowAt(B, asOf))
                .isEqualTo(row(B, "bob", "bob N", 1, 1, 0, 0, "low", 0, "0.00"));
        R4rBatchOracle back = new R4rBatchOracle(List.of(g, m, mNegative, m, m));
        assertThat(back.rowAt(B, asOf))
                .isEqualTo(row(B, "bob", "bob N", 1, 1, 1, 65, "moderate", 0, "1.00"));
    }

    @Test
    void quickIsStrictlyBelow1797120Ms() {
        R4rBatchOracle quick =
                new R4rBatchOracle(
                        List.of(
                                st("review-1", A, B, "positive", T),
                                st("review-2", B, A, "positive", T + 1_797_119)));
        R4rBatchOracle notQuick =
                new R4rBatchOracle(
                        List.of(
                                st("review-1", A, B, "positive", T),
                                st("review-2", B, A, "positive", T + 1_797_120)));
        // 1 797 119 ms = 0.49920 h → 0.50 either way.
        assertThat(quick.rowAt(A, T + 1_797_119))
                .isEqualTo(row(A, "alice", "alice N", 1, 1, 1, 65, "moderate", 1, "0.50"));
        assertThat(notQuick.rowAt(A, T + 1_797_120))
                .isEqualTo(row(A, "alice", "alice N", 1, 1, 1, 65, "moderate", 0, "0.50"));
    }

    @Test
    void quickPenaltyChangesAtTheBoundary() {
        // A with three partners, each pair quick: C = Q = 3, ratio 1 → penalty 10 + 5 = 15.
        // |G| + |R| = 6 within a day → rpd 6 > 5 → 1.25: 65 · 1 · 1.25 + 15 = 96.25 → 96.
        String p1 = "service:x.com:1";
        String p2 = "service:x.com:2";
        String p3 = "service:x.com:3";
        List<ReviewState> s = new ArrayList<>();
        s.add(st("review-1", A, p1, "positive", T));
        s.add(st("review-2", p1, A, "positive", T + 60_000));
        s.add(st("review-3", A, p2, "positive", T));
        s.add(st("review-4", p2, A, "positive", T + 1_797_119));
        s.add(st("review-5", A, p3, "positive", T));
        s.add(st("review-6", p3, A, "positive", T + 1_000));
        long asOf = T + 1_797_120;
        assertThat(new R4rBatchOracle(s).evaluate(A, asOf).score()).isEqualTo(96);
        assertThat(new R4rBatchOracle(s).riskAt(A, asOf)).isEqualTo("high");
        // One pair exactly 1 797 120 ms apart: Q = 2, ratio 2/3 → not (≥ 0.6 and Q ≥ 3) → ≥ 0.4
        // and Q ≥ 2 → 5 + 3 · 0.6666666666666666 = 7.0; 81.25 + 7 = 88.25 → 88.
        s.set(3, st("review-4", p2, A, "positive", T + 1_797_120));
        Evaluation e = new R4rBatchOracle(s).evaluate(A, asOf);
        assertThat(e.quick()).isEqualTo(2);
        assertThat(e.penalty()).isEqualTo(7.0);
        assertThat(e.score()).isEqualTo(88);
    }

    @Test
    void ageMultiplierAroundThirtyDaysWithRpdJustOverTen() {
        // A: 20 reciprocal pairs (slow, 1 h), 81 more given (neutral), 180 more received
        // (neutral): |G| = 101, |R| = 200, C = 20, Q = 0; base = 100·20/200 = 10; volume 1.15.
        // 301 events: rpd = 301 / 29.99… = 10.03 > 10 → 1.4 just before day 30; 1.25 from it on.
        List<ReviewState> s = new ArrayList<>();
        int id = 1;
        for (int i = 0; i < 20; i++) {
            String p = "service:x.com:5000" + i;
            s.add(st("review-" + id++, A, p, "positive", T + i * 60_000));
            s.add(st("review-" + id++, p, A, "positive", T + i * 60_000 + HOUR));
        }
        for (int i = 0; i < 81; i++) {
            s.add(st("review-" + id++, A, "service:x.com:6000" + i, "neutral", T + i * 60_000));
        }
        for (int i = 0; i < 180; i++) {
            s.add(st("review-" + id++, "service:x.com:7000" + i, A, "neutral", T + i * 60_000));
        }
        R4rBatchOracle o = new R4rBatchOracle(s);
        Evaluation under = o.evaluate(A, T + 30 * DAY - 1);
        assertThat(under.ageDays()).isLessThan(30.0);
        assertThat(under.rpd()).isGreaterThan(10.0).isLessThan(10.1);
        assertThat(under.age()).isEqualTo(1.4);
        // 10 · 1.15 · 1.4 + 0.5 = 16.6 → 16
        assertThat(under.score()).isEqualTo(16);
        assertThat(o.rowAt(A, T + 30 * DAY - 1))
                .isEqualTo(row(A, "alice", "alice N", 101, 200, 20, 16, "low", 0, "1.00"));

        Evaluation at = o.evaluate(A, T + 30 * DAY);
        assertThat(at.ageDays()).isEqualTo(30.0);
        assertThat(at.age()).isEqualTo(1.25);
        // 10 · 1.15 · 1.25 + 0.5 = 14.875 → 14
        assertThat(at.score()).isEqualTo(14);
        assertThat(o.evaluate(A, T + 30 * DAY + 1).score()).isEqualTo(14);
    }

    @Test
    void rpdMustBeStrictlyAboveTen() {
        // Within a day (ageDays < 1 → divided by 1): A and B pair, A receives from 8 others.
        List<ReviewState> s = new ArrayList<>();
        s.add(st("review-1", A, B, "positive", T));
        s.add(st("review-2", B, A, "positive", T + HOUR));
        for (int i = 0; i < 8; i++) {
            s.add(st("review-w" + i, "service:x.com:900" + i, A, "neutral", T + i * 60_000));
        }
        // |G| + |R| = 1 + 9 = 10 → rpd 10, not > 10 → 1.25: 100/9 · 1.25 = 13.89 → 14.
        Evaluation ten = new R4rBatchOracle(s).evaluate(A, T + HOUR);
        assertThat(ten.rpd()).isEqualTo(10.0);
        assertThat(ten.age()).isEqualTo(1.25);
        assertThat(ten.score()).isEqualTo(14);
        // One more given (neutral): 11 → 1.4: 100/9 · 1.4 = 15.56 → 16.
        s.add(st("review-x", A, "service:x.com:42", "neutral", T));
        Evaluation eleven = new R4rBatchOracle(s).evaluate(A, T + HOUR);
        assertThat(eleven.age()).isEqualTo(1.4);
        assertThat(eleven.score()).isEqualTo(16);
    }

    @Test
    void volumeAndCapAndLargeC() {
        // 55 reciprocal partners, all quick: C = Q = 55 → volume 1.2; 65 · 1.2 · 1.4 + 15 > 100.
        List<ReviewState> s = new ArrayList<>();
        for (int i = 0; i < 55; i++) {
            String p = "service:x.com:4000" + i;
            s.add(st("review-a" + i, A, p, "positive", T + i * 1_000));
            s.add(st("review-b" + i, p, A, "positive", T + i * 1_000 + 500));
        }
        R4rBatchOracle o = new R4rBatchOracle(s);
        Evaluation e = o.evaluate(A, T + DAY);
        assertThat(e.volume()).isEqualTo(1.2);
        assertThat(e.age()).isEqualTo(1.4);
        assertThat(e.score()).isEqualTo(100);
        assertThat(o.rowAt(A, T + DAY))
                .isEqualTo(row(A, "alice", "alice N", 55, 55, 55, 100, "high", 55, "0.00"));
    }

    @Test
    void asOfBeforeTheLastEventOrAnUnknownUserIsAMistake() {
        R4rBatchOracle o = new R4rBatchOracle(List.of(st("review-1", A, B, "positive", T)));
        assertThatThrownBy(() -> o.rowAt(A, T - 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> o.rowAt(C, T)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void numericCellsHaveTwoDecimals() {
        assertThat(R4rBatchOracle.numeric2(0)).isEqualTo("0.00");
        assertThat(R4rBatchOracle.numeric2(125)).isEqualTo("1.25");
        assertThat(R4rBatchOracle.numeric2(1230)).isEqualTo("12.30");
        assertThat(R4rBatchOracle.numeric2(48000)).isEqualTo("480.00");
    }

    @Test
    void averageHoursRoundHalfUpExactly() {
        // 18 s = 0.005 h → 0.01; 522 s = 0.145 h → 0.15 (in doubles floor(100·0.145 + 0.5) = 14:
        // the decision is exact half-up, and such values are flagged, never generated).
        assertThat(R4rBatchOracle.avgCents(18_000, 1)).isEqualTo(1);
        assertThat(R4rBatchOracle.avgCents(17_999, 1)).isEqualTo(0);
        assertThat(R4rBatchOracle.avgCents(522_000, 1)).isEqualTo(15);
        assertThat(Math.floor(100 * (522_000.0 / 3_600_000.0) + 0.5)).isEqualTo(14.0);
        assertThat(R4rBatchOracle.avgCents(1_044_000, 2)).isEqualTo(15);
        assertThat(R4rBatchOracle.avgCents(0, 0)).isEqualTo(0);
        // Mean of 1 h and 2 h = 1.5 h → 1.50.
        assertThat(R4rBatchOracle.avgCents(3 * HOUR, 2)).isEqualTo(150);

        R4rBatchOracle o =
                new R4rBatchOracle(
                        List.of(
                                st("review-1", A, B, "positive", T),
                                st("review-2", B, A, "positive", T + 522_000)));
        assertThat(o.avgOnHalfCent(A)).isTrue();
        assertThat(o.rowAt(A, T + 522_000).get(9)).isEqualTo("0.15");
        R4rBatchOracle p =
                new R4rBatchOracle(
                        List.of(
                                st("review-1", A, B, "positive", T),
                                st("review-2", B, A, "positive", T + 523_000)));
        assertThat(p.avgOnHalfCent(A)).isFalse();
        assertThat(p.rowAt(A, T + 523_000).get(9)).isEqualTo("0.15");
    }

    // ---- the generator --------------------------------------------------------------------------

    static final long START = Instant.parse("2025-01-01T00:00:00Z").toEpochMilli();
    static final long SPAN = 180 * DAY;
    static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void generatorIsDeterministicPerSeed() {
        ReviewStream a = ReviewStream.generate(7, 30, 400, START, SPAN);
        ReviewStream b = ReviewStream.generate(7, 30, 400, START, SPAN);
        ReviewStream c = ReviewStream.generate(8, 30, 400, START, SPAN);
        assertThat(a.lines).isEqualTo(b.lines);
        assertThat(a.states).isEqualTo(b.states);
        assertThat(a.lines).isNotEqualTo(c.lines);
    }

    @Test
    void generatorLinesParseToTheirStatesAndBadLinesAreBad() throws Exception {
        for (long seed = 1; seed <= 5; seed++) {
            ReviewStream g = ReviewStream.generate(seed, 30, 400, START, SPAN);
            long now = System.currentTimeMillis();
            Set<String> bad = new HashSet<>(g.badLines);
            assertThat(g.lines).hasSize(g.states.size() + g.badLines.size());
            assertThat(g.badLines)
                    .anyMatch(l -> l.contains("\"great\""))
                    .anyMatch(l -> l.equals("this is not json"))
                    .anyMatch(l -> l.contains("review-bad-self"))
                    .anyMatch(l -> l.contains("review-bad-nosubject"));
            assertThat(ReviewStream.keyOf("this is not json")).isNull();

            // Every valid line, parsed by the §3.1 rules (written again here), is its state.
            int i = 0;
            int alias = 0;
            int epochSeconds = 0;
            for (String line : g.lines) {
                if (bad.contains(line)) {
                    continue;
                }
                ReviewState s = g.states.get(i++);
                assertThat(parse(line)).as(line).isEqualTo(s);
                assertThat(ReviewStream.keyOf(line)).isEqualTo(s.id());
                assertThat(s.ts()).isLessThanOrEqualTo(now).isGreaterThanOrEqualTo(START);
                assertThat(s.authorKey()).isNotEqualTo(s.subjectKey());
                JsonNode n = MAPPER.readTree(line);
                if (!n.path("sentiment").isTextual()) {
                    alias++;
                }
                for (String f : List.of("timestamp", "createdAt")) {
                    if (n.path(f).isIntegralNumber() && n.get(f).asLong() < 100_000_000_000L) {
                        epochSeconds++;
                    }
                }
            }
            assertThat(alias).isGreaterThan(20);
            assertThat(epochSeconds).isGreaterThan(5);

            // The states of one id share ts and parties; some ids have several states, some lines
            // are exact repeats.
            Map<String, List<ReviewState>> byId = new LinkedHashMap<>();
            for (ReviewState s : g.states) {
                byId.computeIfAbsent(s.id(), k -> new ArrayList<>()).add(s);
            }
            int edited = 0;
            for (List<ReviewState> chain : byId.values()) {
                for (ReviewState s : chain) {
                    assertThat(s.ts()).isEqualTo(chain.get(0).ts());
                    assertThat(s.authorKey()).isEqualTo(chain.get(0).authorKey());
                    assertThat(s.subjectKey()).isEqualTo(chain.get(0).subjectKey());
                }
                if (chain.stream().map(ReviewState::sentiment).distinct().count() > 1) {
                    edited++;
                }
            }
            assertThat(edited).isGreaterThan(5);
            assertThat(new HashSet<>(g.lines)).hasSizeLessThan(g.lines.size());

            // The oracle sees what the stream is meant to exercise.
            R4rBatchOracle o = new R4rBatchOracle(g.states);
            assertThat(o.userkeys()).doesNotContainAnyElementsOf(g.badOnlyUserkeys);
            assertThat(o.userkeys()).noneMatch(o::avgOnHalfCent);
            Map<Double, Integer> ages = new HashMap<>();
            int quick = 0;
            int slow = 0;
            int longSpan = 0;
            for (String u : o.userkeys()) {
                Evaluation e = o.evaluate(u, o.lastEventTime(u));
                ages.merge(e.age(), 1, Integer::sum);
                quick += e.quick();
                slow += e.reciprocal() - e.quick();
                if (e.ageDays() > 90) {
                    longSpan++;
                }
            }
            assertThat(ages).containsKeys(1.4, 1.0);
            assertThat(quick).isGreaterThan(10);
            assertThat(slow).isGreaterThan(10);
            assertThat(longSpan).isGreaterThan(2);
        }
    }

    @Test
    void generatorRefusesAFutureSpan() {
        assertThatThrownBy(
                        () ->
                                ReviewStream.generate(
                                        1, 30, 400, System.currentTimeMillis() - DAY, SPAN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** §3.1 for a valid line (canonical first, then aliases; null = absent), for the test above. */
    static ReviewState parse(String line) throws Exception {
        JsonNode n = MAPPER.readTree(line);
        JsonNode sentiment = n.path("sentiment");
        if (sentiment.isMissingNode() || sentiment.isNull()) {
            sentiment = n.path("data").path("score");
        }
        if (sentiment.isMissingNode() || sentiment.isNull()) {
            sentiment = n.path("content").path("rating");
        }
        Long ts = time(n.path("ts"), false);
        if (ts == null) {
            ts = time(n.path("timestamp"), true);
        }
        if (ts == null) {
            ts = time(n.path("createdAt"), true);
        }
        JsonNode a = n.get("author");
        JsonNode s = n.get("subject");
        return new ReviewState(
                n.get("id").asText(),
                a.get("userkey").asText(),
                a.get("username").asText(),
                a.get("name").asText(),
                s.get("userkey").asText(),
                s.get("username").asText(),
                s.get("name").asText(),
                sentiment.asText(),
                ts,
                n.path("archived").asBoolean(false));
    }

    static Long time(JsonNode t, boolean alias) {
        if (t.isMissingNode() || t.isNull()) {
            return null;
        }
        if (t.isIntegralNumber()) {
            long v = t.asLong();
            return alias && v < 100_000_000_000L ? v * 1000 : v;
        }
        return OffsetDateTime.parse(t.asText()).toInstant().toEpochMilli();
    }
}
