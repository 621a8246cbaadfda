package io.tally.pipeline.chat.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ActivitySummaryTest {

    /** 24 counts from "hour:count" pairs; every other hour is 0. */
    private static long[] counts(String pairs) {
        long[] counts = new long[24];
        if (!pairs.isBlank()) {
            for (String pair : pairs.trim().split("\\s+")) {
                String[] hc = pair.split(":");
                counts[Integer.parseInt(hc[0])] = Long.parseLong(hc[1]);
            }
        }
        return counts;
    }

    private static long[] everyHour(long... pattern) {
        long[] counts = new long[24];
        for (int h = 0; h < 24; h++) {
            counts[h] = pattern[h % pattern.length];
        }
        return counts;
    }

    @Test
    void isAllZeroWithoutMessages() {
        // SPEC §2.7: most_active_hour and every score are 0 when T = 0; least is 0 too.
        assertThat(ActivitySummary.of(new long[24]))
                .isEqualTo(new ActivitySummary(0, 0, 0, 0, 0, 0, 0.0, 0.0, 0.0));
    }

    @Test
    void oneMessage() {
        // Hour 5 is night. least is 0, not 5: a single hour holds all messages (reference
        // behaviour, SPEC §2.7). σ/μ = √23 ≈ 4.8, so 100 − 100·σ/μ < 0 and consistency is 0.
        assertThat(ActivitySummary.of(counts("5:1")))
                .isEqualTo(new ActivitySummary(5, 0, 0, 0, 0, 1, 100.0, 0.0, 0.0));
    }

    @ParameterizedTest(name = "[{index}] {0}: most {1}, least {2} — {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                "5:7              | 5  | 0  | one hour holds all messages: least is 0",
                "14:10            | 14 | 0  | one hour holds all messages: least is 0",
                "2:3 20:1         | 2  | 20 | least is the smallest non-zero count",
                "3:4 7:4 9:1      | 3  | 9  | a tie for most goes to the lowest hour",
                "4:1 9:1 10:5     | 10 | 4  | a tie for least goes to the lowest hour",
                "0:2 23:2         | 0  | 0  | two hours tied for both: lowest hour for both",
                "1:1 2:1 3:1 22:9 | 22 | 1  | zero hours are never least",
                "23:1 0:0 12:2    | 12 | 23 | hour 23 can be least",
            })
    void picksMostAndLeastActiveHours(String pairs, int most, int least, String rule) {
        ActivitySummary summary = ActivitySummary.of(counts(pairs));

        assertThat(summary.mostActiveHour()).as(rule).isEqualTo(most);
        assertThat(summary.leastActiveHour()).as(rule).isEqualTo(least);
    }

    @ParameterizedTest(name = "[{index}] hour {0} is {1}")
    @CsvSource({
        "0, night",
        "5, night",
        "6, morning",
        "11, morning",
        "12, afternoon",
        "17, afternoon",
        "18, evening",
        "23, evening",
    })
    void putsEachHourInItsPeriod(int hour, String period) {
        // SPEC §2.7: night 0–5, morning 6–11, afternoon 12–17, evening 18–23.
        ActivitySummary summary = ActivitySummary.of(counts(hour + ":3"));

        long[] byPeriod = {
            summary.nightMessages(),
            summary.morningMessages(),
            summary.afternoonMessages(),
            summary.eveningMessages()
        };
        int index =
                switch (period) {
                    case "night" -> 0;
                    case "morning" -> 1;
                    case "afternoon" -> 2;
                    default -> 3;
                };
        for (int i = 0; i < 4; i++) {
            assertThat(byPeriod[i]).isEqualTo(i == index ? 3 : 0);
        }
    }

    @ParameterizedTest(name = "[{index}] {0}: night owl {1}, early bird {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "0:1 6:2          | 33.3  | 66.7", // 100.0·1/3, 100.0·2/3
                "1:1 13:5         | 16.7  | 0.0", // 16.67
                "7:1 12:7         | 0.0   | 12.5", // 12.5 exactly
                "3:1 12:1 13:1 14:1 15:1 16:1 17:1 18:1 | 12.5 | 0.0",
                "2:1 12:199       | 0.5   | 0.0", // 0.5 exactly
                "2:1 12:999       | 0.1   | 0.0", // 0.1: round1 half-up at 0.1·… boundaries
                "2:1 12:2999      | 0.0   | 0.0", // 0.0333…
                "0:1 5:1 6:1 11:1 | 50.0  | 50.0",
            })
    void scoresNightOwlsAndEarlyBirdsAsPercentages(
            String pairs, double nightOwl, double earlyBird) {
        ActivitySummary summary = ActivitySummary.of(counts(pairs));

        assertThat(summary.nightOwlScore()).isEqualTo(nightOwl);
        assertThat(summary.earlyBirdScore()).isEqualTo(earlyBird);
    }

    @Test
    void evenActivityIsPerfectlyConsistent() {
        ActivitySummary summary = ActivitySummary.of(everyHour(1));

        // every hour ties: most and least are both the lowest hour, 0
        assertThat(summary).isEqualTo(new ActivitySummary(0, 0, 6, 6, 6, 6, 25.0, 25.0, 100.0));
    }

    @ParameterizedTest(name = "[{index}] {0} → {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1 3 | 50.0", // μ = 2, σ = 1
                "0 2 | 0.0", // μ = 1, σ = 1: exactly 0
                "0 0 0 4 | 0.0", // σ/μ = √3 > 1: clamped at 0
                "5 7 | 83.3", // μ = 6, σ = 1: 100 − 16.67
                "9 10 11 | 91.8", // μ = 10, σ = √(2/3) ≈ 0.8165: 100 − 8.165
            })
    void scoresConsistencyFromThePopulationStandardDeviation(String pattern, double expected) {
        long[] repeating =
                java.util.Arrays.stream(pattern.split(" ")).mapToLong(Long::parseLong).toArray();

        assertThat(ActivitySummary.of(everyHour(repeating)).consistencyScore()).isEqualTo(expected);
    }

    @Test
    void consistencyUsesThePopulationNotTheSampleDeviation() {
        // c_h = h: T = 276, μ = 11.5, population σ = √((24² − 1) / 12) ≈ 6.9222 → 39.8.
        // The sample σ (÷ 23) ≈ 7.0711 would give 38.5.
        long[] counts = new long[24];
        for (int h = 0; h < 24; h++) {
            counts[h] = h;
        }

        ActivitySummary summary = ActivitySummary.of(counts);

        assertThat(summary.consistencyScore()).isEqualTo(39.8);
        assertThat(summary.mostActiveHour()).isEqualTo(23);
        assertThat(summary.leastActiveHour()).isEqualTo(1); // hour 0 is zero, so never least
        assertThat(summary.nightMessages()).isEqualTo(15);
        assertThat(summary.morningMessages()).isEqualTo(51);
        assertThat(summary.afternoonMessages()).isEqualTo(87);
        assertThat(summary.eveningMessages()).isEqualTo(123);
        assertThat(summary.nightOwlScore()).isEqualTo(5.4); // 1500 / 276 = 5.43
        assertThat(summary.earlyBirdScore()).isEqualTo(18.5); // 5100 / 276 = 18.48
    }

    @Test
    void rejectsAnythingButTwentyFourCounts() {
        assertThatThrownBy(() -> ActivitySummary.of(new long[23]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
