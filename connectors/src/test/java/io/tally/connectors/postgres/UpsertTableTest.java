package io.tally.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** SQL generation and validation of {@link UpsertTable}; no database. */
class UpsertTableTest {

    @Test
    void guardedTableUpdatesOnlyWhenTheIncomingVersionIsNotOlder() {
        UpsertTable<ScoreRow> table = ScoreRow.table("user_daily_activity");

        // SPEC §1.8: absolute values, `<=` guard, updated_at stamped by the server.
        assertThat(table.upsertSql())
                .isEqualTo(
                        "INSERT INTO \"user_daily_activity\" AS t"
                                + " (\"name\", \"day\", \"count\", \"score\", \"version\", \"updated_at\")"
                                + " VALUES (?, ?, ?, ?, ?, now())"
                                + " ON CONFLICT (\"name\", \"day\") DO UPDATE SET"
                                + " \"count\" = EXCLUDED.\"count\", \"score\" = EXCLUDED.\"score\","
                                + " \"version\" = EXCLUDED.\"version\","
                                + " \"updated_at\" = EXCLUDED.\"updated_at\""
                                + " WHERE t.\"version\" <= EXCLUDED.\"version\"");
        assertThat(table.deleteSql())
                .hasValue(
                        "DELETE FROM \"user_daily_activity\""
                                + " WHERE \"name\" = ? AND \"day\" = ? AND \"version\" <= ?");
    }

    @Test
    void unguardedTableAlwaysOverwrites() {
        UpsertTable<String[]> table =
                UpsertTable.<String[]>builder("email_audiences")
                        .keyColumns("audience_id")
                        .valueColumns("member_count")
                        .values(r -> new Object[] {r[0], r[1]})
                        .deleteWhen(r -> r[1] == null)
                        .build();

        assertThat(table.upsertSql())
                .isEqualTo(
                        "INSERT INTO \"email_audiences\" AS t (\"audience_id\", \"member_count\")"
                                + " VALUES (?, ?) ON CONFLICT (\"audience_id\") DO UPDATE SET"
                                + " \"member_count\" = EXCLUDED.\"member_count\"");
        assertThat(table.deleteSql())
                .hasValue("DELETE FROM \"email_audiences\" WHERE \"audience_id\" = ?");
        assertThat(table.versionColumn()).isEmpty();
    }

    @Test
    void insertOnlyTableKeepsTheFirstRow() {
        UpsertTable<String[]> table =
                UpsertTable.<String[]>builder("chat_achievements")
                        .keyColumns("username", "achievement_type", "achievement_level")
                        .valueColumns("achieved_at", "details")
                        .insertOnly()
                        .values(r -> new Object[] {r[0], r[1], r[2], r[3], r[4]})
                        .build();

        assertThat(table.upsertSql())
                .isEqualTo(
                        "INSERT INTO \"chat_achievements\" AS t"
                                + " (\"username\", \"achievement_type\", \"achievement_level\","
                                + " \"achieved_at\", \"details\") VALUES (?, ?, ?, ?, ?)"
                                + " ON CONFLICT (\"username\", \"achievement_type\","
                                + " \"achievement_level\") DO NOTHING");
        assertThat(table.deleteSql()).isEmpty();
    }

    @Test
    void schemaQualifiedNamesAndReservedWordsAreQuoted() {
        UpsertTable<Object[]> table =
                UpsertTable.<Object[]>builder("tally.orders")
                        .keyColumns("user")
                        .valueColumns("order")
                        .values(r -> r)
                        .build();

        assertThat(table.upsertSql())
                .startsWith("INSERT INTO \"tally\".\"orders\" AS t (\"user\", \"order\")");
    }

    @Test
    void valuesAreCheckedAgainstTheDeclaredColumns() {
        UpsertTable<ScoreRow> table = ScoreRow.table("scores");
        ScoreRow row = ScoreRow.upsert("ünïcødé", LocalDate.of(2026, 3, 29), 3, null, 1);

        assertThat(table.valuesOf(row))
                .containsExactly("ünïcødé", LocalDate.of(2026, 3, 29), 3L, null, 1L);
        assertThat(table.versionIndex()).isEqualTo(4);

        UpsertTable<ScoreRow> short1 =
                UpsertTable.<ScoreRow>builder("scores")
                        .keyColumns("name", "day")
                        .valueColumns("count")
                        .values(r -> new Object[] {r.name, r.day})
                        .build();
        assertThatThrownBy(() -> short1.valuesOf(row))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("returned 2 values, expected 3 (name, day, count)");
    }

    @Test
    void inconsistentDeclarationsAreRejected() {
        assertThatThrownBy(
                        () ->
                                UpsertTable.<Object[]>builder("t")
                                        .keyColumns("k")
                                        .valueColumns("v")
                                        .versionColumn("version")
                                        .values(r -> r)
                                        .build())
                .hasMessageContaining("version column version must be one of the values");
        assertThatThrownBy(
                        () ->
                                UpsertTable.<Object[]>builder("t")
                                        .keyColumns("k")
                                        .valueColumns("v", "version")
                                        .versionColumn("version")
                                        .insertOnly()
                                        .values(r -> r)
                                        .build())
                .hasMessageContaining("insert-only table never updates");
        assertThatThrownBy(
                        () ->
                                UpsertTable.<Object[]>builder("t")
                                        .keyColumns("k")
                                        .valueColumns("v", "updated_at")
                                        .updatedAtColumn("updated_at")
                                        .values(r -> r)
                                        .build())
                .hasMessageContaining("set by the server");
        assertThatThrownBy(
                        () ->
                                UpsertTable.<Object[]>builder("t")
                                        .valueColumns("v")
                                        .values(r -> r)
                                        .build())
                .hasMessageContaining("at least one key column");
        assertThatThrownBy(
                        () ->
                                UpsertTable.<Object[]>builder("t")
                                        .keyColumns("k")
                                        .valueColumns("k")
                                        .values(r -> r)
                                        .build())
                .hasMessageContaining("column k declared twice");
        assertThatThrownBy(() -> UpsertTable.<Object[]>builder("t").keyColumns("Name"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lower-case identifier");
        assertThatThrownBy(() -> UpsertTable.builder("t; DROP TABLE x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tableAndSettingsSurviveJavaSerialization() throws Exception {
        // Both travel in the job graph inside the sink: the table with its lambdas, and the
        // settings without the password.
        UpsertTable<ScoreRow> table = ScoreRow.table("scores");
        JdbcSettings settings =
                JdbcSettings.of("jdbc:postgresql://127.0.0.1:5432/x?password=secret");

        UpsertTable<ScoreRow> tableCopy = roundTrip(table);
        JdbcSettings settingsCopy = roundTrip(settings);

        assertThat(tableCopy.upsertSql()).isEqualTo(table.upsertSql());
        assertThat(tableCopy.isDelete(ScoreRow.delete("a", LocalDate.EPOCH, 1))).isTrue();
        assertThat(settingsCopy.flushInterval()).isEqualTo(JdbcSettings.DEFAULT_FLUSH_INTERVAL);
        assertThat(settingsCopy.toString()).contains("password=***").doesNotContain("secret");
    }

    @SuppressWarnings("unchecked")
    private static <X> X roundTrip(X object) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (X) in.readObject();
        }
    }
}
