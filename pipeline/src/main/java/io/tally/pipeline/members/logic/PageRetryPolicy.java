package io.tally.pipeline.members.logic;

import io.tally.connectors.members.MembersFetchException;
import java.util.concurrent.CompletionException;

/**
 * What a failed page request leads to (SPEC §4.2): a page that failed for a reason retrying can fix
 * (HTTP 5xx/429, a timeout, a malformed body) is requested again after an exponential backoff, up
 * to {@link #PAGE_RETRIES} times within an attempt; then the attempt fails and the job waits in the
 * queue as {@code retry}, to resume from its cursor; the {@link #MAX_ATTEMPTS}th attempt failing
 * fails the job. Anything else (an unknown credential, a url outside the allowed prefixes, HTTP
 * 3xx/4xx such as 401) fails the job at once: the same request would fail the same way.
 */
public final class PageRetryPolicy {
    public static final int MAX_ATTEMPTS = 4;
    public static final int PAGE_RETRIES = 3;
    public static final long BACKOFF_MILLIS = 200;

    /** What to do next. */
    public enum Action {
        /** Request the same page again after {@link Decision#delayMillis()}. */
        RETRY_PAGE,
        /** The attempt failed: back to the queue as {@code retry}. */
        RETRY_JOB,
        /** The job failed. */
        FAIL_JOB
    }

    /** An action and, for {@link Action#RETRY_PAGE}, its backoff (else 0). */
    public record Decision(Action action, long delayMillis) {}

    private PageRetryPolicy() {}

    /**
     * @param pageRetries retries of this page so far within the attempt
     * @param attempts attempts so far, this one included
     */
    public static Decision afterFailure(boolean retryable, int pageRetries, int attempts) {
        if (!retryable) {
            return new Decision(Action.FAIL_JOB, 0);
        }
        if (pageRetries < PAGE_RETRIES) {
            return new Decision(Action.RETRY_PAGE, BACKOFF_MILLIS << pageRetries);
        }
        return new Decision(attempts >= MAX_ATTEMPTS ? Action.FAIL_JOB : Action.RETRY_JOB, 0);
    }

    /** Whether retrying could fix {@code error}: only a fetch error that says so. */
    public static boolean retryable(Throwable error) {
        return error instanceof MembersFetchException e && e.retryable();
    }

    /** The failure behind a failed future's {@link CompletionException} wrappers. */
    public static Throwable cause(Throwable error) {
        while (error instanceof CompletionException && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }
}
