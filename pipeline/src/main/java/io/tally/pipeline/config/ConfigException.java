package io.tally.pipeline.config;

/** A bad setting: the message is the one line the user sees. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
