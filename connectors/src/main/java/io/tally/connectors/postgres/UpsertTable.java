package io.tally.connectors.postgres;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A PostgreSQL cache table as an {@link UpsertSink} sees it: its primary key, the columns it
 * writes, the optional {@code version} guard and {@code updated_at} stamp, how to get the column
 * values out of a row, and which rows delete their key. It generates the SQL:
 *
 * <pre>{@code
 * INSERT INTO t AS t (k, v, version, updated_at) VALUES (?, ?, ?, now())
 *   ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, version = EXCLUDED.version,
 *   updated_at = EXCLUDED.updated_at WHERE t.version <= EXCLUDED.version
 * DELETE FROM t WHERE k = ? AND version <= ?
 * }</pre>
 *
 * (identifiers double-quoted). The guard is what makes a replay after a restore harmless (SPEC
 * §1.8): rows are absolute values, and an older version never overwrites a newer one.
 */
public final class UpsertTable<T> implements Serializable {
    private static final long serialVersionUID = 1L;

    // Lower-case only: quoted identifiers are case-sensitive, and lower case is what unquoted
    // names in the migrations fold to, so both spellings name the same column.
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");
    static final Pattern TABLE_NAME = Pattern.compile("([a-z_][a-z0-9_]*\\.)?[a-z_][a-z0-9_]*");

    private final String name;
    private final List<String> keyColumns;
    private final List<String> valueColumns;
    private final String versionColumn;
    private final boolean insertOnly;
    private final String updatedAtColumn;
    private final List<ColumnValue<T>> values;
    private final SerializablePredicate<T> deleteWhen;
    private final String upsertSql;
    private final String deleteSql;

    private UpsertTable(Builder<T> b) {
        this.name = b.name;
        this.keyColumns = List.copyOf(b.keyColumns);
        this.valueColumns = List.copyOf(b.valueColumns);
        this.versionColumn = b.versionColumn;
        this.insertOnly = b.insertOnly;
        this.updatedAtColumn = b.updatedAtColumn;
        List<ColumnValue<T>> all = new ArrayList<>(b.keyValues);
        all.addAll(b.columnValues);
        this.values = List.copyOf(all);
        this.deleteWhen = b.deleteWhen;
        this.upsertSql = buildUpsertSql();
        this.deleteSql = deleteWhen == null ? null : buildDeleteSql();
    }

    public static <T> Builder<T> builder(String name) {
        return new Builder<>(name);
    }

    public String name() {
        return name;
    }

    public List<String> keyColumns() {
        return keyColumns;
    }

    public List<String> valueColumns() {
        return valueColumns;
    }

    public Optional<String> versionColumn() {
        return Optional.ofNullable(versionColumn);
    }

    public Optional<String> updatedAtColumn() {
        return Optional.ofNullable(updatedAtColumn);
    }

    public boolean insertOnly() {
        return insertOnly;
    }

    /** True when some rows delete their key ({@link Builder#deleteWhen}). */
    public boolean hasDeletes() {
        return deleteWhen != null;
    }

    /** The {@code INSERT … ON CONFLICT} statement; its parameters are {@link #valuesOf}. */
    public String upsertSql() {
        return upsertSql;
    }

    /**
     * The {@code DELETE} statement, when the table has deletes; its parameters are the key values,
     * then the version when the table is guarded.
     */
    public Optional<String> deleteSql() {
        return Optional.ofNullable(deleteSql);
    }

    /** Key columns, then value columns, in the order declared. */
    Object[] valuesOf(T row) {
        Object[] v = new Object[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i).of(row);
        }
        return v;
    }

    boolean isDelete(T row) {
        return deleteWhen != null && deleteWhen.test(row);
    }

    /** Position of the version column in {@link #valuesOf}, or -1 when unguarded. */
    int versionIndex() {
        return versionColumn == null ? -1 : keyColumns.size() + valueColumns.indexOf(versionColumn);
    }

    private List<String> columns() {
        List<String> all = new ArrayList<>(keyColumns);
        all.addAll(valueColumns);
        return all;
    }

    private String buildUpsertSql() {
        List<String> placeholders = columns().stream().map(c -> "?").collect(Collectors.toList());
        if (updatedAtColumn != null) {
            // Server time, so every row of one flush (one transaction) carries the same stamp.
            placeholders.add("now()");
        }
        return insertHead() + " VALUES (" + String.join(", ", placeholders) + ")" + conflictTail();
    }

    /**
     * The merge of a COPY flush: the same statement as {@link #upsertSql()}, its rows read from
     * {@code staging} (a table with the key and value columns under the same names) instead of
     * bound parameters. Same target, same conflict action, same guard, same {@code now()}.
     */
    String mergeSql(String staging) {
        List<String> selected =
                columns().stream().map(c -> "s." + quote(c)).collect(Collectors.toList());
        if (updatedAtColumn != null) {
            selected.add("now()");
        }
        return insertHead()
                + " SELECT "
                + String.join(", ", selected)
                + " FROM "
                + staging
                + " s"
                + conflictTail();
    }

    private String insertHead() {
        List<String> insertColumns = columns();
        if (updatedAtColumn != null) {
            insertColumns.add(updatedAtColumn);
        }
        return "INSERT INTO " + quoteTable(name) + " AS t (" + quoteAll(insertColumns) + ")";
    }

    private String conflictTail() {
        StringBuilder sql =
                new StringBuilder(" ON CONFLICT (").append(quoteAll(keyColumns)).append(") DO ");
        if (insertOnly) {
            return sql.append("NOTHING").toString();
        }
        List<String> updated = new ArrayList<>(valueColumns);
        if (updatedAtColumn != null) {
            updated.add(updatedAtColumn);
        }
        sql.append("UPDATE SET ")
                .append(
                        updated.stream()
                                .map(c -> quote(c) + " = EXCLUDED." + quote(c))
                                .collect(Collectors.joining(", ")));
        if (versionColumn != null) {
            // SPEC §1.8: `<=`, not `<`: an equal version is the same state written again (a replay)
            // and must still apply, e.g. after a restore that lost the first write.
            sql.append(" WHERE t.")
                    .append(quote(versionColumn))
                    .append(" <= EXCLUDED.")
                    .append(quote(versionColumn));
        }
        return sql.toString();
    }

    /**
     * The deletes of a COPY flush: {@link #deleteSql()} for every row of {@code staging} (a table
     * with the key columns, then the version column when the table is guarded) in one statement.
     */
    String deleteUsingSql(String staging) {
        StringBuilder sql =
                new StringBuilder("DELETE FROM ")
                        .append(quoteTable(name))
                        .append(" AS t USING ")
                        .append(staging)
                        .append(" s WHERE ")
                        .append(
                                keyColumns.stream()
                                        .map(c -> "t." + quote(c) + " = s." + quote(c))
                                        .collect(Collectors.joining(" AND ")));
        if (versionColumn != null) {
            sql.append(" AND t.")
                    .append(quote(versionColumn))
                    .append(" <= s.")
                    .append(quote(versionColumn));
        }
        return sql.toString();
    }

    private String buildDeleteSql() {
        StringBuilder sql =
                new StringBuilder("DELETE FROM ")
                        .append(quoteTable(name))
                        .append(" WHERE ")
                        .append(
                                keyColumns.stream()
                                        .map(c -> quote(c) + " = ?")
                                        .collect(Collectors.joining(" AND ")));
        if (versionColumn != null) {
            // The same guard as the upsert: a replayed old delete must not remove a newer row.
            sql.append(" AND ").append(quote(versionColumn)).append(" <= ?");
        }
        return sql.toString();
    }

    private static String quoteAll(List<String> identifiers) {
        return identifiers.stream().map(UpsertTable::quote).collect(Collectors.joining(", "));
    }

    // Always quoted, so a column may be named like a reserved word (`user`, `order`) and a
    // generated statement never depends on PostgreSQL's keyword list.
    static String quote(String identifier) {
        return '"' + identifier + '"';
    }

    static String quoteTable(String name) {
        int dot = name.indexOf('.');
        return dot < 0
                ? quote(name)
                : quote(name.substring(0, dot)) + "." + quote(name.substring(dot + 1));
    }

    @Override
    public String toString() {
        return "UpsertTable{" + name + "}";
    }

    /** Builds an {@link UpsertTable}; {@link #build()} checks that the pieces fit together. */
    public static final class Builder<T> {
        private final String name;
        private final List<String> keyColumns = new ArrayList<>();
        private final List<ColumnValue<T>> keyValues = new ArrayList<>();
        private final List<String> valueColumns = new ArrayList<>();
        private final List<ColumnValue<T>> columnValues = new ArrayList<>();
        private String versionColumn;
        private boolean insertOnly;
        private String updatedAtColumn;
        private SerializablePredicate<T> deleteWhen;

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (!TABLE_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(
                        "table name must be lower-case [schema.]identifier: " + name);
            }
            this.name = name;
        }

        /**
         * A primary-key column (the {@code ON CONFLICT} target) and how a row gives its value; key
         * columns come first, in the order declared. The name and its value are written once, side
         * by side, so the column list and the row's values cannot drift apart (issue 11).
         */
        public Builder<T> key(String column, ColumnValue<T> value) {
            keyColumns.add(identifier(column));
            keyValues.add(Objects.requireNonNull(value, "value"));
            return this;
        }

        /** A written non-key column and how a row gives its value, in the order declared. */
        public Builder<T> column(String column, ColumnValue<T> value) {
            valueColumns.add(identifier(column));
            columnValues.add(Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * The value column that only grows (SPEC §1.8); without it the upsert always overwrites.
         */
        public Builder<T> versionColumn(String column) {
            this.versionColumn = identifier(column);
            return this;
        }

        /**
         * {@code ON CONFLICT DO NOTHING}: the first row written for a key stays (append-like tables
         * such as awards, SPEC §2.9, where a repeat is a replay).
         */
        public Builder<T> insertOnly() {
            this.insertOnly = true;
            return this;
        }

        /** A column set to {@code now()} on the server on insert and on update. */
        public Builder<T> updatedAtColumn(String column) {
            this.updatedAtColumn = identifier(column);
            return this;
        }

        /**
         * Rows for which this holds delete their key instead of upserting it (with the version
         * guard when the table has one; e.g. day rows leaving retention, SPEC §1.10).
         */
        public Builder<T> deleteWhen(SerializablePredicate<T> deleteWhen) {
            this.deleteWhen = Objects.requireNonNull(deleteWhen, "deleteWhen");
            return this;
        }

        public UpsertTable<T> build() {
            if (keyColumns.isEmpty()) {
                throw invalid("needs at least one key column");
            }
            Set<String> seen = new HashSet<>();
            for (String c : keyColumns) {
                if (!seen.add(c)) {
                    throw invalid("column " + c + " declared twice");
                }
            }
            for (String c : valueColumns) {
                if (!seen.add(c)) {
                    throw invalid("column " + c + " declared twice");
                }
            }
            if (updatedAtColumn != null && seen.contains(updatedAtColumn)) {
                throw invalid(
                        "updated-at column "
                                + updatedAtColumn
                                + " is set by the server; do not declare it as a key or value");
            }
            if (insertOnly) {
                if (versionColumn != null) {
                    throw invalid("an insert-only table never updates, so it has no version guard");
                }
                if (deleteWhen != null) {
                    throw invalid("an insert-only table does not take deletes");
                }
            } else if (valueColumns.isEmpty()) {
                throw invalid("needs value columns to update (or insertOnly())");
            }
            if (versionColumn != null && !valueColumns.contains(versionColumn)) {
                throw invalid("version column " + versionColumn + " must be one of the values");
            }
            return new UpsertTable<>(this);
        }

        private IllegalStateException invalid(String why) {
            return new IllegalStateException("UpsertTable " + name + ": " + why);
        }

        private static String identifier(String column) {
            Objects.requireNonNull(column, "column");
            if (!IDENTIFIER.matcher(column).matches()) {
                throw new IllegalArgumentException(
                        "column name must be a lower-case identifier: " + column);
            }
            return column;
        }
    }
}
