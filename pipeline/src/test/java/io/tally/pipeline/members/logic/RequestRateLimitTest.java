package io.tally.pipeline.members.logic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SPEC §4.2: at most {@code members.requests-per-second} requests. Each line: the rate, the
 * processing times at which requests ask for a slot, the times they may go.
 */
class RequestRateLimitTest {
    @ParameterizedTest(name = "{0}/s, asked at {1}: sent at {2} ({3})")
    @CsvSource(
            delimiter = '|',
            value = {
                // rate   | asked at           | sent at            | rule
                "10       | 0 0 0              | 0 100 200          | 100 ms apart when all ask at once",
                "10       | 1000 1050 1100     | 1000 1100 1200     | a request too soon waits for its slot",
                "10       | 1000 1500          | 1000 1500          | a late request goes at once",
                "10       | 0 0 150            | 0 100 200          | slots are taken in the order asked",
                "3        | 0 0 0              | 0 334 668          | the spacing is rounded up: never more than the rate",
                "0.5      | 0 0                | 0 2000             | below one a second",
                "1000000  | 7 7 7              | 7 8 9              | at least 1 ms apart",
            })
    void requestsAreSpacedEvenly(double rate, String askedAt, String sentAt, String rule) {
        RequestRateLimit limit = new RequestRateLimit(rate);
        long[] sent = Arrays.stream(longs(askedAt)).map(limit::reserve).toArray();
        assertThat(sent).as(rule).containsExactly(longs(sentAt));
    }

    @ParameterizedTest(name = "{0}/s -> {1} ms")
    @CsvSource({"10, 100", "4, 250", "3, 334", "1, 1000", "1000, 1", "2000, 1"})
    void spacing(double rate, long spacingMillis) {
        assertThat(new RequestRateLimit(rate).spacingMillis()).isEqualTo(spacingMillis);
    }

    private static long[] longs(String s) {
        return Arrays.stream(s.trim().split("\\s+")).mapToLong(Long::parseLong).toArray();
    }
}
