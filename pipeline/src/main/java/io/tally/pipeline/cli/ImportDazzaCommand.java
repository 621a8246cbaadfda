package io.tally.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tally.pipeline.app.Preflight;
import io.tally.pipeline.config.ConfigException;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.runtime.UserKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tally import-dazza --sqlite FILE} (SPEC §2.10): replays the legacy chat bot's {@code
 * messages} table into {@code chat-messages}, so the history is analysed exactly like live chat.
 */
@Command(
        name = "import-dazza",
        mixinStandardHelpOptions = true,
        description = {
            "Replay a legacy chat bot's SQLite database (table messages(id, username, message,"
                    + " timestamp, room_id), timestamp in epoch ms) into the chat topic, one"
                    + " event per row in timestamp order, with a progress bar.",
            "A row with a NULL username, message or timestamp is still sent (without that"
                    + " field), so the pipeline dead-letters it with a reason: nothing is lost"
                    + " silently."
        })
final class ImportDazzaCommand implements Callable<Integer> {
    /** The legacy schema's columns this import reads. */
    static final List<String> COLUMNS =
            List.of("id", "username", "message", "timestamp", "room_id");

    /** Where the pipeline files a message without a room (§2.1); the event id uses it too. */
    private static final String DEFAULT_ROOM = "default";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Option(
            names = "--sqlite",
            required = true,
            paramLabel = "FILE",
            description = "The chat bot's SQLite database (opened read-only).")
    Path sqlite;

    @Option(
            names = "--rate",
            paramLabel = "N",
            description = "At most N records a second (default: as fast as possible).")
    Integer rate;

    @Mixin CommonOptions options;

    @Override
    public Integer call() throws Exception {
        TallyConfig config = options.load();
        if (rate != null && rate < 1) {
            throw new ConfigException("--rate: must be at least 1");
        }
        // The file is checked before Kafka: a wrong path is the likelier mistake, and its message
        // should not hide behind a broker timeout.
        try (Connection db = open(sqlite)) {
            long total = countMessages(db, sqlite);
            String topic = config.chatTopic;
            Preflight.checkKafka(config);
            Preflight.ensureTopics(config, List.of(topic));
            long sent = replay(db, config, topic, total);
            System.out.println(
                    "Imported " + sent + " message(s) from " + sqlite + " to " + topic + ".");
        }
        return 0;
    }

    private static Connection open(Path file) {
        // sqlite-jdbc would happily create an empty database at a mistyped path; refuse instead.
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ConfigException("--sqlite: cannot read " + file);
        }
        SQLiteConfig sqliteConfig = new SQLiteConfig();
        // Read-only: the bot may still be running on this file, and an import must never change it.
        sqliteConfig.setReadOnly(true);
        try {
            return DriverManager.getConnection(
                    "jdbc:sqlite:" + file.toAbsolutePath(), sqliteConfig.toProperties());
        } catch (SQLException e) {
            throw notReadable(file, e);
        }
    }

    /** Checks the legacy schema and returns the row count for the progress bar. */
    private static long countMessages(Connection db, Path file) {
        try (Statement st = db.createStatement()) {
            // SQLite reads the header lazily, so a file that is not a database fails only here.
            Set<String> present = new TreeSet<>();
            try (ResultSet rs = st.executeQuery("PRAGMA table_info(messages)")) {
                while (rs.next()) {
                    present.add(rs.getString("name").toLowerCase(Locale.ROOT));
                }
            }
            if (present.isEmpty()) {
                throw new ConfigException(
                        "--sqlite: "
                                + file
                                + " has no messages table (expected messages("
                                + String.join(", ", COLUMNS)
                                + "))");
            }
            List<String> missing = new ArrayList<>(COLUMNS);
            missing.removeAll(present);
            if (!missing.isEmpty()) {
                throw new ConfigException(
                        "--sqlite: table messages in "
                                + file
                                + " lacks column(s) "
                                + String.join(", ", missing));
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM messages")) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw notReadable(file, e);
        }
    }

    private long replay(Connection db, TallyConfig config, String topic, long total)
            throws SQLException, InterruptedException, IOException {
        try (Statement st = db.createStatement();
                // sqlite-jdbc steps the statement row by row, so a large history is streamed, not
                // loaded. Timestamp order replays the history as it happened; id breaks ties so a
                // second import sends the same sequence.
                ResultSet rs =
                        st.executeQuery(
                                "SELECT id, username, message, timestamp, room_id FROM messages"
                                        + " ORDER BY timestamp, id");
                TopicWriter writer =
                        new TopicWriter(
                                config.bootstrapServers,
                                config.kafkaProperties,
                                topic,
                                rate,
                                "import-dazza " + topic,
                                total)) {
            while (rs.next()) {
                Object id = rs.getObject("id");
                String username = rs.getString("username");
                String message = rs.getString("message");
                Object timestamp = rs.getObject("timestamp");
                String room = rs.getString("room_id");
                ObjectNode event = event(id, room, username, message, timestamp);
                writer.send(
                        username == null ? null : UserKey.of(username),
                        MAPPER.writeValueAsBytes(event));
            }
            long sent = writer.finish();
            writer.checkNoFailures();
            return sent;
        }
    }

    /**
     * One §2.1 event for a legacy row. NULL columns are left out rather than invented, so the
     * pipeline's validation decides (a default room, or a dead letter with its reason).
     */
    static ObjectNode event(Object id, String room, String username, String text, Object ts) {
        ObjectNode event = MAPPER.createObjectNode();
        // Unique because messages.id is, and stable across imports so the pipeline's de-duplication
        // by id (§1.7) makes a repeated import harmless. A NULL room is named as the pipeline will
        // file it; a NULL part of the id stays empty.
        event.put("id", (room == null ? DEFAULT_ROOM : room) + ":" + textOf(ts) + ":" + textOf(id));
        if (room != null) {
            event.put("room", room);
        }
        if (username != null) {
            event.put("username", username);
        }
        if (text != null) {
            event.put("text", text);
        }
        putTimestamp(event, ts);
        return event;
    }

    /**
     * The timestamp as SQLite holds it: an integer stays a number; anything else (text such as an
     * ISO-8601 instant, a REAL) is passed on for the pipeline to accept or dead-letter (§1.6).
     */
    private static void putTimestamp(ObjectNode event, Object ts) {
        if (ts instanceof Integer || ts instanceof Long) {
            event.put("ts", ((Number) ts).longValue());
        } else if (ts instanceof Double) {
            event.put("ts", (Double) ts);
        } else if (ts != null) {
            event.put("ts", ts.toString());
        }
    }

    private static String textOf(Object value) {
        return value == null ? "" : value.toString();
    }

    private static ConfigException notReadable(Path file, SQLException e) {
        if (e.getErrorCode() == SQLiteErrorCode.SQLITE_NOTADB.code) {
            return new ConfigException("--sqlite: " + file + " is not an SQLite database");
        }
        return new ConfigException("--sqlite: cannot read " + file + ": " + e.getMessage());
    }
}
