package io.tally.pipeline.runtime;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Column values shared by the table mappings: times as TIMESTAMPTZ, already-rounded decimals. */
public final class Columns {
    private Columns() {}

    /** Epoch ms as a UTC {@code TIMESTAMPTZ}; null stays null. */
    public static OffsetDateTime utc(Long epochMillis) {
        return epochMillis == null
                ? null
                : OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }

    /** A value already rounded by its SPEC rule, as NUMERIC with {@code scale} decimals. */
    public static BigDecimal decimal(double value, int scale) {
        return BigDecimal.valueOf(value).setScale(scale, RoundingMode.HALF_UP);
    }
}
