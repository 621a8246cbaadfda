package io.tally.connectors.postgres;

import java.lang.reflect.Type;
import java.time.LocalDate;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.LocalTimeTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * A row type for the upsert sink's tests: a Flink POJO (public no-arg constructor, public fields),
 * keyed by {@code (name, day)} like the per-user per-day cache tables, with a nullable value, a
 * growing version and a delete flag.
 */
public class ScoreRow {
    public String name;

    // Flink 2.2's TypeExtractor does not map java.time.LocalDate to its LocalDate serializer: as a
    // POJO field it would be a generic type (Kryo), which `pipeline.generic-types: false` rejects.
    @TypeInfo(LocalDateTypeInfo.class)
    public LocalDate day;

    public long count;
    public Double score;
    public long version;
    public boolean deleted;

    public ScoreRow() {}

    /** Maps a {@link LocalDate} field to Flink's own serializer for it. */
    public static final class LocalDateTypeInfo extends TypeInfoFactory<LocalDate> {
        @Override
        public TypeInformation<LocalDate> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> genericParameters) {
            return LocalTimeTypeInfo.LOCAL_DATE;
        }
    }

    public ScoreRow(
            String name, LocalDate day, long count, Double score, long version, boolean deleted) {
        this.name = name;
        this.day = day;
        this.count = count;
        this.score = score;
        this.version = version;
        this.deleted = deleted;
    }

    static ScoreRow upsert(String name, LocalDate day, long count, Double score, long version) {
        return new ScoreRow(name, day, count, score, version, false);
    }

    static ScoreRow delete(String name, LocalDate day, long version) {
        return new ScoreRow(name, day, 0, null, version, true);
    }

    /** The key as the sink sees it, for keyBy. */
    String key() {
        return name + "|" + day;
    }

    /** A guarded table of these rows, with deletes. */
    static UpsertTable<ScoreRow> table(String tableName) {
        return UpsertTable.<ScoreRow>builder(tableName)
                .key("name", r -> r.name)
                .key("day", r -> r.day)
                .column("count", r -> r.count)
                .column("score", r -> r.score)
                .column("version", r -> r.version)
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .deleteWhen(r -> r.deleted)
                .build();
    }

    static String ddl(String tableName) {
        return "CREATE TABLE "
                + tableName
                + " (name TEXT NOT NULL, day DATE NOT NULL, count BIGINT NOT NULL,"
                + " score DOUBLE PRECISION, version BIGINT NOT NULL,"
                + " updated_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (name, day))";
    }

    /** The row as `SELECT name, day, count, score, version` renders it in {@link Rows}. */
    String asRow() {
        return name + "|" + day + "|" + count + "|" + score + "|" + version;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScoreRow r
                && count == r.count
                && version == r.version
                && deleted == r.deleted
                && Objects.equals(name, r.name)
                && Objects.equals(day, r.day)
                && Objects.equals(score, r.score);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, day, count, score, version, deleted);
    }

    @Override
    public String toString() {
        return (deleted ? "delete " : "upsert ") + asRow();
    }
}
