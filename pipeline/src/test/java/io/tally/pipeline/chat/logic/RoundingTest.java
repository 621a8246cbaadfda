package io.tally.pipeline.chat.logic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RoundingTest {

    @ParameterizedTest(name = "[{index}] round1({0}) = {1}")
    @CsvSource({
        "0.0, 0.0",
        "0.04, 0.0",
        "0.05, 0.1",
        // .x5 boundaries round up in double arithmetic, whatever their binary value
        "0.15, 0.2",
        "0.25, 0.3",
        "0.35, 0.4",
        "1.05, 1.1",
        "1.45, 1.5",
        "2.45, 2.5",
        "2.675, 2.7",
        "2.449, 2.4",
        "3.5, 3.5",
        "33.333333333333336, 33.3", // 100.0 · 1 / 3
        "66.66666666666667, 66.7", // 100.0 · 2 / 3
        "100.0, 100.0",
        "250.0, 250.0", // emoji_usage_rate may exceed 100 (SPEC §2.8)
        // negative: half-up means towards +∞
        "-0.04, 0.0",
        "-0.05, 0.0",
        "-0.06, -0.1",
        "-0.15, -0.1",
        "-0.25, -0.2",
        "-1.25, -1.2",
    })
    void round1IsFloorOfTenXPlusAHalfOverTen(double x, double expected) {
        assertThat(Rounding.round1(x)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] roundHalfUp({0}) = {1}")
    @CsvSource({
        "0.0, 0",
        "0.4, 0",
        "0.5, 1",
        "1.5, 2",
        "2.5, 3",
        "2.4999, 2",
        "7.5, 8",
        "-0.4, 0",
        "-0.5, 0",
        "-1.5, -1",
        "-2.5, -2",
        "-2.6, -3",
    })
    void roundHalfUpIsFloorOfXPlusAHalf(double x, long expected) {
        assertThat(Rounding.roundHalfUp(x)).isEqualTo(expected);
    }

    @Test
    void followsTheSpecFormulaLiterallyWhereMathRoundDiffers() {
        // SPEC §2.12 says floor(x + 0.5); for the double just below 0.5 the sum rounds up to 1.0.
        // Math.round gives 0 here. A mean of counts cannot land on this value.
        assertThat(Rounding.roundHalfUp(0.49999999999999994)).isEqualTo(1);
    }

    @Test
    void roundsMeansOfCounts() {
        assertThat(Rounding.round1(5.0 / 3)).isEqualTo(1.7);
        assertThat(Rounding.round1(1.0 / 4)).isEqualTo(0.3);
        assertThat(Rounding.roundHalfUp(5.0 / 2)).isEqualTo(3);
        assertThat(Rounding.roundHalfUp(7.0 / 3)).isEqualTo(2);
    }
}
