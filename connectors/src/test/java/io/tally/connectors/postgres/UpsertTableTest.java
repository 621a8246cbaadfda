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
    void theCopyPathsMergeIsTheSameStatementReadingTheStagingTable() {
        UpsertTable<ScoreRow> table = ScoreRow.table("user_daily_activity");

        // Issue 12: same target, conflict action, guard and server stamp as upsertSql().
        assertThat(table.mergeSql("pg_temp.\"tally_staging_1\""))
                .isEqualTo(
                        "INSERT INTO \"user_daily_activity\" AS t"
                                + " (\"name\", \"day\", \"count\", \"score\", \"version\", \"updated_at\")"
                                + " SELECT s.\"name\", s.\"day\", s.\"count\", s.\"score\","
                                + " s.\"version\", now() FROM pg_temp.\"tally_staging_1\" s"
                                + " ON CONFLICT (\"name\", \"day\") DO UPDATE SET"
                                + " \"count\" = EXCLUDED.\"count\", \"score\" = EXCLUDED.\"score\","
                                + " \"version\" = EXCLUDED.\"version\","
                                + " \"updated_at\" = EXCLUDED.\"updated_at\""
                                + " WHERE t.\"version\" <= EXCLUDED.\"version\"");
        assertThat(table.deleteUsingSql("pg_temp.\"tally_staging_2\""))
                .isEqualTo(
                        "DELETE FROM \"user_daily_activity\" AS t USING"
                                + " pg_temp.\"tally_staging_2\" s WHERE t.\"name\" = s.\"name\""
                                + " AND t.\"day\" = s.\"day\" AND t.\"version\" <= s.\"version\"");
        assertThat(
                        UpsertTable.<String[]>builder("awards")
                                .key("k", r -> r[0])
                                .column("v", r -> r[1])
                                .insertOnly()
                                .build()
                                .mergeSql("s1"))
                .isEqualTo(
                        "INSERT INTO \"awards\" AS t (\"k\", \"v\") SELECT s.\"k\", s.\"v\""
                                + " FROM s1 s ON CONFLICT (\"k\") DO NOTHING");
    }

    @Test
    void unguardedTableAlwaysOverwrites() {
        UpsertTable<String[]> table =
                UpsertTable.<String[]>builder("email_audiences")
                        .key("audience_id", r -> r[0])
                        .column("member_count", r -> r[1])
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
                        .key("username", r -> r[0])
                        .key("achievement_type", r -> r[1])
                        .key("achievement_level", r -> r[2])
                        .column("achieved_at", r -> r[3])
                        .column("details", r -> r[4])
                        .insertOnly()
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
                        .key("user", r -> r[0])
                        .column("order", r -> r[1])
                        .build();

        assertThat(table.upsertSql())
                .startsWith("INSERT INTO \"tally\".\"orders\" AS t (\"user\", \"order\")");
    }

    @Test
    void valuesComeInTheOrderTheColumnsWereDeclared() {
        UpsertTable<ScoreRow> table = ScoreRow.table("scores");
        ScoreRow row = ScoreRow.upsert("ünïcødé", LocalDate.of(2026, 3, 29), 3, null, 1);

        assertThat(table.valuesOf(row))
                .containsExactly("ünïcødé", LocalDate.of(2026, 3, 29), 3L, null, 1L);
        assertThat(table.versionIndex()).isEqualTo(4);

        // A name and its value are declared together, keys first whatever the call order.
        UpsertTable<ScoreRow> interleaved =
                UpsertTable.<ScoreRow>builder("scores")
                        .column("count", r -> r.count)
                        .key("name", r -> r.name)
                        .column("version", r -> r.version)
                        .key("day", r -> r.day)
                        .versionColumn("version")
                        .build();
        assertThat(interleaved.upsertSql()).contains("(\"name\", \"day\", \"count\", \"version\")");
        assertThat(interleaved.valuesOf(row))
                .containsExactly("ünïcødé", LocalDate.of(2026, 3, 29), 3L, 1L);
        assertThat(interleaved.versionIndex()).isEqualTo(3);
    }

    @Test
    void inconsistentDeclarationsAreRejected() {
        assertThatThrownBy(
                        () ->
                                UpsertTable.<Object[]>builder("t")
                                        .key("k", r -> r[0])
                                        .column("v", r -> r[1])
                                        .versionColumn("version")
                                        .build())
                .hasMessageContaining("version column version must be one of the values");
        assertThatThrownBy(
                        () ->
                                UpsertTable.<Object[]>builder("t")
                                        .key("k", r -> r[0])
                                        .column("v", r -> r[1])
                                        .column("version", r -> r[2])
                                        .versionColumn("version")
                                        .insertOnly()
                                        .build())
                .hasMessageContaining("insert-only table never updates");
        assertThatThrownBy(
                        () ->
                                UpsertTable.<Object[]>builder("t")
                                        .key("k", r -> r[0])
                                        .column("v", r -> r[1])
                                        .column("updated_at", r -> r[2])
                                        .updatedAtColumn("updated_at")
                                        .build())
                .hasMessageContaining("set by the server");
        assertThatThrownBy(() -> UpsertTable.<Object[]>builder("t").column("v", r -> r[0]).build())
                .hasMessageContaining("at least one key column");
        assertThatThrownBy(
                        () ->
                                UpsertTable.<Object[]>builder("t")
                                        .key("k", r -> r[0])
                                        .column("k", r -> r[1])
                                        .build())
                .hasMessageContaining("column k declared twice");
        assertThatThrownBy(() -> UpsertTable.<Object[]>builder("t").key("Name", r -> r[0]))
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
