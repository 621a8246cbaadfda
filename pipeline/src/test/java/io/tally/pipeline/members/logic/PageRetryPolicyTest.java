package io.tally.pipeline.members.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.connectors.members.MembersFetchException;
import io.tally.pipeline.members.logic.PageRetryPolicy.Action;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC §4.2: a failing page is retried with exponential backoff; then the attempt fails; a job has
 * up to 4 attempts. Errors retrying cannot fix fail the job at once.
 */
class PageRetryPolicyTest {
    @ParameterizedTest(name = "retryable {0}, page retries {1}, attempt {2}: {3} {4} ms")
    @CsvSource(
            delimiter = '|',
            value = {
                // retryable | page retries | attempt | action     | delay | rule
                "true        | 0            | 1       | RETRY_PAGE | 200   | first backoff",
                "true        | 1            | 1       | RETRY_PAGE | 400   | doubles",
                "true        | 2            | 1       | RETRY_PAGE | 800   | doubles again",
                "true        | 3            | 1       | RETRY_JOB  | 0     | the retries are used up: back to the queue",
                "true        | 3            | 3       | RETRY_JOB  | 0     | the 3rd attempt failing leaves a 4th",
                "true        | 3            | 4       | FAIL_JOB   | 0     | the 4th attempt failing fails the job",
                "true        | 0            | 4       | RETRY_PAGE | 200   | the last attempt still retries its pages",
                "false       | 0            | 1       | FAIL_JOB   | 0     | e.g. HTTP 401: at once",
                "false       | 3            | 1       | FAIL_JOB   | 0     | whatever the retries left",
            })
    void afterAFailedPage(
            boolean retryable,
            int pageRetries,
            int attempt,
            Action action,
            long delay,
            String rule) {
        assertThat(PageRetryPolicy.afterFailure(retryable, pageRetries, attempt))
                .as(rule)
                .isEqualTo(new PageRetryPolicy.Decision(action, delay));
    }

    static Stream<Arguments> errors() {
        MembersFetchException http503 = new MembersFetchException("HTTP 503", true, 503);
        MembersFetchException http401 = new MembersFetchException("HTTP 401", false, 401);
        return Stream.of(
                Arguments.of("5xx, 429, a timeout, a malformed body", http503, true),
                Arguments.of("3xx, 4xx", http401, false),
                Arguments.of("anything else", new IOException("broken"), false),
                Arguments.of(
                        "inside a failed future's wrapper",
                        new CompletionException(new CompletionException(http503)),
                        true),
                Arguments.of("a wrapper of nothing", new CompletionException(null), false));
    }

    @ParameterizedTest(name = "{0}: retryable {2}")
    @MethodSource("errors")
    void onlyAFetchErrorThatSaysSoIsRetryable(String what, Throwable error, boolean retryable) {
        assertThat(PageRetryPolicy.retryable(PageRetryPolicy.cause(error))).isEqualTo(retryable);
    }
}
