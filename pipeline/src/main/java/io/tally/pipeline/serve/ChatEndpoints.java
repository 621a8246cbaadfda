package io.tally.pipeline.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The chat bot's {@code /api/v1/stats/…} answers from the chat cache tables (SPEC §6.3): request
 * values in, the {@code data} object out, every value bound as a parameter. No HTTP here.
 */
final class ChatEndpoints {
    /** SPEC §6.3: the tables the bot's batch status listed, in its order. */
    static final List<String> CACHE_STATUS_TABLES =
            List.of(
                    "user_stats",
                    "user_daily_activity",
                    "user_chat_streaks",
                    "user_active_hours",
                    "message_analysis_cache",
                    "chat_achievements");

    /** SPEC §6.3: the bot's game boards, which have no source in Tally. */
    static final Set<String> GAME_BOARDS =
            Set.of(
                    "bongs",
                    "drinks",
                    "gamblers",
                    "fishing",
                    "bottles",
                    "cashie",
                    "sign_spinning",
                    "beggars",
                    "pissers",
                    "money",
                    "criminal",
                    "images");

    private ChatEndpoints() {}

    /** {@code GET /api/v1/stats/batch/status}. */
    static ObjectNode batchStatus(Connection c, Instant now, Duration staleAfter)
            throws SQLException {
        ObjectNode data = Json.object();
        ArrayNode jobs = data.putArray("jobs");
        ArrayNode lastRuns = data.putArray("lastRuns");
        try (PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT pipeline, last_flush_at, records_out, updated_at"
                                        + " FROM pipeline_status ORDER BY pipeline COLLATE \"C\"");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String pipeline = rs.getString("pipeline");
                Instant lastFlush = Json.instant(rs, "last_flush_at");
                Instant updated = Json.instant(rs, "updated_at");
                boolean stale = HealthEndpoints.isStale(updated, now, staleAfter);
                String status = stale ? "error" : "running";

                ObjectNode job = jobs.addObject();
                job.put("job_name", pipeline);
                putMillis(job, "last_run", lastFlush);
                job.putNull("next_run");
                job.put("status", status);
                job.put("error_count", stale ? 1 : 0);
                job.put("last_error", stale ? "no status update since " + Json.iso(updated) : null);
                job.putNull("created_at");
                job.put("updated_at", Json.v1Time(updated));

                ObjectNode run = lastRuns.addObject();
                run.put("job_name", pipeline);
                run.put("status", status);
                putMillis(run, "started_at", lastFlush);
                putMillis(run, "completed_at", lastFlush);
                run.put("records_processed", rs.getLong("records_out"));
                run.putNull("duration_ms");
            }
        }
        ObjectNode cacheStatus = data.putObject("cacheStatus");
        for (String table : CACHE_STATUS_TABLES) {
            // Every key is present even before the view has a row for it (SPEC §6.3: exactly
            // these).
            ObjectNode t = cacheStatus.putObject(table);
            t.put("recordCount", 0);
            t.putNull("lastUpdate");
        }
        try (PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT table_name, records, last_update FROM chat_cache_status");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (cacheStatus.get(rs.getString("table_name")) instanceof ObjectNode t) {
                    t.put("recordCount", rs.getLong("records"));
                    t.put("lastUpdate", Json.v1Time(Json.instant(rs, "last_update")));
                }
            }
        }
        return data;
    }

    /**
     * {@code GET /api/v1/stats/users/:username/category/talkers}; null when the user has no {@code
     * user_stats} row.
     */
    static ObjectNode userTalkers(Connection c, String user, String room) throws SQLException {
        ObjectNode userStats;
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT username, first_seen, last_seen, message_count, updated_at,"
                                + " total_words FROM user_stats WHERE username = ?")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                userStats = Json.object();
                Json.text(userStats, "username", rs);
                Json.integer(userStats, "first_seen", rs);
                Json.integer(userStats, "last_seen", rs);
                Json.integer(userStats, "message_count", rs);
                Json.v1Time(userStats, "updated_at", rs);
                Json.integer(userStats, "total_words", rs);
            }
        }
        long daysActive =
                count(c, "SELECT count(*) FROM user_daily_activity WHERE username = ?", user);
        ObjectNode analysis = messageAnalysis(c, user, userStats);
        ObjectNode summary = activitySummary(c, user);

        ObjectNode data = Json.object();
        data.put("username", user);
        data.put("category", "talkers");
        data.put("room", room);
        ObjectNode allTime = data.putObject("allTime");
        allTime.set("message_count", userStats.get("message_count"));
        allTime.put("days_active", daysActive);
        // SPEC §6.3: avg_words is avg_words_per_message, 0 without a row (the bot invented 15).
        allTime.set(
                "avg_words",
                analysis.has("avg_words_per_message")
                        ? analysis.get("avg_words_per_message")
                        : Json.number(java.math.BigDecimal.ZERO));
        data.set("userStats", userStats);
        data.set("chatStreaks", chatStreaks(c, user, daysActive));
        data.set("activeHours", activeHours(c, user, summary));
        data.set("messageAnalysis", analysis);
        data.set("achievements", achievements(c, user));
        data.set("activitySummary", summary);
        return data;
    }

    private static ObjectNode chatStreaks(Connection c, String user, long daysActive)
            throws SQLException {
        ObjectNode o = Json.object();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT username, current_streak, best_streak, last_active_date,"
                                + " streak_start_date, total_active_days, updated_at"
                                + " FROM user_chat_streaks WHERE username = ?")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    // SPEC §6.3: without a row (an excluded sender, say), the bot's defaults.
                    o.put("current_streak", 0);
                    o.put("best_streak", 0);
                    o.put("total_active_days", daysActive);
                    return o;
                }
                Json.text(o, "username", rs);
                Json.integer(o, "current_streak", rs);
                Json.integer(o, "best_streak", rs);
                Json.date(o, "last_active_date", rs);
                Json.date(o, "streak_start_date", rs);
                Json.integer(o, "total_active_days", rs);
                o.putNull("created_at");
                Json.v1Time(o, "updated_at", rs);
            }
        }
        return o;
    }

    private static ObjectNode activeHours(Connection c, String user, ObjectNode summary)
            throws SQLException {
        ObjectNode o = Json.object();
        // SPEC §6.3: the period counts of user_activity_summary, 0 without a row.
        o.put("morning", summary.path("morning_messages").asLong(0));
        o.put("afternoon", summary.path("afternoon_messages").asLong(0));
        o.put("evening", summary.path("evening_messages").asLong(0));
        o.put("night", summary.path("night_messages").asLong(0));
        ArrayNode hourly = o.putArray("hourlyData");
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT username, room_id, hour, message_count, word_count,"
                                + " avg_message_length FROM user_active_hours WHERE username = ?"
                                + " ORDER BY hour, room_id COLLATE \"C\"")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode h = hourly.addObject();
                    h.putNull("id");
                    Json.text(h, "username", rs);
                    Json.text(h, "room_id", rs);
                    Json.integer(h, "hour", rs);
                    Json.integer(h, "message_count", rs);
                    Json.integer(h, "word_count", rs);
                    Json.integer(h, "avg_message_length", rs);
                    h.putNull("created_at");
                }
            }
        }
        return o;
    }

    /** The 15 numeric columns of message_analysis_cache, in the table's (and the bot's) order. */
    private static final List<String> ANALYSIS_NUMBERS =
            List.of(
                    "total_messages",
                    "total_words",
                    "avg_message_length",
                    "avg_words_per_message",
                    "emoji_count",
                    "emoji_usage_rate",
                    "caps_count",
                    "caps_usage_rate",
                    "question_count",
                    "exclamation_count",
                    "url_count",
                    "mention_count",
                    "longest_message",
                    "shortest_message",
                    "vocabulary_size");

    private static ObjectNode messageAnalysis(Connection c, String user, ObjectNode userStats)
            throws SQLException {
        ObjectNode o = Json.object();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT username, "
                                + String.join(", ", ANALYSIS_NUMBERS)
                                + ", updated_at FROM message_analysis_cache WHERE username = ?")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    // SPEC §6.3: the numeric keys, totals from user_stats, 0 elsewhere.
                    for (String k : ANALYSIS_NUMBERS) {
                        o.put(k, 0);
                    }
                    o.set("total_messages", userStats.get("message_count"));
                    o.set("total_words", userStats.get("total_words"));
                    return o;
                }
                Json.text(o, "username", rs);
                for (String k : ANALYSIS_NUMBERS) {
                    Json.number(o, k, rs);
                }
                o.putNull("created_at");
                Json.v1Time(o, "updated_at", rs);
            }
        }
        return o;
    }

    private static ArrayNode achievements(Connection c, String user) throws SQLException {
        ArrayNode out = Json.MAPPER.createArrayNode();
        // SPEC §6.3: achieved_at DESC, achievement_type, tier DESC (diamond first).
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT a.username, a.achievement_type, a.achievement_level,"
                                + " a.achieved_at, a.details, d.name, d.description, d.icon"
                                + " FROM chat_achievements a"
                                + " JOIN achievement_definitions d ON d.type = a.achievement_type"
                                + " WHERE a.username = ?"
                                + " ORDER BY a.achieved_at DESC, a.achievement_type COLLATE \"C\","
                                + " CASE a.achievement_level WHEN 'diamond' THEN 4 WHEN 'gold' THEN 3"
                                + " WHEN 'silver' THEN 2 ELSE 1 END DESC")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode a = out.addObject();
                    a.putNull("id");
                    Json.text(a, "username", rs);
                    Json.text(a, "achievement_type", rs);
                    Json.text(a, "achievement_level", rs);
                    putMillis(a, "achieved_at", Json.instant(rs, "achieved_at"));
                    Json.text(a, "details", rs);
                    a.putNull("created_at");
                    Json.text(a, "name", rs);
                    Json.text(a, "description", rs);
                    Json.text(a, "icon", rs);
                }
            }
        }
        return out;
    }

    private static ObjectNode activitySummary(Connection c, String user) throws SQLException {
        ObjectNode o = Json.object();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT username, most_active_hour, least_active_hour, morning_messages,"
                                + " afternoon_messages, evening_messages, night_messages,"
                                + " night_owl_score, early_bird_score, consistency_score, updated_at"
                                + " FROM user_activity_summary WHERE username = ?")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    o.put("night_owl_score", 0);
                    o.put("early_bird_score", 0);
                    o.put("consistency_score", 0);
                    return o;
                }
                Json.text(o, "username", rs);
                Json.integer(o, "most_active_hour", rs);
                Json.integer(o, "least_active_hour", rs);
                Json.integer(o, "morning_messages", rs);
                Json.integer(o, "afternoon_messages", rs);
                Json.integer(o, "evening_messages", rs);
                Json.integer(o, "night_messages", rs);
                Json.number(o, "night_owl_score", rs);
                Json.number(o, "early_bird_score", rs);
                Json.number(o, "consistency_score", rs);
                o.putNull("created_at");
                Json.v1Time(o, "updated_at", rs);
            }
        }
        return o;
    }

    /** {@code GET /api/v1/stats/leaderboard/:type} for {@code talkers} or {@code messages}. */
    static ObjectNode leaderboard(Connection c, String type, int limit, String room)
            throws SQLException {
        // SPEC §6.3: talkers count the room's messages of non-excluded senders, messages every
        // sender's total; both ordered count DESC, username (byte order, so the order is total).
        String sql =
                type.equals("talkers")
                        ? "SELECT username, sum(message_count) AS count FROM user_active_hours"
                                + " WHERE room_id = ? GROUP BY username"
                                + " ORDER BY count DESC, username COLLATE \"C\" LIMIT ?"
                        : "SELECT username, message_count AS count FROM user_stats"
                                + " ORDER BY count DESC, username COLLATE \"C\" LIMIT ?";
        ObjectNode data = Json.object();
        data.put("type", type);
        ArrayNode board = data.putArray("leaderboard");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (type.equals("talkers")) {
                ps.setString(i++, room);
            }
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
                int rank = 0;
                while (rs.next()) {
                    ObjectNode e = board.addObject();
                    e.put("rank", ++rank);
                    e.put("username", rs.getString("username"));
                    e.put("count", rs.getLong("count"));
                    e.put("label", "messages");
                }
            }
        }
        data.put("room", room);
        return data;
    }

    /**
     * JavaScript's {@code parseInt(s)} (no radix): leading white space, an optional sign, then
     * {@code 0x} hex digits or decimal digits up to the first other character; NaN (null) when
     * there are none. Saturates instead of overflowing: callers clamp anyway.
     */
    static Long parseIntLikeJavaScript(String s) {
        if (s == null) {
            return null;
        }
        int i = 0;
        while (i < s.length() && isJsWhiteSpace(s.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        int radix = 10;
        if (i + 1 < s.length() && s.charAt(i) == '0' && (s.charAt(i + 1) | 0x20) == 'x') {
            radix = 16;
            i += 2;
        }
        long value = 0;
        int digits = 0;
        for (; i < s.length(); i++) {
            int d = Character.digit(s.charAt(i), radix);
            // Only ASCII digits count: Character.digit also accepts other scripts' digits.
            if (d < 0 || s.charAt(i) > 'z') {
                break;
            }
            value = value > Long.MAX_VALUE / radix - 1 ? Long.MAX_VALUE : value * radix + d;
            digits++;
        }
        if (digits == 0) {
            return null;
        }
        return negative ? -value : value;
    }

    /** The white space JavaScript's parseInt skips (WhiteSpace and LineTerminator). */
    private static boolean isJsWhiteSpace(char c) {
        return c == ' '
                || c == '\t'
                || c == '\n'
                || c == 0x0B
                || c == '\f'
                || c == '\r'
                || c == 0xA0
                || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A)
                || c == 0x2028
                || c == 0x2029
                || c == 0x202F
                || c == 0x205F
                || c == 0x3000
                || c == 0xFEFF;
    }

    private static long count(Connection c, String sql, String user) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void putMillis(ObjectNode o, String name, Instant t) {
        if (t == null) {
            o.putNull(name);
        } else {
            o.put(name, t.toEpochMilli());
        }
    }
}
