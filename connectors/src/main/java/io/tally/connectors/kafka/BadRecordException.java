package io.tally.connectors.kafka;

/** A record that cannot be accepted, with the SPEC §1.6 reason and a sentence saying where. */
public final class BadRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    private final BadRecordReason reason;

    public BadRecordException(BadRecordReason reason, String error) {
        super(error, null, false, false);
        this.reason = reason;
    }

    public BadRecordReason reason() {
        return reason;
    }
}
