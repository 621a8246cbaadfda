package io.tally.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.connectors.testing.PostgresExtension;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What one flush of the upsert sink does to a real PostgreSQL (SPEC §1.8, §1.9), driving the
 * writer's buffer-and-flush core directly, without Flink.
 */
class UpsertWritesTest {
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final AtomicInteger TABLES = new AtomicInteger();
    private static final LocalDate MONDAY = LocalDate.of(2026, 3, 30);
    private static final LocalDate TUESDAY = MONDAY.plusDays(1);

    private String table;
    private final List<CoalescingUpserter<?>> upserters = new ArrayList<>();

    @BeforeEach
    void createTable() throws SQLException {
        table = "scores_" + TABLES.incrementAndGet();
        PG.execute(ScoreRow.ddl(table));
    }

    @AfterEach
    void closeUpserters() {
        upserters.forEach(CoalescingUpserter::close);
    }

    @Test
    void manyUpdatesToFewKeysInOneFlushLeaveOneRowPerKeyWithTheLatestValues() throws Exception {
        // Small batches, so a key written twice in one batch would fail with "ON CONFLICT DO
        // UPDATE command cannot affect row a second time" under reWriteBatchedInserts.
        CoalescingUpserter<ScoreRow> upserter = upserter(settings().maxBatchRows(2));
        String[] names = {"Zoë", "Łukasz", "小明"};
        for (int version = 1; version <= 1000; version++) {
            for (String name : names) {
                upserter.add(ScoreRow.upsert(name, MONDAY, version * 10L, version / 4.0, version));
            }
        }

        CoalescingUpserter.FlushResult result = upserter.flush();

        assertThat(result.upserts()).isEqualTo(3);
        assertThat(result.retries()).isZero();
        assertThat(upserter.pending()).isZero();
        assertThat(Rows.scores(PG, table))
                .containsExactlyInAnyOrder(
                        "Zoë|2026-03-30|10000|250.0|1000",
                        "Łukasz|2026-03-30|10000|250.0|1000",
                        "小明|2026-03-30|10000|250.0|1000");
    }

    @Test
    void anOlderVersionNeverOverwritesANewerRow() throws Exception {
        PG.execute(
                "INSERT INTO "
                        + table
                        + " VALUES ('alice', '2026-03-30', 100, 1.5, 10, '2000-01-01T00:00:00Z')");
        CoalescingUpserter<ScoreRow> upserter = upserter(settings());

        upserter.add(ScoreRow.upsert("alice", MONDAY, 50, 9.9, 5));
        upserter.flush();

        // SPEC §1.8: a replay of version 5 must not undo version 10, nor touch updated_at.
        assertThat(Rows.query(PG, "SELECT name, count, score, version, updated_at FROM " + table))
                .containsExactly("alice|100|1.5|10|2000-01-01 00:00:00+00");
    }

    @Test
    void anEqualVersionOverwrites() throws Exception {
        PG.execute(
                "INSERT INTO "
                        + table
                        + " VALUES ('alice', '2026-03-30', 100, 1.5, 10, '2000-01-01T00:00:00Z')");
        CoalescingUpserter<ScoreRow> upserter = upserter(settings());

        upserter.add(ScoreRow.upsert("alice", MONDAY, 101, null, 10));
        upserter.flush();

        assertThat(Rows.scores(PG, table)).containsExactly("alice|2026-03-30|101|null|10");
    }

    @Test
    void rowsArrivingOutOfVersionOrderInOneFlushKeepTheNewest() throws Exception {
        CoalescingUpserter<ScoreRow> upserter = upserter(settings());

        upserter.add(ScoreRow.upsert("bob", MONDAY, 7, null, 7));
        upserter.add(ScoreRow.upsert("bob", MONDAY, 5, null, 5));
        upserter.add(ScoreRow.delete("bob", MONDAY, 6));
        upserter.flush();

        // Coalescing applies the guard in memory too, or the stale row would be the one sent.
        assertThat(Rows.scores(PG, table)).containsExactly("bob|2026-03-30|7|null|7");
    }

    @Test
    void deletesRespectTheVersionGuard() throws Exception {
        PG.execute(
                "INSERT INTO "
                        + table
                        + " VALUES ('alice', '2026-03-30', 1, NULL, 10, now()),"
                        + " ('alice', '2026-03-31', 1, NULL, 10, now())");
        CoalescingUpserter<ScoreRow> upserter = upserter(settings());

        upserter.add(ScoreRow.delete("alice", MONDAY, 9));
        upserter.add(ScoreRow.delete("alice", TUESDAY, 10));
        upserter.add(ScoreRow.delete("nobody", MONDAY, 1));
        CoalescingUpserter.FlushResult result = upserter.flush();

        assertThat(result.deletes()).isEqualTo(3);
        assertThat(Rows.scores(PG, table)).containsExactly("alice|2026-03-30|1|null|10");
    }

    @Test
    void aDeleteThenANewerUpsertOfTheSameKeyInOneFlushLeavesTheRow() throws Exception {
        CoalescingUpserter<ScoreRow> upserter = upserter(settings());
        upserter.add(ScoreRow.upsert("carol", MONDAY, 1, null, 1));
        upserter.flush();

        upserter.add(ScoreRow.delete("carol", MONDAY, 2));
        upserter.add(ScoreRow.upsert("carol", MONDAY, 3, null, 3));
        upserter.add(ScoreRow.upsert("dave", MONDAY, 1, null, 1));
        upserter.add(ScoreRow.delete("dave", MONDAY, 2));
        upserter.flush();

        assertThat(Rows.scores(PG, table)).containsExactly("carol|2026-03-30|3|null|3");
    }

    @Test
    void updatedAtIsSetByTheServerOnInsertAndOnUpdate() throws Exception {
        CoalescingUpserter<ScoreRow> upserter = upserter(settings());
        upserter.add(ScoreRow.upsert("erin", MONDAY, 1, null, 1));
        upserter.flush();
        OffsetDateTime inserted = updatedAt("erin");
        Thread.sleep(20);

        upserter.add(ScoreRow.upsert("erin", MONDAY, 2, null, 2));
        upserter.flush();
        OffsetDateTime updated = updatedAt("erin");

        assertThat(inserted).isAfter(OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(1));
        assertThat(updated).isAfter(inserted);
    }

    @Test
    void anUnguardedTableAlwaysTakesTheLatestRow() throws Exception {
        UpsertTable<ScoreRow> unguarded =
                UpsertTable.<ScoreRow>builder(table)
                        .key("name", r -> r.name)
                        .key("day", r -> r.day)
                        .column("count", r -> r.count)
                        .column("score", r -> r.score)
                        .column("version", r -> r.version)
                        .updatedAtColumn("updated_at")
                        .build();
        CoalescingUpserter<ScoreRow> upserter = upserter(unguarded, settings());
        upserter.add(ScoreRow.upsert("frank", MONDAY, 10, null, 10));
        upserter.flush();

        upserter.add(ScoreRow.upsert("frank", MONDAY, 9, null, 9));
        upserter.add(ScoreRow.upsert("frank", MONDAY, 5, null, 5));
        upserter.flush();

        assertThat(Rows.scores(PG, table)).containsExactly("frank|2026-03-30|5|null|5");
    }

    @Test
    void anInsertOnlyTableKeepsTheFirstRowPerKey() throws Exception {
        PG.execute(
                "CREATE TABLE awards_"
                        + table
                        + " (username TEXT, level TEXT, achieved_at BIGINT, details TEXT,"
                        + " PRIMARY KEY (username, level))");
        UpsertTable<Object[]> awards =
                UpsertTable.<Object[]>builder("awards_" + table)
                        .key("username", r -> r[0])
                        .key("level", r -> r[1])
                        .column("achieved_at", r -> r[2])
                        .column("details", r -> r[3])
                        .insertOnly()
                        .build();
        CoalescingUpserter<Object[]> upserter = upserter(awards, settings());
        upserter.add(new Object[] {"gina", "bronze", 100L, "Reached 100 messages"});
        upserter.flush();

        upserter.add(new Object[] {"gina", "bronze", 200L, "replayed"});
        upserter.add(new Object[] {"gina", "silver", 300L, "Reached 1000 messages"});
        upserter.add(new Object[] {"gina", "silver", 400L, "replayed"});
        upserter.flush();

        assertThat(Rows.query(PG, "SELECT * FROM awards_" + table + " ORDER BY level"))
                .containsExactly(
                        "gina|bronze|100|Reached 100 messages",
                        "gina|silver|300|Reached 1000 messages");
    }

    @Test
    void everyDocumentedValueTypeBinds() throws Exception {
        PG.execute(
                "CREATE TABLE typed_"
                        + table
                        + " (k TEXT PRIMARY KEY, i INTEGER, l BIGINT, d DOUBLE PRECISION,"
                        + " n NUMERIC(10, 2), b BOOLEAN, day DATE, at TIMESTAMPTZ, nothing TEXT)");
        UpsertTable<Object[]> typed =
                UpsertTable.<Object[]>builder("typed_" + table)
                        .key("k", r -> r[0])
                        .column("i", r -> r[1])
                        .column("l", r -> r[2])
                        .column("d", r -> r[3])
                        .column("n", r -> r[4])
                        .column("b", r -> r[5])
                        .column("day", r -> r[6])
                        .column("at", r -> r[7])
                        .column("nothing", r -> r[8])
                        .build();
        CoalescingUpserter<Object[]> upserter = upserter(typed, settings());

        upserter.add(
                new Object[] {
                    "k1",
                    42,
                    1L << 40,
                    2.5,
                    new BigDecimal("12.34"),
                    true,
                    MONDAY,
                    OffsetDateTime.of(2026, 3, 30, 10, 0, 0, 0, ZoneOffset.ofHours(10)),
                    null
                });
        upserter.flush();

        assertThat(
                        Rows.query(
                                PG,
                                "SELECT k, i, l, d, n, b, day, at AT TIME ZONE 'UTC', nothing FROM"
                                        + " typed_"
                                        + table))
                .containsExactly(
                        "k1|42|1099511627776|2.5|12.34|t|2026-03-30|2026-03-30 00:00:00|null");
    }

    @Test
    void flushesLargerThanABatchAreSplitIntoBatchesOfOneTransaction() throws Exception {
        CoalescingUpserter<ScoreRow> upserter = upserter(settings().maxBatchRows(1000));
        for (int i = 0; i < 2500; i++) {
            upserter.add(ScoreRow.upsert("user-" + i, MONDAY, i, null, 1));
        }
        for (int i = 0; i < 1200; i++) {
            upserter.add(ScoreRow.delete("user-" + (i * 2), MONDAY, 1));
        }

        CoalescingUpserter.FlushResult result = upserter.flush();

        assertThat(result.upserts()).isEqualTo(1300);
        assertThat(result.deletes()).isEqualTo(1200);
        long expectedSum = 0;
        for (int i = 0; i < 2500; i++) {
            expectedSum += (i % 2 == 0 && i < 2400) ? 0 : i;
        }
        assertThat(Rows.query(PG, "SELECT count(*), sum(count) FROM " + table))
                .containsExactly("1300|" + expectedSum);
    }

    @Test
    void anErrorOfTheSchemaNotTheDataFailsAtOnceNamingTheTableAndSqlState() throws Exception {
        // A column the job writes is gone: every row would fail, so this is the job's or the
        // schema's fault, not the data's (SPEC §1.6 rejects rows only for their data).
        PG.execute("ALTER TABLE " + table + " DROP COLUMN score");
        CoalescingUpserter<ScoreRow> upserter =
                upserter(settings().retryBackoff(java.time.Duration.ofSeconds(30)));
        upserter.add(ScoreRow.upsert("henry", MONDAY, 1, null, 1));

        // No retry (the backoff would make this test take 30 s): the same row would fail again.
        assertThatThrownBy(upserter::flush)
                .isInstanceOf(IOException.class)
                .hasMessageContaining("upsert into " + table + " failed (SQLState 42703)")
                .hasMessageContaining("column \"score\"");
        // The rows stay buffered: the job fails and restarts from its checkpoint, not losing them.
        assertThat(upserter.pending()).isEqualTo(1);
    }

    private OffsetDateTime updatedAt(String name) throws SQLException {
        return OffsetDateTime.parse(
                Rows.query(
                                PG,
                                "SELECT to_char(updated_at AT TIME ZONE 'UTC',"
                                        + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM "
                                        + table
                                        + " WHERE name = '"
                                        + name
                                        + "'")
                        .get(0));
    }

    private JdbcSettings.Builder settings() {
        return JdbcSettings.builder(PG.jdbcUrl()).copyMinRows(copyMinRows());
    }

    /**
     * Every flush here takes the INSERT path; {@link UpsertWritesCopyTest} runs the same tests with
     * every flush on the COPY path (issue 12).
     */
    int copyMinRows() {
        return Integer.MAX_VALUE;
    }

    private CoalescingUpserter<ScoreRow> upserter(JdbcSettings.Builder settings) {
        return upserter(ScoreRow.table(table), settings);
    }

    private <T> CoalescingUpserter<T> upserter(UpsertTable<T> t, JdbcSettings.Builder settings) {
        CoalescingUpserter<T> upserter = new CoalescingUpserter<>(t, settings.build());
        upserters.add(upserter);
        return upserter;
    }
}
