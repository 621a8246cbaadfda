package io.tally.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.connectors.kafka.DeadLetter;
import io.tally.connectors.testing.PostgresExtension;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SPEC §1.6, last line of defence, against a real PostgreSQL and without Flink: values the
 * validators let through but the database refuses are isolated inside a flush of good rows, which
 * still commit together; each refused row comes back with its key, values and the database's error,
 * and is recorded once in the ledger however often the same rows are replayed.
 */
class UpsertRejectionsTest {
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final AtomicInteger TABLES = new AtomicInteger();
    private static final LocalDate DAY = LocalDate.of(2026, 3, 30);
    private static final String LEDGER = "rejected_rows";

    private String table;
    private final List<CoalescingUpserter<?>> upserters = new ArrayList<>();

    @BeforeAll
    static void createLedger() throws SQLException {
        Rows.createLedger(PG, LEDGER);
    }

    @BeforeEach
    void createTable() throws SQLException {
        table = "scores_" + TABLES.incrementAndGet();
        PG.execute(ScoreRow.ddl(table));
        // A rule the validators do not know: only the database can refuse these rows.
        PG.execute(
                "ALTER TABLE " + table + " ADD CONSTRAINT count_not_negative CHECK (count >= 0)");
    }

    @AfterEach
    void closeUpserters() {
        upserters.forEach(CoalescingUpserter::close);
    }

    @Test
    void rowsRefusedForTheirDataAreSetAsideAndEveryOtherRowCommits() throws Exception {
        // Small batches, so the bad rows sit in different batches among good ones.
        CoalescingUpserter<ScoreRow> upserter = upserter(4);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ScoreRow good = ScoreRow.upsert("user-" + i, DAY, i, i / 2.0, 7);
            upserter.add(good);
            expected.add(good.asRow());
        }
        upserter.add(ScoreRow.upsert("negative", DAY, -1, null, 3)); // 23514
        upserter.add(ScoreRow.upsert("nul\u0000byte", DAY, 1, null, 4)); // 22021
        upserter.add(ScoreRow.upsert("k" + incompressible(5000), DAY, 1, null, 5)); // 54000
        upserter.add(ScoreRow.upsert("after-the-bad-ones", DAY, 1, 0.5, 1));
        expected.add("after-the-bad-ones|2026-03-30|1|0.5|1");

        CoalescingUpserter.FlushResult result = upserter.flush();

        assertThat(Rows.scores(PG, table)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(result.rows()).isEqualTo(41);
        assertThat(result.rejected())
                .extracting(RejectedRow::error)
                .satisfiesExactlyInAnyOrder(
                        e ->
                                assertThat(e)
                                        .startsWith("SQLSTATE 23514: new row for relation")
                                        .contains("count_not_negative")
                                        .doesNotContain("ERROR:", "\n"),
                        e -> assertThat(e).startsWith("SQLSTATE 22021: invalid byte sequence"),
                        e -> assertThat(e).startsWith("SQLSTATE 54000: index row"));
        assertThat(upserter.pending()).isZero();

        RejectedRow negative = rejected(result, "negative");
        assertThat(negative.table()).isEqualTo(table);
        assertThat(negative.version()).isEqualTo(3);
        assertThat(MAPPER.readTree(negative.keyJson()))
                .isEqualTo(MAPPER.readTree("{\"name\":\"negative\",\"day\":\"2026-03-30\"}"));
        assertThat(MAPPER.readTree(negative.rowJson()))
                .isEqualTo(
                        MAPPER.readTree(
                                "{\"name\":\"negative\",\"day\":\"2026-03-30\",\"count\":-1,"
                                        + "\"score\":null,\"version\":3}"));
        // U+0000 survives as a JSON escape, so the key can be stored and sent.
        assertThat(rejected(result, "nul").keyJson()).contains("nul\\u0000byte");
        assertThat(MAPPER.readTree(rejected(result, "nul").keyJson()).get("name").asText())
                .isEqualTo("nul\u0000byte");

        assertThat(Rows.query(PG, ledger("version, error LIKE 'SQLSTATE _____: %'")))
                .containsExactly("3|t", "4|t", "5|t");
    }

    @Test
    void aReplayOfTheSameRowsIsNotRecordedTwice() throws Exception {
        for (int attempt = 0; attempt < 2; attempt++) {
            // A new writer, as after a restore: same rows, same versions, rejected again.
            CoalescingUpserter<ScoreRow> upserter = upserter(1000);
            upserter.add(ScoreRow.upsert("ok", DAY, 1, null, 1));
            upserter.add(ScoreRow.upsert("negative", DAY, -1, null, 9));
            assertThat(upserter.flush().rejected()).hasSize(1);
        }
        // A newer version of the same key is a new rejection.
        CoalescingUpserter<ScoreRow> upserter = upserter(1000);
        upserter.add(ScoreRow.upsert("negative", DAY, -2, null, 10));
        assertThat(upserter.flush().rejected()).hasSize(1);

        assertThat(Rows.query(PG, ledger("version"))).containsExactly("9", "10");
        assertThat(Rows.scores(PG, table)).containsExactly("ok|2026-03-30|1|null|1");
    }

    @Test
    void keysThatCollideOnlyInsideOneStatementBothSucceedWhenSplit() throws Exception {
        // Two keys Java tells apart, but PgJDBC sends an unpaired surrogate as "?" (STACK.md):
        // in one rewritten multi-row INSERT they are the same row twice (21000). Split, the
        // second write wins under the version guard, and nothing is rejected.
        CoalescingUpserter<ScoreRow> upserter = upserter(1000);
        upserter.add(ScoreRow.upsert("x\uD800", DAY, 1, null, 1));
        upserter.add(ScoreRow.upsert("x\uDBFF", DAY, 2, null, 2));
        upserter.add(ScoreRow.upsert("plain", DAY, 3, null, 1));

        CoalescingUpserter.FlushResult result = upserter.flush();

        assertThat(result.rejected()).isEmpty();
        assertThat(Rows.scores(PG, table))
                .containsExactlyInAnyOrder("plain|2026-03-30|3|null|1", "x?|2026-03-30|2|null|2");
        assertThat(Rows.query(PG, ledger("version"))).isEmpty();
    }

    @Test
    void aDeleteRefusedForItsKeyIsRejectedToo() throws Exception {
        PG.execute("INSERT INTO " + table + " VALUES ('gone', '2026-03-30', 1, null, 1, now())");
        CoalescingUpserter<ScoreRow> upserter = upserter(1000);
        upserter.add(ScoreRow.delete("gone", DAY, 2));
        upserter.add(ScoreRow.delete("nul\u0000", DAY, 2));

        CoalescingUpserter.FlushResult result = upserter.flush();

        assertThat(result.rejected())
                .singleElement()
                .satisfies(r -> assertThat(r.error()).startsWith("SQLSTATE 22021"));
        assertThat(Rows.scores(PG, table)).isEmpty();
    }

    @Test
    void aTableWithoutVersionRecordsVersionMinusOneAndWithoutLedgerNothing() throws Exception {
        PG.execute(
                "CREATE TABLE labels_"
                        + table
                        + " (id TEXT PRIMARY KEY, label TEXT NOT NULL CHECK (label <> ''))");
        UpsertTable<Object[]> labels =
                UpsertTable.<Object[]>builder("labels_" + table)
                        .key("id", r -> r[0])
                        .column("label", r -> r[1])
                        .build();
        CoalescingUpserter<Object[]> counted =
                track(
                        new CoalescingUpserter<>(
                                labels,
                                settings().build(),
                                Rejections.logOnly().countedIn(LEDGER)));
        counted.add(new Object[] {"a", ""});
        counted.add(new Object[] {"b", "fine"});
        assertThat(counted.flush().rejected()).hasSize(1);

        CoalescingUpserter<Object[]> uncounted =
                track(new CoalescingUpserter<>(labels, settings().build()));
        uncounted.add(new Object[] {"c", ""});
        assertThat(uncounted.flush().rejected()).hasSize(1);

        assertThat(
                        Rows.query(
                                PG,
                                "SELECT row_key, version FROM "
                                        + LEDGER
                                        + " WHERE table_name = 'labels_"
                                        + table
                                        + "'"))
                .containsExactly("{\"id\":\"a\"}|-1");
        assertThat(Rows.query(PG, "SELECT id, label FROM labels_" + table))
                .containsExactly("b|fine");
    }

    @Test
    void theDeadLetterCarriesTheTableTheKeyTheRowAndTheError() throws Exception {
        CoalescingUpserter<ScoreRow> upserter = upserter(1000);
        // A lone surrogate in a value: escaped in the JSON, so the letter is valid UTF-8.
        upserter.add(ScoreRow.upsert("neg\uDC00", DAY, -5, 1.5, 2));
        RejectedRow row = upserter.flush().rejected().get(0);

        DeadLetter d = row.toDeadLetter(Instant.parse("2026-03-30T10:00:00Z"));

        JsonNode json = MAPPER.readTree(io.tally.connectors.kafka.DeadLetterSerializer.toJson(d));
        assertThat(json.get("source_topic").asText()).isEqualTo(table);
        assertThat(json.get("partition").asInt()).isEqualTo(-1);
        assertThat(json.get("offset").asLong()).isEqualTo(-1);
        assertThat(json.get("reason").asText()).isEqualTo("rejected-by-database");
        assertThat(json.get("error").asText()).startsWith("SQLSTATE 23514: ");
        assertThat(json.get("at").asText()).isEqualTo("2026-03-30T10:00:00Z");
        assertThat(MAPPER.readTree(json.get("key").asText()).get("name").asText())
                .isEqualTo("neg\uDC00");
        assertThat(MAPPER.readTree(json.get("value").asText()).get("count").asLong()).isEqualTo(-5);
    }

    /**
     * Random letters and digits: a repeated character would be compressed below the btree limit and
     * not be refused at all.
     */
    static String incompressible(int length) {
        java.util.Random random = new java.util.Random(length);
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    private static RejectedRow rejected(CoalescingUpserter.FlushResult result, String prefix) {
        return result.rejected().stream()
                .filter(r -> r.keyJson().startsWith("{\"name\":\"" + prefix))
                .findFirst()
                .orElseThrow();
    }

    private String ledger(String columns) {
        return "SELECT "
                + columns
                + " FROM "
                + LEDGER
                + " WHERE table_name = '"
                + table
                + "' ORDER BY version";
    }

    private CoalescingUpserter<ScoreRow> upserter(int maxBatchRows) {
        return track(
                new CoalescingUpserter<>(
                        ScoreRow.table(table),
                        settings().maxBatchRows(maxBatchRows).build(),
                        Rejections.logOnly().countedIn(LEDGER)));
    }

    private JdbcSettings.Builder settings() {
        return JdbcSettings.builder(PG.jdbcUrl()).copyMinRows(copyMinRows());
    }

    /**
     * Every flush here first tries the INSERT path; {@link UpsertRejectionsCopyTest} runs the same
     * tests with every flush trying the COPY path first (issue 12).
     */
    int copyMinRows() {
        return Integer.MAX_VALUE;
    }

    private <T> CoalescingUpserter<T> track(CoalescingUpserter<T> upserter) {
        upserters.add(upserter);
        return upserter;
    }
}
