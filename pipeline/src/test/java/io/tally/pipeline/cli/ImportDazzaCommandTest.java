package io.tally.pipeline.cli;

import static io.tally.pipeline.cli.CliRunner.tally;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.connectors.testing.KafkaBrokerExtension;
import io.tally.pipeline.cli.CliRunner.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tally import-dazza} (SPEC §2.10) against a real SQLite file in the legacy bot's schema and
 * the real in-process broker: every row becomes exactly one §2.1 event, in timestamp order.
 */
class ImportDazzaCommandTest {
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** What the legacy bot created; no constraints beyond it, so NULLs are possible. */
    private static final String LEGACY_SCHEMA =
            "CREATE TABLE messages (id INTEGER PRIMARY KEY, username TEXT, message TEXT,"
                    + " timestamp INTEGER, room_id TEXT)";

    private static final long NOON = 1719800000000L;

    /** The bot logged the platform's HTML, entities and all; it must reach Kafka byte for byte. */
    private static final String HTML_LINK =
            "see <a href=\"https://example.com/a?b=1&amp;c=2\" target=\"_blank\">example.com</a>"
                    + " &gt; \"quoted\"";

    @TempDir Path dir;

    @Test
    void everyRowBecomesOneEventInTimestampOrderKeyedByUser() throws Exception {
        Path db = dir.resolve("dazza.db");
        // Inserted out of order: the import must sort by timestamp, then id.
        legacyDatabase(
                db,
                new Object[] {1, "Alice", "héllo 👋 — ünïcödé ∑", NOON + 123, "fatpizza"},
                new Object[] {2, "Bob", HTML_LINK, NOON + 100, "fatpizza"},
                new Object[] {4, "Dave", null, NOON + 200, "fatpizza"},
                new Object[] {3, "Chloé", "salut", NOON + 100, null});
        String topic = KAFKA.uniqueTopic("import-dazza");
        // One partition, so offsets show the order the import sent in.
        KAFKA.createTopics(1, topic);

        Result r =
                tally(
                        "import-dazza",
                        "--sqlite",
                        db.toString(),
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--topic-chat",
                        topic);

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip())
                .isEqualTo("Imported 4 message(s) from " + db + " to " + topic + ".");
        assertThat(r.err()).contains("4/4");
        List<ConsumerRecord<byte[], byte[]>> records =
                KAFKA.consume(topic, 4, Duration.ofSeconds(20));
        assertThat(records)
                .extracting(c -> key(c))
                .containsExactly("bob", "chloé", "alice", "dave");
        assertThat(records)
                .extracting(c -> MAPPER.readTree(c.value()))
                .containsExactly(
                        json(
                                "{\"id\":\"fatpizza:1719800000100:2\",\"room\":\"fatpizza\","
                                        + "\"username\":\"Bob\",\"text\":"
                                        + MAPPER.writeValueAsString(HTML_LINK)
                                        + ",\"ts\":1719800000100}"),
                        // NULL room: no field, so the pipeline files it under its default.
                        json(
                                "{\"id\":\"default:1719800000100:3\",\"username\":\"Chloé\","
                                        + "\"text\":\"salut\",\"ts\":1719800000100}"),
                        json(
                                "{\"id\":\"fatpizza:1719800000123:1\",\"room\":\"fatpizza\","
                                        + "\"username\":\"Alice\",\"text\":\"héllo 👋 — ünïcödé ∑\","
                                        + "\"ts\":1719800000123}"),
                        // NULL message: sent without text, for the pipeline to dead-letter.
                        json(
                                "{\"id\":\"fatpizza:1719800000200:4\",\"room\":\"fatpizza\","
                                        + "\"username\":\"Dave\",\"ts\":1719800000200}"));
        // The escaping is Jackson's: the raw value is valid UTF-8 JSON, not just parseable here.
        assertThat(new String(records.get(0).value(), StandardCharsets.UTF_8))
                .contains("\\\"_blank\\\"");
    }

    @Test
    void missingFileIsOneLineAndExitTwoAndCreatesNothing() {
        Path missing = dir.resolve("no-such.db");
        // An unreachable broker proves the file is checked first.
        Result r =
                tally(
                        "import-dazza",
                        "--sqlite",
                        missing.toString(),
                        "--bootstrap-servers",
                        "127.0.0.1:1");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("tally: --sqlite: cannot read " + missing);
        assertThat(missing).doesNotExist();
    }

    @Test
    void fileThatIsNotSqliteIsOneLineAndExitTwo() throws Exception {
        Path notDb = dir.resolve("chat.jsonl");
        Files.writeString(
                notDb, "{\"id\":\"1\",\"username\":\"Alice\",\"text\":\"hi\",\"ts\":1}\n");
        Result r =
                tally(
                        "import-dazza",
                        "--sqlite",
                        notDb.toString(),
                        "--bootstrap-servers",
                        "127.0.0.1:1");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip())
                .isEqualTo("tally: --sqlite: " + notDb + " is not an SQLite database");
    }

    @Test
    void databaseWithoutMessagesTableIsOneLineAndExitTwo() throws Exception {
        Path db = dir.resolve("other.db");
        sql(db, "CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT)");
        Result r =
                tally(
                        "import-dazza",
                        "--sqlite",
                        db.toString(),
                        "--bootstrap-servers",
                        "127.0.0.1:1");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip())
                .isEqualTo(
                        "tally: --sqlite: "
                                + db
                                + " has no messages table (expected messages(id, username, message,"
                                + " timestamp, room_id))");
    }

    @Test
    void messagesTableWithoutLegacyColumnsIsOneLineAndExitTwo() throws Exception {
        Path db = dir.resolve("older.db");
        sql(db, "CREATE TABLE messages (id INTEGER PRIMARY KEY, username TEXT, message TEXT)");
        Result r =
                tally(
                        "import-dazza",
                        "--sqlite",
                        db.toString(),
                        "--bootstrap-servers",
                        "127.0.0.1:1");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip())
                .isEqualTo(
                        "tally: --sqlite: table messages in "
                                + db
                                + " lacks column(s) timestamp, room_id");
    }

    @Test
    void helpSaysIncompleteRowsAreDeadLetteredNotDropped() {
        Result r = tally("import-dazza", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Usage: tally import-dazza").contains("--sqlite=FILE");
        assertThat(r.out().replaceAll("\\s+", " ")).contains("nothing is lost silently");
    }

    private static void legacyDatabase(Path file, Object[]... rows) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (Statement st = c.createStatement()) {
                st.execute(LEGACY_SCHEMA);
            }
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "INSERT INTO messages (id, username, message, timestamp, room_id)"
                                    + " VALUES (?, ?, ?, ?, ?)")) {
                for (Object[] row : rows) {
                    ps.setInt(1, (Integer) row[0]);
                    ps.setString(2, (String) row[1]);
                    if (row[2] == null) {
                        ps.setNull(3, Types.VARCHAR);
                    } else {
                        ps.setString(3, (String) row[2]);
                    }
                    ps.setLong(4, (Long) row[3]);
                    if (row[4] == null) {
                        ps.setNull(5, Types.VARCHAR);
                    } else {
                        ps.setString(5, (String) row[4]);
                    }
                    ps.executeUpdate();
                }
            }
        }
    }

    private static void sql(Path file, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private static String key(ConsumerRecord<byte[], byte[]> c) {
        return c.key() == null ? null : new String(c.key(), StandardCharsets.UTF_8);
    }

    private static JsonNode json(String text) throws Exception {
        return MAPPER.readTree(text);
    }
}
