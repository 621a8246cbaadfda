package io.tally.connectors.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Typed, validating access to the fields of one JSON object record.
 *
 * <p>Accessors never throw: they note each problem and return {@code null}, and {@link #check()}
 * then throws the problem whose reason comes first in SPEC §1.6 order, so a record missing one
 * field and carrying a bad timestamp in another is reported as {@code missing-field} whatever the
 * order of the accessor calls. Field names may be dotted paths ({@code author.userkey}).
 */
public final class JsonRecord {
    /** For {@link #requireText}/{@link #optionalText}: a string with no length cap. */
    public static final int NO_CAP = Integer.MAX_VALUE;

    /** SPEC §1.6: the earliest {@code ts} any table can hold, 1970-01-01T00:00:00Z. */
    public static final long MIN_TIMESTAMP_MILLIS = 0L;

    /** SPEC §1.6: the latest {@code ts}, 9999-12-31T23:59:59.999Z. */
    public static final long MAX_TIMESTAMP_MILLIS = 253_402_300_799_999L;

    private final JsonNode root;
    private final long nowMillis;
    private final long maxFutureMillis;
    private BadRecordReason worstReason;
    private String worstError;
    private String topic;
    private int partition;
    private long offset;

    JsonRecord(JsonNode root, long nowMillis, long maxFutureMillis) {
        this.root = root;
        this.nowMillis = nowMillis;
        this.maxFutureMillis = maxFutureMillis;
    }

    /** For validators and tests that hold a parsed node already. */
    public static JsonRecord of(JsonNode root, long nowMillis, long maxFutureMillis) {
        return new JsonRecord(root, nowMillis, maxFutureMillis);
    }

    /** Sets where the record was read from. */
    JsonRecord from(String topic, int partition, long offset) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        return this;
    }

    /** The Kafka topic the record was read from (null outside a source). */
    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    public long offset() {
        return offset;
    }

    /** The node at a dotted path; null when absent or JSON {@code null} (null counts as absent). */
    public JsonNode node(String path) {
        JsonNode n = root;
        for (String part : path.split("\\.")) {
            if (n == null || !n.isObject()) {
                return null;
            }
            n = n.get(part);
        }
        return n == null || n.isNull() ? null : n;
    }

    public boolean has(String path) {
        return node(path) != null;
    }

    /** A required string field. */
    public String requireString(String path) {
        JsonNode n = node(path);
        if (n == null) {
            problem(BadRecordReason.MISSING_FIELD, path + ": required field is missing");
            return null;
        }
        return stringOf(path, n);
    }

    /** An optional string field, {@code fallback} when absent. */
    public String optionalString(String path, String fallback) {
        JsonNode n = node(path);
        return n == null ? fallback : stringOf(path, n);
    }

    /**
     * A required string field that reaches a table (SPEC §1.6 "values no table can hold"): besides
     * its type, it must hold no U+0000 and no unpaired surrogate, and at most {@code maxChars}
     * characters (code points; {@link #NO_CAP} for none). Each violation is {@code bad-value}.
     */
    public String requireText(String path, int maxChars) {
        String s = requireString(path);
        checkText(path, s, maxChars);
        return s;
    }

    /**
     * An optional string field that reaches a table, {@code fallback} when absent; see {@link
     * #requireText}.
     */
    public String optionalText(String path, int maxChars, String fallback) {
        JsonNode n = node(path);
        if (n == null) {
            return fallback;
        }
        String s = stringOf(path, n);
        checkText(path, s, maxChars);
        return s;
    }

    /**
     * Notes a {@code bad-value} if {@code value} (may be null: nothing to check) cannot be stored
     * in a PostgreSQL {@code text} column as it is, or is longer than {@code maxChars} code points.
     * PostgreSQL rejects U+0000 outright (SQLSTATE 22021); PgJDBC turns an unpaired surrogate into
     * {@code ?}, so two distinct keys could collide in one batch (21000). Caps keep key columns
     * under the 2704-byte btree limit (54000). Any of these would fail the sink and, replayed, stop
     * the job for good.
     */
    public void checkText(String path, String value, int maxChars) {
        String why = TextRules.whyUnstorable(value, maxChars);
        if (why != null) {
            problem(BadRecordReason.BAD_VALUE, path + ": " + why);
        }
    }

    /** An optional boolean field, {@code fallback} when absent. */
    public Boolean optionalBoolean(String path, boolean fallback) {
        JsonNode n = node(path);
        if (n == null) {
            return fallback;
        }
        if (!n.isBoolean()) {
            problem(BadRecordReason.WRONG_TYPE, path + ": expected a boolean, got " + describe(n));
            return null;
        }
        return n.booleanValue();
    }

    /** An optional integer field, {@code fallback} when absent. */
    public Long optionalLong(String path, long fallback) {
        JsonNode n = node(path);
        if (n == null) {
            return fallback;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            problem(BadRecordReason.WRONG_TYPE, path + ": expected an integer, got " + describe(n));
            return null;
        }
        return n.longValue();
    }

    /**
     * A required event timestamp (SPEC §1.2): epoch milliseconds as a JSON integer, or an ISO-8601
     * instant string with an offset. Strings and numbers that do not parse are {@code
     * bad-timestamp}; other JSON types are {@code wrong-type}; more than {@code max-future} ahead
     * of the wall clock is {@code future-timestamp}.
     */
    public Long requireTimestamp(String path) {
        JsonNode n = node(path);
        if (n == null) {
            problem(BadRecordReason.MISSING_FIELD, path + ": required field is missing");
            return null;
        }
        return timestampOf(path, n, false);
    }

    /**
     * A timestamp in an alias field of the Ethos shape (SPEC §3.1): there an integer below 10¹¹ is
     * epoch seconds.
     */
    public Long aliasTimestamp(String path) {
        JsonNode n = node(path);
        return n == null ? null : timestampOf(path, n, true);
    }

    /** Notes a problem found by the caller (e.g. a value out of range). */
    public void problem(BadRecordReason reason, String error) {
        if (worstReason == null || reason.ordinal() < worstReason.ordinal()) {
            worstReason = reason;
            worstError = error;
        }
    }

    /** Throws the first problem in SPEC §1.6 order, if any was noted. */
    public void check() throws BadRecordException {
        if (worstReason != null) {
            throw new BadRecordException(worstReason, worstError);
        }
    }

    private String stringOf(String path, JsonNode n) {
        if (!n.isTextual()) {
            problem(BadRecordReason.WRONG_TYPE, path + ": expected a string, got " + describe(n));
            return null;
        }
        return n.textValue();
    }

    private Long timestampOf(String path, JsonNode n, boolean secondsBelow1e11) {
        long millis;
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            millis = n.longValue();
            // Not Math.abs: abs(Long.MIN_VALUE) is negative, and MIN_VALUE * 1000 wraps to 0.
            if (secondsBelow1e11 && millis > -100_000_000_000L && millis < 100_000_000_000L) {
                millis = millis * 1000;
            }
        } else if (n.isTextual()) {
            try {
                millis =
                        OffsetDateTime.parse(n.textValue(), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                                .toInstant()
                                .toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e) {
                badTimestamp(path, n);
                return null;
            }
        } else if (n.isNumber()) {
            badTimestamp(path, n);
            return null;
        } else {
            problem(
                    BadRecordReason.WRONG_TYPE,
                    path
                            + ": expected epoch millis or ISO-8601 instant, got "
                            + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
            return null;
        }
        if (millis < MIN_TIMESTAMP_MILLIS || millis > MAX_TIMESTAMP_MILLIS) {
            // SPEC §1.6: outside what the tables' TIMESTAMPTZ columns and the day arithmetic
            // accept; reported before (and instead of) future-timestamp, which comes later in
            // the §1.6 order.
            problem(
                    BadRecordReason.BAD_TIMESTAMP,
                    path
                            + ": expected an instant from 1970-01-01T00:00:00Z to"
                            + " 9999-12-31T23:59:59.999Z, got "
                            + shortened(n.toString()));
            return null;
        }
        if (millis > nowMillis + maxFutureMillis) {
            problem(
                    BadRecordReason.FUTURE_TIMESTAMP,
                    path
                            + ": "
                            + Instant.ofEpochMilli(millis)
                            + " is more than "
                            + java.time.Duration.ofMillis(maxFutureMillis)
                            + " ahead of the clock ("
                            + Instant.ofEpochMilli(nowMillis)
                            + ")");
        }
        return millis;
    }

    private void badTimestamp(String path, JsonNode n) {
        problem(
                BadRecordReason.BAD_TIMESTAMP,
                path
                        + ": expected epoch millis or ISO-8601 instant, got "
                        + shortened(n.toString()));
    }

    /** Errors quote input, but a dead letter must stay small (SPEC §1.6). */
    private static String shortened(String text) {
        return TextRules.shortened(text, 100);
    }

    private static String describe(JsonNode n) {
        JsonNodeType type = n.getNodeType();
        String text = TextRules.shortened(n.toString(), 40);
        return type.name().toLowerCase(java.util.Locale.ROOT) + " " + text;
    }
}
