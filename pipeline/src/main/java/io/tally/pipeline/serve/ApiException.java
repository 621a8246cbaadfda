package io.tally.pipeline.serve;

/**
 * A request the API answers with an error body of its path family (SPEC §6.1.6): the message is for
 * the client, so it never holds database details.
 */
final class ApiException extends RuntimeException {
    final int status;

    /** The {@code /api/v1} error code: VALIDATION_ERROR, NOT_FOUND or METHOD_NOT_ALLOWED. */
    final String code;

    ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, "VALIDATION_ERROR", message);
    }

    static ApiException notFound(String message) {
        return new ApiException(404, "NOT_FOUND", message);
    }
}
