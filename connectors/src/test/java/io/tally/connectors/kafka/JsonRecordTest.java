package io.tally.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SPEC §1.6 "values no table can hold": text fields and the range of {@code ts}. */
class JsonRecordTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final long NOW = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli();
    static final long ONE_DAY = Duration.ofDays(1).toMillis();

    static JsonRecord record(String json, long maxFutureMillis) throws Exception {
        return JsonRecord.of(MAPPER.readTree(json), NOW, maxFutureMillis);
    }

    /** The reason and error {@code check()} reports, or "ok". */
    static String outcome(JsonRecord r) {
        try {
            r.check();
            return "ok";
        } catch (BadRecordException e) {
            return e.reason().code() + ": " + e.getMessage();
        }
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"room\":\"pizza\"}|ok",
                "{\"room\":\"f\\u0000t\"}|bad-value: room: contains U+0000 (NUL), which PostgreSQL text cannot hold",
                "{\"room\":\"f\\ud800t\"}|bad-value: room: contains an unpaired surrogate (U+D800), which is not valid Unicode and PostgreSQL cannot store",
                "{\"room\":\"\\ud83d\\ude00\"}|ok",
                "{\"room\":\"aaaaaa\"}|bad-value: room: at most 5 characters, got 6",
                "{\"room\":7}|wrong-type: room: expected a string, got number 7",
                "{}|missing-field: room: required field is missing",
            })
    void requireTextChecksNulSurrogatesAndTheCap(String json, String expected) throws Exception {
        JsonRecord r = record(json, ONE_DAY);
        r.requireText("room", 5);
        assertThat(outcome(r)).isEqualTo(expected);
    }

    @Test
    void optionalTextFallsBackWhenAbsentAndChecksWhenPresent() throws Exception {
        JsonRecord absent = record("{\"room\":null}", ONE_DAY);
        assertThat(absent.optionalText("room", 5, "default")).isEqualTo("default");
        assertThat(outcome(absent)).isEqualTo("ok");

        JsonRecord nested = record("{\"source\":{\"url\":\"http://x/\\u0000\"}}", ONE_DAY);
        nested.optionalText("source.url", JsonRecord.NO_CAP, null);
        assertThat(outcome(nested))
                .isEqualTo(
                        "bad-value: source.url: contains U+0000 (NUL), which PostgreSQL text cannot hold");
    }

    @ParameterizedTest(name = "ts {0} → {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "0|ok",
                "253402300799999|ok",
                "\"1970-01-01T00:00:00Z\"|ok",
                "\"9999-12-31T23:59:59.999Z\"|ok",
                "-1|bad-timestamp: ts: expected an instant from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, got -1",
                "253402300800000|bad-timestamp: ts: expected an instant from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, got 253402300800000",
                "\"0000-01-01T00:00:00Z\"|bad-timestamp: ts: expected an instant from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, got \"0000-01-01T00:00:00Z\"",
                "\"1969-12-31T23:59:59.999Z\"|bad-timestamp: ts: expected an instant from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, got \"1969-12-31T23:59:59.999Z\"",
                "\"+10000-01-01T00:00:00Z\"|bad-timestamp: ts: expected an instant from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, got \"+10000-01-01T00:00:00Z\"",
                "\"10000-01-01T00:00:00Z\"|bad-timestamp: ts: expected epoch millis or ISO-8601 instant, got \"10000-01-01T00:00:00Z\"",
                "-9223372036854775808|bad-timestamp: ts: expected an instant from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, got -9223372036854775808",
            })
    void timestampsOutsideTheTablesRangeAreBadTimestamps(String ts, String expected)
            throws Exception {
        // A huge max-future: only the range is under test here.
        JsonRecord r = record("{\"ts\":" + ts + "}", Long.MAX_VALUE / 2);
        r.requireTimestamp("ts");
        assertThat(outcome(r)).isEqualTo(expected);
    }

    @Test
    void outOfRangeWinsOverFutureTimestamp() throws Exception {
        JsonRecord r = record("{\"ts\":\"+10000-01-01T00:00:00Z\"}", ONE_DAY);
        r.requireTimestamp("ts");
        assertThat(outcome(r)).startsWith("bad-timestamp: ");
        JsonRecord inRange = record("{\"ts\":\"9999-12-31T23:59:59.999Z\"}", ONE_DAY);
        inRange.requireTimestamp("ts");
        assertThat(outcome(inRange)).startsWith("future-timestamp: ");
    }

    @ParameterizedTest(name = "alias {0} → {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1719800000|1719800000000",
                "-1|bad-timestamp",
                "-9223372036854775808|bad-timestamp",
                "\"0000-01-01T00:00:00Z\"|bad-timestamp",
            })
    void aliasTimestampsHaveTheSameRange(String ts, String expected) throws Exception {
        JsonRecord r = record("{\"timestamp\":" + ts + "}", Long.MAX_VALUE / 2);
        Long millis = r.aliasTimestamp("timestamp");
        if (expected.equals("bad-timestamp")) {
            assertThat(millis).isNull();
            assertThatThrownBy(r::check)
                    .isInstanceOfSatisfying(
                            BadRecordException.class,
                            e -> assertThat(e.reason()).isEqualTo(BadRecordReason.BAD_TIMESTAMP));
        } else {
            assertThat(millis).isEqualTo(Long.parseLong(expected));
        }
    }

    @Test
    void errorsQuoteAtMostAHundredCharactersOfAHugeTimestamp() throws Exception {
        JsonRecord r = record("{\"ts\":\"" + "y".repeat(10_000) + "\"}", ONE_DAY);
        r.requireTimestamp("ts");
        assertThat(outcome(r).length()).isLessThan(200);
    }
}
