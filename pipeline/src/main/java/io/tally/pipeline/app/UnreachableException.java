package io.tally.pipeline.app;

/** Kafka or PostgreSQL cannot be reached: the message is the one line the user sees. */
public final class UnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnreachableException(String message) {
        super(message);
    }
}
