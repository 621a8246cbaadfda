package io.tally.connectors.postgres;

import java.io.Serializable;

/**
 * How a row gives the value of one column of an {@link UpsertTable}, declared beside the column's
 * name ({@link UpsertTable.Builder#key}, {@link UpsertTable.Builder#column}).
 *
 * <p>Values are Java types that PgJDBC's {@code setObject} binds: {@code String}, {@code Integer},
 * {@code Long}, {@code Double}, {@code BigDecimal}, {@code Boolean}, {@code java.time.LocalDate},
 * {@code java.time.OffsetDateTime}, or {@code null}. Key values become the coalescing key, so they
 * need a value-based {@code equals}/{@code hashCode} (all of the above have one).
 */
@FunctionalInterface
public interface ColumnValue<T> extends Serializable {
    Object of(T row);
}
