package io.tally.pipeline.serve;

import static io.tally.pipeline.serve.JsonShapes.assertMatchesRow;
import static io.tally.pipeline.serve.JsonShapes.assertSameShape;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tally.connectors.testing.KafkaBrokerExtension;
import io.tally.connectors.testing.PostgresExtension;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.testing.FlinkTestCluster;
import io.tally.pipeline.testing.JobRunner;
import io.tally.pipeline.testing.ReviewStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SPEC §6 contract: {@code tally serve} over tables the real job filled from the demo samples (chat
 * and reviews, run bounded on a MiniCluster), asked with a real HTTP client. Each body has the
 * names, order and types of the SPEC example, and its values are those of the tables.
 */
class ServeContractTest {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create();
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    // The SPEC §6 examples, verbatim.
    static final String USER_EXAMPLE =
            """
            {"success":true,"data":{"username":"alice","category":"talkers","room":"fatpizza",
            "allTime":{"message_count":1520,"days_active":41,"avg_words":6.3},
            "userStats":{"username":"alice","first_seen":1719800000123,"last_seen":1722400000000,"message_count":1520,"updated_at":"2024-07-31 04:26:41","total_words":9580},
            "chatStreaks":{"username":"alice","current_streak":3,"best_streak":12,"last_active_date":"2024-07-31","streak_start_date":"2024-07-29","total_active_days":41,"created_at":null,"updated_at":"2024-07-31 04:26:41"},
            "activeHours":{"morning":300,"afternoon":500,"evening":600,"night":120,"hourlyData":[{"id":null,"username":"alice","room_id":"fatpizza","hour":0,"message_count":20,"word_count":130,"avg_message_length":31,"created_at":null}]},
            "messageAnalysis":{"username":"alice","total_messages":1520,"total_words":9580,"avg_message_length":34,"avg_words_per_message":6.3,"emoji_count":40,"emoji_usage_rate":2.6,"caps_count":5,"caps_usage_rate":0.3,"question_count":210,"exclamation_count":95,"url_count":33,"mention_count":60,"longest_message":412,"shortest_message":1,"vocabulary_size":2210,"created_at":null,"updated_at":"2024-07-31 04:26:41"},
            "achievements":[{"id":null,"username":"alice","achievement_type":"message_count","achievement_level":"silver","achieved_at":1721000000000,"details":"Reached 1000 messages","created_at":null,"name":"Chatterbox","description":"Send messages in chat","icon":"💬"}],
            "activitySummary":{"username":"alice","most_active_hour":21,"least_active_hour":5,"morning_messages":300,"afternoon_messages":500,"evening_messages":600,"night_messages":120,"night_owl_score":7.9,"early_bird_score":19.7,"consistency_score":41.2,"created_at":null,"updated_at":"2024-07-31 04:26:41"}}}
            """;

    static final String LEADERBOARD_EXAMPLE =
            """
            {"ok":true,"entries":[{"userkey":"service:x.com:225037966","username":"bob","name":"Bob","avatar":"","score":null,"reviews_given":12,"reviews_received":10,"reciprocal_reviews":8,"farming_score":74,"risk_level":"high","quick_reciprocations":3,"avg_reciprocal_time":"5.25","last_analyzed":"2025-06-27T14:51:24.000Z","analysis_version":"tally-1","processing_time":0,"created_at":null,"updated_at":"2025-06-27T14:51:25.120Z","ethos_score":null,"ethos_xp":null,"high_risk_r4rs":1}],
            "stats":{"totalEntries":5321,"highRisk":212,"moderateRisk":640,"lowRisk":4469,"lastUpdated":"2025-06-27T14:51:24.000Z"},
            "pagination":{"limit":100,"offset":0,"total":5321}}
            """;

    static final String HEALTHZ_EXAMPLE =
            """
            {"status":"ok","database":true,"pipelines":[{"pipeline":"chat","watermark":"2025-06-27T14:51:24.000Z",
            "updated_at":"2025-06-27T14:51:24.000Z","stale":false}],"time":"2025-06-27T14:51:24.000Z"}
            """;

    static final String BATCH_STATUS_EXAMPLE =
            """
            {"success":true,"data":{"jobs":[{"job_name":"chat","last_run":1719800000123,"next_run":null,"status":"running","error_count":0,"last_error":null,"created_at":null,"updated_at":"2024-07-31 04:26:41"}],
            "lastRuns":[{"job_name":"chat","status":"running","started_at":1719800000123,"completed_at":1719800000123,"records_processed":12,"duration_ms":null}],
            "cacheStatus":{"user_stats":{"recordCount":1,"lastUpdate":"2024-07-31 04:26:41"},"user_daily_activity":{"recordCount":1,"lastUpdate":"2024-07-31 04:26:41"},"user_chat_streaks":{"recordCount":1,"lastUpdate":"2024-07-31 04:26:41"},"user_active_hours":{"recordCount":1,"lastUpdate":"2024-07-31 04:26:41"},"message_analysis_cache":{"recordCount":1,"lastUpdate":"2024-07-31 04:26:41"},"chat_achievements":{"recordCount":1,"lastUpdate":"2024-07-31 04:26:41"}}}}
            """;

    static final String CHAT_BOARD_EXAMPLE =
            """
            {"success":true,"data":{"type":"talkers","leaderboard":[{"rank":1,
            "username":"alice","count":1520,"label":"messages"}],"room":"fatpizza"}}
            """;

    static final String V1_HEALTH_EXAMPLE =
            """
            {"success":true,"data":{"status":"ok","uptime":1,"version":"0.1.0","endpoints":7,
            "connections":{"bot":false,"database":true,"websocket":0},"timestamp":"2025-06-27T14:51:24.000Z"}}
            """;

    /** Fields a row may leave null (nullable columns, or values with no source yet). */
    static final Set<String> NULLABLE =
            Set.of(
                    "streak_start_date",
                    "last_run",
                    "started_at",
                    "completed_at",
                    "lastUpdate",
                    "watermark",
                    "name",
                    "username",
                    "lastUpdated");

    static HttpServer server;
    static QueryApi api;
    static Database db;
    static ServeClient client;

    @BeforeAll
    static void fillTheTablesWithTheDemoSampleAndServe() throws Exception {
        String suffix = "serve" + System.nanoTime();
        TallyConfig config =
                JobRunner.config(
                        KAFKA.bootstrapServers(),
                        PG.jdbcUrl(),
                        suffix,
                        Map.of(
                                "pipelines", "chat,reviews",
                                "topic-reviews", "reviews-" + suffix,
                                "topic-alerts", "alerts-" + suffix));
        KAFKA.createTopics(
                4,
                config.chatTopic,
                config.reviewsTopic,
                config.deadLetterTopic,
                config.alertsTopic);
        KAFKA.produce(config.chatTopic, sample("/demo/chat-messages.jsonl"));
        // The demo sample's users stay below every achievement tier: 100 more messages of one
        // of them (one long) earn some, so achievements are served from real rows too.
        KAFKA.produce(config.chatTopic, extraMessages("mika_99", 100));
        for (String line : sample("/demo/reviews.jsonl")) {
            KAFKA.produce(
                    config.reviewsTopic,
                    ReviewStream.keyOf(line),
                    line.getBytes(StandardCharsets.UTF_8));
        }
        JobRunner.runBounded(config);

        db = Database.open(PG.jdbcUrl(), null, null, 4);
        api =
                new QueryApi(
                        db,
                        new ServeSettings(
                                "127.0.0.1",
                                0,
                                List.of("https://app.example"),
                                Duration.ofDays(1),
                                "fatpizza",
                                "0.1.0"),
                        Clock.systemUTC());
        server = HttpServer.start(api, "127.0.0.1", 0);
        client = new ServeClient("http://127.0.0.1:" + server.port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
            api.close();
            db.close();
        }
    }

    @Test
    void healthzReportsEachPipelineFromPipelineStatus() throws Exception {
        ServeClient.Answer a = client.get("/healthz");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
        JsonNode body = a.json();
        assertSameShape("healthz", json(HEALTHZ_EXAMPLE), body, NULLABLE);
        assertThat(body.get("status").asText()).isEqualTo("ok");
        List<Map<String, String>> rows =
                rows(
                        "SELECT pipeline, to_char(watermark AT TIME ZONE 'UTC',"
                                + " 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS watermark,"
                                + " to_char(updated_at AT TIME ZONE 'UTC',"
                                + " 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS updated_at"
                                + " FROM pipeline_status ORDER BY pipeline");
        assertThat(rows).extracting(r -> r.get("pipeline")).containsExactly("chat", "reviews");
        for (int i = 0; i < rows.size(); i++) {
            assertMatchesRow("pipelines[" + i + "]", body.get("pipelines").get(i), rows.get(i));
            assertThat(body.get("pipelines").get(i).get("stale").asBoolean()).isFalse();
        }
        assertThat(body.get("time").asText())
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");

        JsonNode v1 = client.get("/api/v1/health").json();
        assertSameShape("health", json(V1_HEALTH_EXAMPLE), v1, NULLABLE);
        assertThat(v1.at("/data/status").asText()).isEqualTo("ok");
        assertThat(v1.at("/data/connections/database").asBoolean()).isTrue();
    }

    @Test
    void staleAfterTurnsPipelinesIntoErrorsAndHealthIntoDegraded() throws Exception {
        // The same tables through an API whose --stale-after has already passed.
        ServeSettings strict =
                new ServeSettings("127.0.0.1", 0, List.of("*"), Duration.ZERO, "fatpizza", "0.1.0");
        try (QueryApi stale =
                new QueryApi(db, strict, Clock.offset(Clock.systemUTC(), Duration.ofSeconds(5)))) {
            ApiResponse h = stale.handle(ApiRequest.get("/healthz"));
            assertThat(h.status()).isEqualTo(200);
            JsonNode body = ServeClient.MAPPER.readTree(h.body());
            assertThat(body.get("status").asText()).isEqualTo("degraded");
            assertThat(body.at("/pipelines/0/stale").asBoolean()).isTrue();
            JsonNode jobs =
                    ServeClient.MAPPER
                            .readTree(
                                    stale.handle(ApiRequest.get("/api/v1/stats/batch/status"))
                                            .body())
                            .at("/data/jobs");
            assertThat(jobs.get(0).get("status").asText()).isEqualTo("error");
            assertThat(jobs.get(0).get("error_count").asInt()).isEqualTo(1);
            assertThat(jobs.get(0).get("last_error").asText())
                    .startsWith("no status update since 20");
        }
    }

    @Test
    void batchStatusComesFromPipelineStatusAndChatCacheStatus() throws Exception {
        JsonNode body = client.get("/api/v1/stats/batch/status").json();
        assertSameShape("batch", json(BATCH_STATUS_EXAMPLE), body, NULLABLE);
        List<Map<String, String>> status =
                rows(
                        "SELECT pipeline AS job_name,"
                                + " (extract(epoch FROM last_flush_at) * 1000)::bigint AS last_run,"
                                + " to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS updated_at,"
                                + " records_out AS records_processed"
                                + " FROM pipeline_status ORDER BY pipeline");
        JsonNode jobs = body.at("/data/jobs");
        JsonNode runs = body.at("/data/lastRuns");
        assertThat(jobs).hasSize(status.size());
        for (int i = 0; i < status.size(); i++) {
            Map<String, String> r = status.get(i);
            assertThat(jobs.get(i).get("job_name").asText()).isEqualTo(r.get("job_name"));
            assertThat(jobs.get(i).get("last_run").asLong())
                    .isEqualTo(Long.parseLong(r.get("last_run")));
            assertThat(jobs.get(i).get("updated_at").asText()).isEqualTo(r.get("updated_at"));
            assertThat(jobs.get(i).get("status").asText()).isEqualTo("running");
            assertThat(runs.get(i).get("started_at").asLong())
                    .isEqualTo(Long.parseLong(r.get("last_run")));
            assertThat(runs.get(i).get("records_processed").asLong())
                    .isEqualTo(Long.parseLong(r.get("records_processed")));
        }
        for (Map<String, String> r :
                rows(
                        "SELECT table_name, records,"
                                + " to_char(last_update AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS last_update"
                                + " FROM chat_cache_status")) {
            JsonNode t = body.at("/data/cacheStatus").get(r.get("table_name"));
            if (t == null) {
                continue; // the view covers more tables than the bot listed
            }
            assertThat(t.get("recordCount").asLong()).isEqualTo(Long.parseLong(r.get("records")));
            assertThat(t.get("lastUpdate").textValue()).isEqualTo(r.get("last_update"));
            assertThat(t.get("recordCount").asLong()).as(r.get("table_name")).isPositive();
        }
    }

    @Test
    void userTalkersHasTheExampleShapeAndTheTablesValues() throws Exception {
        // "ALICE", "Alice" and "alice" are one user (SPEC §2.2, §6.1.4).
        ServeClient.Answer a = client.get("/api/v1/stats/users/ALIce/category/talkers?room=memes");
        assertThat(a.status()).isEqualTo(200);
        JsonNode body = a.json();
        assertSameShape("talkers", json(USER_EXAMPLE), body, NULLABLE);
        JsonNode d = body.get("data");
        assertThat(d.get("username").asText()).isEqualTo("alice");
        assertThat(d.get("room").asText()).isEqualTo("memes");

        assertMatchesRow(
                "userStats",
                d.get("userStats"),
                row(
                        "SELECT username, first_seen, last_seen, message_count, total_words,"
                                + " to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS updated_at"
                                + " FROM user_stats WHERE username = 'alice'"));
        assertMatchesRow(
                "chatStreaks",
                d.get("chatStreaks"),
                row(
                        "SELECT username, current_streak, best_streak, last_active_date::text,"
                                + " streak_start_date::text, total_active_days,"
                                + " to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS updated_at"
                                + " FROM user_chat_streaks WHERE username = 'alice'"));
        assertMatchesRow(
                "messageAnalysis",
                d.get("messageAnalysis"),
                row(
                        "SELECT username, total_messages, total_words, avg_message_length,"
                                + " avg_words_per_message, emoji_count, emoji_usage_rate, caps_count,"
                                + " caps_usage_rate, question_count, exclamation_count, url_count,"
                                + " mention_count, longest_message, shortest_message, vocabulary_size"
                                + " FROM message_analysis_cache WHERE username = 'alice'"));
        Map<String, String> summary =
                row(
                        "SELECT username, most_active_hour, least_active_hour, morning_messages,"
                                + " afternoon_messages, evening_messages, night_messages,"
                                + " night_owl_score, early_bird_score, consistency_score"
                                + " FROM user_activity_summary WHERE username = 'alice'");
        assertMatchesRow("activitySummary", d.get("activitySummary"), summary);
        assertThat(d.at("/activeHours/morning").asText())
                .isEqualTo(summary.get("morning_messages"));
        assertThat(d.at("/activeHours/night").asText()).isEqualTo(summary.get("night_messages"));
        assertMatchesRow(
                "allTime",
                d.get("allTime"),
                row(
                        "SELECT s.message_count,"
                                + " (SELECT count(*) FROM user_daily_activity WHERE username = 'alice') AS days_active,"
                                + " m.avg_words_per_message AS avg_words"
                                + " FROM user_stats s JOIN message_analysis_cache m USING (username)"
                                + " WHERE username = 'alice'"));

        List<Map<String, String>> hours =
                rows(
                        "SELECT username, room_id, hour, message_count, word_count, avg_message_length"
                                + " FROM user_active_hours WHERE username = 'alice'"
                                + " ORDER BY hour, room_id COLLATE \"C\"");
        assertThat(hours).isNotEmpty();
        assertThat(d.at("/activeHours/hourlyData")).hasSize(hours.size());
        for (int i = 0; i < hours.size(); i++) {
            assertMatchesRow(
                    "hourlyData[" + i + "]", d.at("/activeHours/hourlyData").get(i), hours.get(i));
        }
        List<Map<String, String>> awards =
                rows(
                        "SELECT a.username, achievement_type, achievement_level,"
                                + " (extract(epoch FROM achieved_at) * 1000)::bigint AS achieved_at,"
                                + " details, d.name, d.description, d.icon"
                                + " FROM chat_achievements a JOIN achievement_definitions d ON d.type = a.achievement_type"
                                + " WHERE a.username = 'alice'"
                                + " ORDER BY a.achieved_at DESC, achievement_type COLLATE \"C\","
                                + " array_position(ARRAY['bronze','silver','gold','diamond'], achievement_level) DESC");
        assertThat(d.get("achievements")).hasSize(awards.size());
        for (int i = 0; i < awards.size(); i++) {
            assertMatchesRow(
                    "achievements[" + i + "]", d.get("achievements").get(i), awards.get(i));
        }

        JsonNode mika = client.get("/api/v1/stats/users/mika_99/category/talkers").json();
        assertSameShape("mika", json(USER_EXAMPLE), mika, NULLABLE);
        assertThat(mika.at("/data/achievements").size()).isGreaterThanOrEqualTo(2);
        List<Map<String, String>> mikaAwards =
                rows(
                        "SELECT achievement_type, achievement_level,"
                                + " (extract(epoch FROM achieved_at) * 1000)::bigint AS achieved_at"
                                + " FROM chat_achievements WHERE username = 'mika_99'"
                                + " ORDER BY achieved_at DESC, achievement_type COLLATE \"C\","
                                + " array_position(ARRAY['bronze','silver','gold','diamond'], achievement_level) DESC");
        for (int i = 0; i < mikaAwards.size(); i++) {
            assertMatchesRow(
                    "mika achievements[" + i + "]",
                    mika.at("/data/achievements").get(i),
                    mikaAwards.get(i));
        }

        // A non-ASCII user key, percent-encoded in the path.
        ServeClient.Answer li =
                client.get("/api/v1/stats/users/%E6%9D%8E%E9%9B%B7/category/talkers");
        assertThat(li.status()).isEqualTo(200);
        assertThat(li.json().at("/data/username").asText()).isEqualTo("李雷");
        assertThat(li.json().at("/data/room").asText()).isEqualTo("fatpizza");
        assertThat(li.body()).contains("李雷"); // non-ASCII raw, not \\u-escaped (SPEC §6.1.3)
    }

    @Test
    void anExcludedSenderGetsTheDefaultsOfMissingRows() throws Exception {
        // Dazza is a bot (SPEC §2.2): a user_stats row, no rows in the other tables.
        JsonNode d = client.get("/api/v1/stats/users/dazza/category/talkers").json().get("data");
        Map<String, String> stats =
                row("SELECT message_count, total_words FROM user_stats WHERE username = 'dazza'");
        assertThat(JsonShapes.fieldNames(d.get("chatStreaks")))
                .containsExactly("current_streak", "best_streak", "total_active_days");
        assertThat(d.at("/chatStreaks/total_active_days").asLong()).isZero();
        assertThat(d.at("/allTime/days_active").asLong()).isZero();
        assertThat(d.at("/allTime/avg_words").asLong()).isZero();
        assertThat(JsonShapes.fieldNames(d.get("messageAnalysis")))
                .containsExactly(
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
        assertThat(d.at("/messageAnalysis/total_messages").asText())
                .isEqualTo(stats.get("message_count"));
        assertThat(d.at("/messageAnalysis/total_words").asText())
                .isEqualTo(stats.get("total_words"));
        assertThat(d.get("activitySummary").toString())
                .isEqualTo(
                        "{\"night_owl_score\":0,\"early_bird_score\":0,\"consistency_score\":0}");
        assertThat(d.get("achievements").size())
                .isEqualTo(
                        (int)
                                Long.parseLong(
                                        row("SELECT count(*) AS n FROM chat_achievements WHERE username = 'dazza'")
                                                .get("n")));
    }

    @Test
    void chatLeaderboardsCountFromTheirTablesInATotalOrder() throws Exception {
        JsonNode talkers = client.get("/api/v1/stats/leaderboard/talkers?limit=50").json();
        assertSameShape("talkers board", json(CHAT_BOARD_EXAMPLE), talkers, NULLABLE);
        List<Map<String, String>> expected =
                rows(
                        "SELECT username, sum(message_count) AS count FROM user_active_hours"
                                + " WHERE room_id = 'fatpizza' GROUP BY username"
                                + " ORDER BY 2 DESC, username COLLATE \"C\"");
        assertBoard(talkers.at("/data/leaderboard"), expected);
        assertThat(talkers.at("/data/room").asText()).isEqualTo("fatpizza");

        JsonNode messages = client.get("/api/v1/stats/leaderboard/messages?room=memes").json();
        List<Map<String, String>> all =
                rows(
                        "SELECT username, message_count AS count FROM user_stats"
                                + " ORDER BY 2 DESC, username COLLATE \"C\"");
        assertBoard(messages.at("/data/leaderboard"), all.subList(0, Math.min(10, all.size())));
        assertThat(messages.at("/data/type").asText()).isEqualTo("messages");
        assertThat(messages.at("/data/room").asText()).isEqualTo("memes");

        // parseInt-like limits (SPEC §6.3): never an error.
        assertThat(boardSize("?limit=2abc")).isEqualTo(Math.min(2, expected.size()));
        assertThat(boardSize("?limit=abc")).isEqualTo(Math.min(10, expected.size()));
        assertThat(boardSize("?limit=0")).isEqualTo(Math.min(10, expected.size()));
        assertThat(boardSize("?limit=-7")).isEqualTo(1);
        assertThat(boardSize("?limit=%20%203")).isEqualTo(Math.min(3, expected.size()));
        assertThat(boardSize("?limit=0x2")).isEqualTo(Math.min(2, expected.size()));
        assertThat(boardSize("?limit=99999999999999999999999"))
                .isEqualTo(Math.min(50, expected.size()));

        ServeClient.Answer game = client.get("/api/v1/stats/leaderboard/bongs");
        assertThat(game.status()).isEqualTo(404);
        assertThat(without(game.json(), "id"))
                .isEqualTo(
                        "{\"error\":true,\"message\":\"Leaderboard 'bongs' is not served by Tally\",\"code\":\"NOT_FOUND\"}");
        ServeClient.Answer other = client.get("/api/v1/stats/leaderboard/nope");
        assertThat(other.status()).isEqualTo(400);
        assertThat(other.json().get("message").asText())
                .isEqualTo("Invalid leaderboard type. Must be one of: talkers, messages");
        assertThat(other.json().get("code").asText()).isEqualTo("VALIDATION_ERROR");
        assertThat(other.json().get("id").asText()).isEqualTo(other.header("X-Request-Id"));
    }

    @Test
    void reviewsLeaderboardHasTheExampleShapeTheTablesValuesAndOrder() throws Exception {
        ServeClient.Answer a = client.get("/api/leaderboard?sortBy=reviews_given&limit=5");
        assertThat(a.status()).isEqualTo(200);
        JsonNode body = a.json();
        assertSameShape("leaderboard", json(LEADERBOARD_EXAMPLE), body, NULLABLE);
        List<Map<String, String>> expected =
                rows(
                        "SELECT userkey, username, name, reviews_given, reviews_received,"
                                + " reciprocal_reviews, farming_score, risk_level, quick_reciprocations,"
                                + " avg_reciprocal_time::text, high_risk_r4rs, analysis_version,"
                                + " to_char(last_analyzed AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS last_analyzed,"
                                + " to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS updated_at"
                                + " FROM leaderboard_entries"
                                + " ORDER BY reviews_given DESC, farming_score DESC, userkey COLLATE \"C\" LIMIT 5");
        assertThat(body.get("entries")).hasSize(5);
        for (int i = 0; i < 5; i++) {
            JsonNode e = body.get("entries").get(i);
            assertMatchesRow("entries[" + i + "]", e, expected.get(i));
            assertThat(e.get("avg_reciprocal_time").isTextual()).isTrue();
            assertThat(e.get("avg_reciprocal_time").asText()).matches("\\d+\\.\\d\\d");
        }
        Map<String, String> stats =
                row(
                        "SELECT count(*) AS \"totalEntries\","
                                + " count(*) FILTER (WHERE risk_level = 'high') AS \"highRisk\","
                                + " count(*) FILTER (WHERE risk_level = 'moderate') AS \"moderateRisk\","
                                + " count(*) FILTER (WHERE risk_level = 'low') AS \"lowRisk\","
                                + " to_char(max(last_analyzed) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS \"lastUpdated\""
                                + " FROM leaderboard_entries");
        assertMatchesRow("stats", body.get("stats"), stats);
        assertThat(body.get("pagination").toString())
                .isEqualTo(
                        "{\"limit\":5,\"offset\":0,\"total\":" + stats.get("totalEntries") + "}");

        // Every sortBy gives a total order: paging through it returns every userkey once.
        for (String sortBy : LeaderboardEndpoints.SORT_COLUMNS.keySet()) {
            for (String order : List.of("asc", "desc")) {
                List<String> keys = new ArrayList<>();
                for (int offset = 0; offset < 40; offset += 3) {
                    JsonNode page =
                            client.get(
                                            "/api/leaderboard?sortBy="
                                                    + sortBy
                                                    + "&sortOrder="
                                                    + order
                                                    + "&limit=3&offset="
                                                    + offset)
                                    .json();
                    page.get("entries").forEach(e -> keys.add(e.get("userkey").asText()));
                }
                assertThat(keys)
                        .as(sortBy + " " + order)
                        .doesNotHaveDuplicates()
                        .hasSize(Integer.parseInt(stats.get("totalEntries")));
            }
        }

        // risk filters entries and pagination.total; stats stay over the whole table.
        JsonNode high = client.get("/api/leaderboard?risk=high").json();
        assertThat(high.at("/pagination/total").asText()).isEqualTo(stats.get("highRisk"));
        assertThat(high.get("entries"))
                .allSatisfy(e -> assertThat(e.get("risk_level").asText()).isEqualTo("high"));
        assertThat(high.at("/stats/totalEntries").asText()).isEqualTo(stats.get("totalEntries"));

        // lookup by userkey and by username ignoring ASCII case.
        String key = expected.get(0).get("userkey");
        JsonNode byKey = client.get("/api/leaderboard/lookup?userkey=" + key).json();
        assertThat(JsonShapes.fieldNames(byKey)).containsExactly("ok", "entries");
        assertThat(byKey.get("entries")).hasSize(1);
        assertSameShape(
                "lookup",
                json(LEADERBOARD_EXAMPLE).get("entries").get(0),
                byKey.get("entries").get(0),
                NULLABLE);
        String name = expected.get(0).get("username").toUpperCase(java.util.Locale.ROOT);
        JsonNode byName = client.get("/api/leaderboard/lookup?username=" + name).json();
        assertThat(byName.get("entries")).extracting(e -> e.get("userkey").asText()).contains(key);
        assertThat(client.get("/api/leaderboard/lookup").status()).isEqualTo(400);
        assertThat(client.get("/api/leaderboard/lookup?userkey=a&username=b").status())
                .isEqualTo(400);
    }

    @Test
    void errorsMethodsAndCorsFollowSpec61() throws Exception {
        ServeClient.Answer bad = client.get("/api/leaderboard?limit=abc");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body())
                .isEqualTo(
                        "{\"ok\":false,\"error\":\"limit: expected a non-negative integer, got \\\"abc\\\"\"}");
        assertThat(client.get("/api/leaderboard?offset=-1").body())
                .isEqualTo(
                        "{\"ok\":false,\"error\":\"offset: expected a non-negative integer, got \\\"-1\\\"\"}");
        JsonNode capped =
                client.get("/api/leaderboard?limit=5000&sortBy=nonsense&sortOrder=up").json();
        assertThat(capped.at("/pagination/limit").asInt()).isEqualTo(1000);

        ServeClient.Answer post = client.send("POST", "/api/leaderboard", null);
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.body()).isEqualTo("{\"ok\":false,\"error\":\"Method not allowed\"}");
        ServeClient.Answer del = client.send("DELETE", "/api/v1/stats/batch/status", null);
        assertThat(del.status()).isEqualTo(405);
        assertThat(without(del.json(), "id"))
                .isEqualTo(
                        "{\"error\":true,\"message\":\"Method not allowed\",\"code\":\"METHOD_NOT_ALLOWED\"}");

        ServeClient.Answer unknown = client.get("/api/v1/messages");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body())
                .isEqualTo(
                        "{\"error\":true,\"message\":\"Endpoint not found\",\"code\":\"NOT_FOUND\"}");
        ServeClient.Answer noUser = client.get("/api/v1/stats/users/nobody/category/talkers");
        assertThat(noUser.status()).isEqualTo(404);
        assertThat(noUser.json().get("message").asText()).isEqualTo("User stats not found");
        ServeClient.Answer category = client.get("/api/v1/stats/users/alice/category/drinkers");
        assertThat(category.status()).isEqualTo(404);
        assertThat(category.json().get("message").asText())
                .isEqualTo("Category 'drinkers' is not served by Tally");
        String longName = "x".repeat(101);
        assertThat(client.get("/api/v1/stats/users/" + longName + "/category/talkers").status())
                .isEqualTo(400);

        // CORS: an allowed origin gets the header on answers and errors; another gets none.
        ServeClient.Answer allowed =
                client.send("GET", "/api/leaderboard?limit=x", "https://app.example");
        assertThat(allowed.status()).isEqualTo(400);
        assertThat(allowed.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
        ServeClient.Answer other = client.send("GET", "/healthz", "https://evil.example");
        assertThat(other.status()).isEqualTo(200);
        assertThat(other.header("Access-Control-Allow-Origin")).isNull();
        ServeClient.Answer preflight =
                client.send("OPTIONS", "/api/v1/stats/batch/status", "https://app.example");
        assertThat(preflight.status()).isEqualTo(204);
        assertThat(preflight.header("Access-Control-Allow-Origin"))
                .isEqualTo("https://app.example");
        assertThat(preflight.header("Access-Control-Allow-Methods")).contains("GET");
    }

    private static void assertBoard(JsonNode board, List<Map<String, String>> expected) {
        assertThat(board).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(board.get(i).get("rank").asInt()).isEqualTo(i + 1);
            assertMatchesRow("leaderboard[" + i + "]", board.get(i), expected.get(i));
            assertThat(board.get(i).get("label").asText()).isEqualTo("messages");
        }
    }

    private static int boardSize(String query) throws Exception {
        ServeClient.Answer a = client.get("/api/v1/stats/leaderboard/talkers" + query);
        assertThat(a.status()).as(query).isEqualTo(200);
        return a.json().at("/data/leaderboard").size();
    }

    private static String without(JsonNode n, String field) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) n).remove(field);
        return n.toString();
    }

    static JsonNode json(String s) throws Exception {
        return ServeClient.MAPPER.readTree(s);
    }

    static List<String> extraMessages(String user, int n) {
        List<String> out = new ArrayList<>();
        long ts = 1_794_800_000_000L; // inside the demo sample's time span
        for (int i = 0; i < n; i++) {
            String text = i == 0 ? "long ".repeat(30) + "message" : "more chat " + i;
            out.add(
                    "{\"id\":\"extra-"
                            + i
                            + "\",\"room\":\"fatpizza\",\"username\":\""
                            + user
                            + "\",\"text\":\""
                            + text
                            + "\",\"ts\":"
                            + (ts + i * 3_600_000L)
                            + "}");
        }
        return out;
    }

    static List<String> sample(String resource) throws Exception {
        try (InputStream in = ServeContractTest.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .filter(l -> !l.isBlank())
                    .toList();
        }
    }

    static Map<String, String> row(String sql) throws Exception {
        List<Map<String, String>> r = rows(sql);
        assertThat(r).as(sql).hasSize(1);
        return r.get(0);
    }

    static List<Map<String, String>> rows(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(PG.jdbcUrl());
                PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData md = rs.getMetaData();
            List<Map<String, String>> out = new ArrayList<>();
            while (rs.next()) {
                Map<String, String> m = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    m.put(md.getColumnLabel(i), rs.getString(i));
                }
                out.add(m);
            }
            return out;
        }
    }
}
