package io.tally.connectors.postgres;

import java.io.Serializable;

/**
 * Extracts the column values of one row for an {@link UpsertTable}: the key columns, then the value
 * columns, in the order they were declared.
 *
 * <p>Values are Java types that PgJDBC's {@code setObject} binds: {@code String}, {@code Integer},
 * {@code Long}, {@code Double}, {@code BigDecimal}, {@code Boolean}, {@code java.time.LocalDate},
 * {@code java.time.OffsetDateTime}, or {@code null}. Key values become the coalescing key, so they
 * need a value-based {@code equals}/{@code hashCode} (all of the above have one).
 */
@FunctionalInterface
public interface RowValues<T> extends Serializable {
    Object[] values(T row);
}
