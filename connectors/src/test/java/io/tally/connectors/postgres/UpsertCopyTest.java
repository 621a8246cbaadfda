package io.tally.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.connectors.testing.PostgresExtension;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The COPY path of a flush (issue 12) against a real PostgreSQL: the same table contents as the
 * INSERT path for the same flushes, whatever the values; refused rows (SPEC §1.6) and a connection
 * killed mid-flush handled as on the INSERT path; values it cannot spell go the INSERT way.
 */
class UpsertCopyTest {
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final AtomicInteger TABLES = new AtomicInteger();
    private static final LocalDate DAY = LocalDate.of(2026, 3, 30);

    // Columns of the wide table, in the order of its rows' values.
    private static final String[] WIDE = {
        "k",
        "day",
        "t",
        "vc",
        "i",
        "l",
        "sm",
        "d",
        "d_as_int",
        "n",
        "nu",
        "b",
        "at",
        "lt",
        "dd",
        "version"
    };

    private final List<CoalescingUpserter<?>> upserters = new ArrayList<>();

    @AfterEach
    void closeUpserters() {
        upserters.forEach(CoalescingUpserter::close);
    }

    @Test
    void theCopyPathLeavesExactlyWhatTheInsertPathLeaves() throws Exception {
        String viaInsert = createWide();
        String viaCopy = createWide();
        CoalescingUpserter<Object[]> insert = upserter(wide(viaInsert), Integer.MAX_VALUE);
        CoalescingUpserter<Object[]> copy = upserter(wide(viaCopy), 1);

        // Three flushes: new rows; updates with older, equal and newer versions and deletes;
        // then more of both. The same rows, in the same order, to both tables.
        Random random = new Random(12);
        List<List<Object[]>> flushes = new ArrayList<>();
        flushes.add(rows(random, 0, 400, 1));
        List<Object[]> second = rows(random, 200, 600, 0);
        second.add(deleteOf(key(3), 99));
        second.add(deleteOf(key(4), 0)); // older than the row: the guard keeps it
        flushes.add(second);
        List<Object[]> third = rows(random, 500, 700, 2);
        for (int i = 0; i < 100; i++) {
            third.add(deleteOf(key(i * 3), 5 + random.nextInt(3)));
        }
        flushes.add(third);

        int copied = 0;
        for (List<Object[]> flush : flushes) {
            flush.forEach(insert::add);
            flush.forEach(copy::add);
            CoalescingUpserter.FlushResult viaInsertResult = insert.flush();
            CoalescingUpserter.FlushResult viaCopyResult = copy.flush();
            assertThat(viaInsertResult.copied()).isZero();
            assertThat(viaCopyResult.copied())
                    .isEqualTo(viaCopyResult.upserts() + viaCopyResult.deletes());
            assertThat(viaCopyResult.rejected()).isEmpty();
            copied += viaCopyResult.copied();
        }

        assertThat(copied).isGreaterThan(1000);
        List<String> expected = contents(viaInsert);
        assertThat(expected).hasSizeGreaterThan(400);
        assertThat(contents(viaCopy)).containsExactlyElementsOf(expected);
        // A key written at version 5 by the first flush, and deleted at version 0 by the second.
        assertThat(Rows.query(PG, "SELECT version FROM " + viaCopy + " WHERE k = '" + key(4) + "'"))
                .containsExactly("5");
        // The awkward values really are there (not a round trip of something simpler).
        assertThat(
                        Rows.query(
                                PG,
                                "SELECT count(*) FILTER (WHERE t LIKE E'%\\t%\\n%'),"
                                        + " count(*) FILTER (WHERE length(t) > 90000),"
                                        + " count(*) FILTER (WHERE t LIKE '%\\\\N%'),"
                                        + " count(*) FILTER (WHERE d = 'NaN'),"
                                        + " count(*) FILTER (WHERE at = '9999-12-31T23:59:59.999Z')"
                                        + " FROM "
                                        + viaCopy))
                .singleElement()
                .satisfies(r -> assertThat(r.split("\\|")).doesNotContain("0"));
    }

    @Test
    void aLargeFlushWithRefusedRowsRejectsOnlyThemAndTheNextFlushCopiesAgain() throws Exception {
        Rows.createLedger(PG, "rejected_rows");
        String table = "refusing_" + TABLES.incrementAndGet();
        PG.execute(
                "CREATE TABLE "
                        + table
                        + " (k TEXT PRIMARY KEY, count BIGINT NOT NULL CHECK (count >= 0),"
                        + " score NUMERIC(5,1), label VARCHAR(10), version BIGINT NOT NULL)");
        UpsertTable<Object[]> t =
                UpsertTable.<Object[]>builder(table)
                        .key("k", r -> r[0])
                        .column("count", r -> r[1])
                        .column("score", r -> r[2])
                        .column("label", r -> r[3])
                        .column("version", r -> r[4])
                        .versionColumn("version")
                        .build();
        CoalescingUpserter<Object[]> upserter =
                track(
                        new CoalescingUpserter<>(
                                t,
                                JdbcSettings.builder(PG.jdbcUrl()).copyMinRows(64).build(),
                                Rejections.logOnly().countedIn("rejected_rows")));
        for (int i = 0; i < 1000; i++) {
            upserter.add(new Object[] {"good-" + i, (long) i, new BigDecimal("1.25"), "ok", 1L});
        }
        upserter.add(new Object[] {"negative", -1L, null, null, 1L}); // 23514, in the merge
        upserter.add(new Object[] {"overflow", 1L, new BigDecimal("100000"), null, 1L}); // 22003
        upserter.add(new Object[] {"too-long", 1L, null, "eleven chars", 1L}); // 22001
        upserter.add(new Object[] {"nul", 1L, null, "a\u0000b", 1L}); // 22021, in the COPY

        CoalescingUpserter.FlushResult result = upserter.flush();

        assertThat(result.copied()).isZero(); // the COPY attempt failed and was rolled back
        assertThat(result.rows()).isEqualTo(1000);
        assertThat(result.rejected())
                .extracting(r -> r.keyJson() + " " + r.error().substring(0, 14))
                .containsExactlyInAnyOrder(
                        "{\"k\":\"negative\"} SQLSTATE 23514",
                        "{\"k\":\"overflow\"} SQLSTATE 22003",
                        "{\"k\":\"too-long\"} SQLSTATE 22001",
                        "{\"k\":\"nul\"} SQLSTATE 22021");
        assertThat(Rows.query(PG, "SELECT count(*), sum(count), min(score) FROM " + table))
                .containsExactly("1000|499500|1.3");
        assertThat(Rows.query(PG, "SELECT count(*) FROM rejected_rows")).containsExactly("4");

        // The connection the failed COPY used is gone; the next large flush copies on a new one.
        for (int i = 0; i < 100; i++) {
            upserter.add(new Object[] {"good-" + i, 7L, null, "again", 2L});
        }
        CoalescingUpserter.FlushResult next = upserter.flush();
        assertThat(next.copied()).isEqualTo(100);
        assertThat(Rows.query(PG, "SELECT count(*) FROM " + table + " WHERE label = 'again'"))
                .containsExactly("100");
    }

    @Test
    void aConnectionKilledDuringTheMergeOrTheDeleteIsRetriedWithNothingLostOrDoubled()
            throws Exception {
        String table = "killed_" + TABLES.incrementAndGet();
        PG.execute(ScoreRow.ddl(table));
        // The backend ends itself in the middle of the first merge, then of the first DELETE
        // (sequences are not rolled back, so each kills once): two transient failures (57P01)
        // inside one flush, after its COPY.
        PG.execute(
                "INSERT INTO "
                        + table
                        + " SELECT 'old-' || i, DATE '2026-03-30', i, NULL, 1, now()"
                        + " FROM generate_series(0, 199) i");
        PG.execute("CREATE SEQUENCE " + table + "_merges");
        PG.execute("CREATE SEQUENCE " + table + "_deletes");
        PG.execute(
                "CREATE FUNCTION "
                        + table
                        + "_kill() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF"
                        + " nextval(TG_ARGV[0]) = 1 THEN PERFORM"
                        + " pg_terminate_backend(pg_backend_pid()); END IF; RETURN NULL; END $$");
        for (String op : new String[] {"INSERT", "DELETE"}) {
            PG.execute(
                    "CREATE TRIGGER kill_"
                            + op.toLowerCase(java.util.Locale.ROOT)
                            + " AFTER "
                            + op
                            + " ON "
                            + table
                            + " FOR EACH STATEMENT EXECUTE FUNCTION "
                            + table
                            + "_kill('"
                            + table
                            + (op.equals("INSERT") ? "_merges" : "_deletes")
                            + "')");
        }
        CoalescingUpserter<ScoreRow> upserter =
                upserter(
                        ScoreRow.table(table),
                        JdbcSettings.builder(PG.jdbcUrl())
                                .copyMinRows(64)
                                .retryBackoff(java.time.Duration.ofMillis(20)));
        for (int i = 0; i < 500; i++) {
            upserter.add(ScoreRow.upsert("new-" + i, DAY, i, i / 4.0, 1));
        }
        for (int i = 0; i < 100; i++) {
            upserter.add(ScoreRow.delete("old-" + i, DAY, 1));
        }

        CoalescingUpserter.FlushResult result = upserter.flush();

        assertThat(result.retries()).isEqualTo(2);
        assertThat(result.copied()).isEqualTo(600);
        assertThat(result.rows()).isEqualTo(600);
        assertThat(
                        Rows.query(
                                PG,
                                "SELECT count(*), count(DISTINCT name), sum(count),"
                                        + " sum(score) FROM "
                                        + table))
                .containsExactly("600|600|" + (124750 + (19900 - 4950)) + "|31187.5");
        assertThat(
                        Rows.query(
                                PG,
                                "SELECT count(*), min(substr(name, 5)::int) FROM "
                                        + table
                                        + " WHERE name LIKE 'old-%'"))
                .containsExactly("100|100");
        // Killed once in the merge, once in the delete; the third attempt committed.
        assertThat(
                        Rows.query(
                                PG,
                                "SELECT m.last_value, d.last_value FROM "
                                        + table
                                        + "_merges m, "
                                        + table
                                        + "_deletes d"))
                .containsExactly("3|2");
    }

    @Test
    void valuesTheCopyPathCannotSpellGoTheInsertWay() throws Exception {
        String table = "uuids_" + TABLES.incrementAndGet();
        PG.execute("CREATE TABLE " + table + " (k TEXT PRIMARY KEY, u UUID, v BIGINT)");
        UpsertTable<Object[]> t =
                UpsertTable.<Object[]>builder(table)
                        .key("k", r -> r[0])
                        .column("u", r -> r[1])
                        .column("v", r -> r[2])
                        .build();
        CoalescingUpserter<Object[]> upserter = upserter(t, 1);
        UUID id = UUID.fromString("00000000-0000-0000-0000-00000000002a");
        for (int i = 0; i < 100; i++) {
            upserter.add(new Object[] {"k" + i, id, (long) i});
        }
        // A java.util.UUID is no type of ColumnValue's list: the INSERT path binds it.
        assertThat(upserter.flush().copied()).isZero();

        // Two Java types in one column: no single staging type, so the INSERT path too.
        for (int i = 0; i < 100; i++) {
            upserter.add(new Object[] {"k" + i, null, i % 2 == 0 ? (Object) (long) i : (Object) i});
        }
        assertThat(upserter.flush().copied()).isZero();

        assertThat(Rows.query(PG, "SELECT count(*), sum(v), count(u) FROM " + table))
                .containsExactly("100|4950|0");
    }

    @Test
    void underStringtypeUnspecifiedStringsTakeTheTargetColumnsType() throws Exception {
        String table = "typed_strings_" + TABLES.incrementAndGet();
        PG.execute("CREATE TABLE " + table + " (k TEXT PRIMARY KEY, u UUID, j JSONB, day DATE)");
        UpsertTable<Object[]> t =
                UpsertTable.<Object[]>builder(table)
                        .key("k", r -> r[0])
                        .column("u", r -> r[1])
                        .column("j", r -> r[2])
                        .column("day", r -> r[3])
                        .build();
        // PgJDBC sends strings untyped then, so the server reads them as the target's types; the
        // staging table must use those types, or the merge would fail where INSERT succeeds.
        String url =
                PG.jdbcUrl() + (PG.jdbcUrl().contains("?") ? "&" : "?") + "stringtype=unspecified";
        CoalescingUpserter<Object[]> upserter =
                track(
                        new CoalescingUpserter<>(
                                t, JdbcSettings.builder(url).copyMinRows(1).build()));
        for (int i = 0; i < 70; i++) {
            upserter.add(
                    new Object[] {
                        "k" + i,
                        "00000000-0000-0000-0000-0000000000" + (10 + i),
                        "{\"n\": " + i + ", \"s\": \"a\\tb\"}",
                        "2026-03-" + (10 + i % 20)
                    });
        }

        assertThat(upserter.flush().copied()).isEqualTo(70);
        assertThat(
                        Rows.query(
                                PG,
                                "SELECT u, j ->> 's', (j ->> 'n')::int, day FROM "
                                        + table
                                        + " WHERE k = 'k5'"))
                .containsExactly("00000000-0000-0000-0000-000000000015|a\tb|5|2026-03-15");
    }

    // --- the wide table: every type the sink documents, and some it only casts --------------

    private String createWide() throws SQLException {
        String table = "wide_" + TABLES.incrementAndGet();
        PG.execute(
                "CREATE TABLE "
                        + table
                        + " (k TEXT NOT NULL, day DATE NOT NULL, t TEXT, vc VARCHAR(40),"
                        + " i INTEGER, l BIGINT, sm SMALLINT, d DOUBLE PRECISION,"
                        + " d_as_int INTEGER, n NUMERIC(12,1), nu NUMERIC, b BOOLEAN,"
                        + " at TIMESTAMPTZ, lt TIMESTAMP, dd DATE, version BIGINT NOT NULL,"
                        + " updated_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (k, day))");
        return table;
    }

    private static UpsertTable<Object[]> wide(String table) {
        UpsertTable.Builder<Object[]> b = UpsertTable.<Object[]>builder(table);
        b.key("k", r -> r[0]).key("day", r -> r[1]);
        for (int i = 2; i < WIDE.length; i++) {
            int index = i;
            b.column(WIDE[i], r -> r[index]);
        }
        return b.versionColumn("version")
                .updatedAtColumn("updated_at")
                .deleteWhen(r -> r[WIDE.length] != null)
                .build();
    }

    /** Every column but updated_at, and which flush last wrote the row (the rank of its stamp). */
    private static List<String> contents(String table) throws SQLException {
        return Rows.query(
                PG,
                "SELECT "
                        + String.join(", ", WIDE)
                        + ", dense_rank() OVER (ORDER BY updated_at) FROM "
                        + table
                        + " ORDER BY k, day");
    }

    private static final String[] AWKWARD = {
        "tab\there",
        "new\nline",
        "cr\rlf\r\n",
        "back\\slash",
        "\\N",
        "\\.",
        "\\",
        "trailing\\",
        "quote'\"",
        "emoji 😀🎉",
        "line\u2028para\u2029",
        "",
        " ",
        "NULL",
        "ünïcödé 李雷 Zoë",
        "\u0001\u001f\u007f control",
        "a,b;c|d",
        "\t\n\\\r"
    };

    private static String key(int i) {
        return AWKWARD[i % AWKWARD.length] + "#" + i;
    }

    private static Object[] deleteOf(String key, long version) {
        Object[] row = new Object[WIDE.length + 1];
        row[0] = key;
        row[1] = DAY;
        row[WIDE.length - 1] = version;
        row[WIDE.length] = "delete";
        return row;
    }

    /**
     * Rows for keys {@code from} to {@code to}; versions 0..9 at random (so later flushes carry
     * older, equal and newer versions), except key 4: version 5 in flush 1, else 0.
     */
    private static List<Object[]> rows(Random random, int from, int to, int flush) {
        String longText = longText();
        List<Object[]> rows = new ArrayList<>();
        for (int i = from; i < to; i++) {
            Object[] r = new Object[WIDE.length + 1];
            r[0] = key(i);
            r[1] = DAY;
            r[2] =
                    switch (i % 7) {
                        case 0 -> null;
                        case 1 -> i % 5 == 1 ? longText : "short " + i;
                        default -> AWKWARD[random.nextInt(AWKWARD.length)] + " " + i;
                    };
            r[3] = i % 5 == 0 ? null : AWKWARD[(i + 3) % AWKWARD.length];
            r[4] = i % 11 == 0 ? null : random.nextInt();
            r[5] = i % 13 == 0 ? Long.MIN_VALUE : random.nextLong();
            r[6] = (short) random.nextInt(Short.MAX_VALUE);
            r[7] = DOUBLES[i % DOUBLES.length];
            r[8] = (i % 9) - 4 + 0.5; // float8 assigned to integer: rounds half to even
            r[9] = DECIMALS[i % DECIMALS.length];
            r[10] = DECIMALS[(i + 2) % DECIMALS.length];
            r[11] = i % 3 == 0 ? null : random.nextBoolean();
            r[12] = TIMESTAMPS[i % TIMESTAMPS.length];
            r[13] = TIMESTAMPS[(i + 1) % TIMESTAMPS.length].toLocalDateTime();
            r[14] = DATES[i % DATES.length];
            r[15] = (long) random.nextInt(10);
            if (i == 4) {
                r[15] = flush == 1 ? 5L : 0L;
            }
            rows.add(r);
        }
        return rows;
    }

    private static final Double[] DOUBLES = {
        0.0,
        -0.0,
        0.1 + 0.2,
        1e300,
        -1.7976931348623157e308,
        Double.MIN_VALUE,
        Double.NaN,
        Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY,
        2.5,
        1.0e10,
        null
    };

    private static final BigDecimal[] DECIMALS = {
        new BigDecimal("12.35"),
        new BigDecimal("-0.05"),
        new BigDecimal("1E+3"),
        new BigDecimal("0.1000"),
        new BigDecimal("12345678901.9"),
        BigDecimal.ZERO,
        null
    };

    private static final OffsetDateTime[] TIMESTAMPS = {
        OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC),
        OffsetDateTime.of(9999, 12, 31, 23, 59, 59, 999_000_000, ZoneOffset.UTC),
        OffsetDateTime.of(2026, 3, 30, 10, 0, 0, 123_456_789, ZoneOffset.ofHours(14)),
        OffsetDateTime.of(2026, 3, 30, 23, 59, 59, 999_999_999, ZoneOffset.ofHoursMinutes(-9, -30)),
        OffsetDateTime.of(2000, 2, 29, 12, 30, 0, 500, ZoneOffset.UTC)
    };

    private static final LocalDate[] DATES = {
        LocalDate.of(1970, 1, 1), LocalDate.of(9999, 12, 31), LocalDate.of(2000, 2, 29), null
    };

    private static String longText() {
        StringBuilder s = new StringBuilder(100_000);
        while (s.length() < 100_000) {
            s.append("long \\ \t text 😀 ");
        }
        s.setLength(100_000);
        return s.toString();
    }

    private CoalescingUpserter<Object[]> upserter(UpsertTable<Object[]> t, int copyMinRows) {
        return track(
                new CoalescingUpserter<>(
                        t, JdbcSettings.builder(PG.jdbcUrl()).copyMinRows(copyMinRows).build()));
    }

    private <T> CoalescingUpserter<T> upserter(UpsertTable<T> t, JdbcSettings.Builder settings) {
        return track(new CoalescingUpserter<>(t, settings.build()));
    }

    private <T> CoalescingUpserter<T> track(CoalescingUpserter<T> upserter) {
        upserters.add(upserter);
        return upserter;
    }
}
