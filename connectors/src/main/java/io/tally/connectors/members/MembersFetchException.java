package io.tally.connectors.members;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A page of the members API could not be fetched. {@link #retryable()} says whether the same
 * request may succeed later (SPEC §4.2: HTTP 5xx and 429, timeouts, connection errors, a malformed
 * body) or never will (any other 4xx, a bad url or credential). The message names the request and
 * what went wrong, and never the secret (SPEC §4.1).
 */
public final class MembersFetchException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;
    private final Integer httpStatus;

    public MembersFetchException(String message, boolean retryable, Integer httpStatus) {
        this(message, retryable, httpStatus, null);
    }

    public MembersFetchException(
            String message, boolean retryable, Integer httpStatus, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.httpStatus = httpStatus;
    }

    /** True if the same request may succeed when tried again. */
    public boolean retryable() {
        return retryable;
    }

    /**
     * The HTTP status the server answered, or null if there was no answer (timeout, connection).
     */
    public Integer httpStatus() {
        return httpStatus;
    }

    /**
     * The {@code MembersFetchException} behind a failed future's throwable (looking through {@link
     * CompletionException} and {@link ExecutionException}), or null if it is something else.
     */
    public static MembersFetchException unwrap(Throwable t) {
        for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
            if (t instanceof MembersFetchException e) {
                return e;
            }
            if (!(t instanceof CompletionException) && !(t instanceof ExecutionException)) {
                return null;
            }
        }
        return null;
    }
}
