package io.tally.pipeline.chat.logic;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HourlyActivityTest {

    @Test
    void isEmptyBeforeTheFirstMessage() {
        HourlyActivity hour = new HourlyActivity();

        assertThat(hour.messageCount).isZero();
        assertThat(hour.wordCount).isZero();
        assertThat(hour.totalCodePoints).isZero();
        assertThat(hour.avgMessageLength()).isZero();
    }

    @Test
    void sumsCountsWordsAndLengths() {
        HourlyActivity hour = new HourlyActivity();

        hour.add(2, 11); // "hello world"
        hour.add(1, 8); // "hi😀there"
        hour.add(0, 0); // an empty message still counts

        assertThat(hour.messageCount).isEqualTo(3);
        assertThat(hour.wordCount).isEqualTo(3);
        assertThat(hour.totalCodePoints).isEqualTo(19);
        assertThat(hour.avgMessageLength()).isEqualTo(6); // 19 / 3 = 6.33…
    }

    @ParameterizedTest(name = "[{index}] lengths {0} → {1}")
    @CsvSource({
        "'1 0', 1", // 0.5 rounds up (SPEC §2.12)
        "'3 2', 3", // 2.5
        "'2 2 3', 2", // 2.33…
        "'2 3 3', 3", // 2.67
        "'5', 5",
        "'0 0', 0",
    })
    void roundsTheMeanLengthHalfUpToAnInteger(String lengths, long expected) {
        // SPEC §2.7: user_active_hours.avg_message_length is an integer, unlike §2.5's round1.
        HourlyActivity hour = new HourlyActivity();
        for (String length : lengths.split(" ")) {
            hour.add(1, Integer.parseInt(length));
        }

        assertThat(hour.avgMessageLength()).isEqualTo(expected);
    }

    @Test
    void isSerializedAsAPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(HourlyActivity.class);
    }
}
