package io.tally.pipeline.cli;

/**
 * A command that cannot go on, with the one line that says why and its exit code: SPEC §5.2 wants
 * one clear line and a non-zero exit, not a stack trace.
 */
class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int exitCode;

    CommandFailure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }
}
