package io.tally.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tally.pipeline.app.Preflight;
import io.tally.pipeline.config.ConfigException;
import io.tally.pipeline.config.TallyConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tally export leaderboard}: what the R4R cron jobs produced (SPEC §3.6) — the CSV their
 * spreadsheets read, or the JSON the old {@code /api/leaderboard} served.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description =
                "Export the R4R leaderboard as CSV (Status,Username,Userkey,R4R_Score,Processed_At) or JSON.")
final class ExportCommand implements Callable<Integer> {
    enum What {
        leaderboard
    }

    enum Format {
        csv,
        json
    }

    @Parameters(index = "0", paramLabel = "leaderboard", description = "What to export.")
    What what;

    @Option(
            names = "--min-score",
            paramLabel = "N",
            description = "Only users with at least this score.")
    Integer minScore;

    @Option(
            names = "--risk",
            paramLabel = "LEVEL",
            description = "Only users at this risk level: high, moderate or low.")
    String risk;

    @Option(
            names = "--format",
            paramLabel = "csv|json",
            description = "Output format (default csv).")
    Format format = Format.csv;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            description = "Write here instead of standard output.")
    Path out;

    @Option(
            names = "--limit",
            paramLabel = "N",
            description = "At most N entries (JSON pagination; default all).")
    Integer limit;

    @Option(
            names = "--offset",
            paramLabel = "N",
            description = "Skip the first N entries (default 0).")
    int offset;

    @Mixin CommonOptions options;

    @Override
    public Integer call() throws Exception {
        if (risk != null && !risk.matches("high|moderate|low")) {
            throw new ConfigException("--risk: expected high, moderate or low, got '" + risk + "'");
        }
        if (offset < 0 || (limit != null && limit < 0)) {
            throw new ConfigException("--limit and --offset must not be negative");
        }
        TallyConfig config = options.load();
        Preflight.checkPostgres(config);
        try (Connection c = Preflight.connect(config);
                OutputStream sink = out == null ? null : Files.newOutputStream(out)) {
            PrintStream print =
                    sink == null ? System.out : new PrintStream(sink, true, StandardCharsets.UTF_8);
            if (format == Format.csv) {
                csv(c, print);
            } else {
                json(c, print);
            }
            print.flush();
        }
        return 0;
    }

    private String where() {
        return " WHERE (?::int IS NULL OR farming_score >= ?) AND (?::text IS NULL OR risk_level = ?)";
    }

    private void bind(PreparedStatement ps) throws SQLException {
        ps.setObject(1, minScore);
        ps.setObject(2, minScore);
        ps.setString(3, risk);
        ps.setString(4, risk);
    }

    private void csv(Connection c, PrintStream print) throws SQLException {
        print.println("Status,Username,Userkey,R4R_Score,Processed_At");
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT username, userkey, farming_score, last_analyzed FROM leaderboard_entries"
                                + where()
                                + " ORDER BY farming_score DESC, userkey"
                                + page())) {
            bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    print.println(
                            String.join(
                                    ",",
                                    "SUCCESS",
                                    csvCell(rs.getString(1)),
                                    csvCell(rs.getString(2)),
                                    Integer.toString(rs.getInt(3)),
                                    rs.getObject(4, OffsetDateTime.class).toInstant().toString()));
                }
            }
        }
    }

    private void json(Connection c, PrintStream print) throws SQLException, IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("ok", true);
        ArrayNode entries = root.putArray("entries");
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT userkey, username, name, reviews_given, reviews_received,"
                                + " reciprocal_reviews, farming_score, risk_level, quick_reciprocations,"
                                + " avg_reciprocal_time, high_risk_r4rs, last_analyzed, analysis_version"
                                + " FROM leaderboard_entries"
                                + where()
                                + " ORDER BY farming_score DESC, userkey"
                                + page())) {
            bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode e = entries.addObject();
                    e.put("userkey", rs.getString(1));
                    e.put("username", rs.getString(2));
                    e.put("name", rs.getString(3));
                    e.put("reviews_given", rs.getLong(4));
                    e.put("reviews_received", rs.getLong(5));
                    e.put("reciprocal_reviews", rs.getLong(6));
                    e.put("farming_score", rs.getInt(7));
                    e.put("risk_level", rs.getString(8));
                    e.put("quick_reciprocations", rs.getLong(9));
                    e.put("avg_reciprocal_time", rs.getBigDecimal(10));
                    e.put("high_risk_r4rs", rs.getInt(11));
                    e.put(
                            "last_analyzed",
                            rs.getObject(12, OffsetDateTime.class).toInstant().toString());
                    e.put("analysis_version", rs.getString(13));
                }
            }
        }
        ObjectNode stats = root.putObject("stats");
        long total;
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT count(*), count(*) FILTER (WHERE risk_level = 'high'),"
                                + " count(*) FILTER (WHERE risk_level = 'moderate'),"
                                + " count(*) FILTER (WHERE risk_level = 'low'), max(last_analyzed)"
                                + " FROM leaderboard_entries"
                                + where())) {
            bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                total = rs.getLong(1);
                stats.put("totalEntries", total);
                stats.put("highRisk", rs.getLong(2));
                stats.put("moderateRisk", rs.getLong(3));
                stats.put("lowRisk", rs.getLong(4));
                OffsetDateTime last = rs.getObject(5, OffsetDateTime.class);
                stats.put("lastUpdated", last == null ? null : last.toInstant().toString());
            }
        }
        ObjectNode pagination = root.putObject("pagination");
        pagination.put("limit", limit == null ? total : limit);
        pagination.put("offset", offset);
        pagination.put("total", total);
        print.println(mapper.writeValueAsString(root));
    }

    private String page() {
        return (limit == null ? "" : " LIMIT " + limit) + " OFFSET " + offset;
    }

    /**
     * A text cell: guarded against spreadsheet formulas, then RFC 4180 quoting where needed.
     *
     * <p>Usernames and user keys come from untrusted input (issue 10). A spreadsheet opening the
     * CSV evaluates a cell that starts with {@code =}, {@code +}, {@code -} or {@code @} as a
     * formula (tab and carriage return can smuggle one in too), so such a cell gets a single quote
     * {@code '} in front — the usual guard (OWASP "CSV injection"): spreadsheets show the text as
     * written, and a reader of the raw CSV sees one extra, recognisable character. Chosen over
     * dropping or escaping the characters, which would change names silently. Numbers and times
     * Tally itself writes are not text cells and are never prefixed.
     */
    static String csvCell(String s) {
        if (s == null) {
            return "";
        }
        if (!s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0) {
            s = "'" + s;
        }
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
