package io.tally.connectors.kafka;

import java.util.Locale;

/**
 * Why a record went to the dead-letter topic, in the order the checks apply (SPEC §1.6): when a
 * record has several problems, the one listed first wins.
 */
public enum BadRecordReason {
    TOO_LARGE,
    INVALID_UTF8,
    NOT_JSON,
    NOT_OBJECT,
    MISSING_FIELD,
    WRONG_TYPE,
    BAD_VALUE,
    BAD_TIMESTAMP,
    FUTURE_TIMESTAMP,
    SELF_REVIEW,
    TOO_LATE,
    /**
     * Not a Kafka record: a row the upsert sink wrote and PostgreSQL refused for its data (SPEC
     * §1.6 "last line of defence"); never produced by a validator, so it is checked last.
     */
    REJECTED_BY_DATABASE;

    /** The wire name, e.g. {@code missing-field}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
