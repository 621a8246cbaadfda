package io.tally.pipeline.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.connectors.testing.PostgresExtension;
import io.tally.pipeline.app.Preflight;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.testing.Db;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SPEC §6.1.1: SQL-looking, malformed and oversized request values get a 400 or an ordinary answer,
 * never a 500, and change nothing; sessions are read-only with a statement timeout.
 */
class ServeSafetyTest {
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    static final List<String> HOSTILE =
            List.of(
                    "'; DROP TABLE leaderboard_scores; --",
                    "1 OR 1=1",
                    "farming_score; DELETE FROM user_stats",
                    "farming_score DESC, (SELECT pg_sleep(10))",
                    "\" UNION SELECT rolpassword FROM pg_authid --",
                    "alice' --",
                    "\u0000",
                    "a\u0000b",
                    "‮evil",
                    "😀",
                    "-1",
                    "1e309",
                    "NaN",
                    "0x7fffffff",
                    "99999999999999999999999999999",
                    "",
                    " ",
                    "x".repeat(10_000),
                    "é".repeat(5_000));

    /** Raw (already encoded) values: malformed escapes and invalid UTF-8. */
    static final List<String> RAW =
            List.of("%ZZ", "%", "%C3%28", "%FF%FE", "%00", "a%2Fb", "..%2F..");

    static Database db;
    static QueryApi api;
    static HttpServer server;
    static ServeClient client;

    @BeforeAll
    static void start() throws Exception {
        TallyConfig config = TallyConfig.defaults().with(Map.of("jdbc-url", PG.jdbcUrl()));
        Preflight.migrate(config);
        PG.execute(
                "INSERT INTO user_stats VALUES ('alice', 3, 9, 1794000000000, 1794000100000, 1, now());"
                        + "INSERT INTO user_active_hours VALUES ('alice', 'fatpizza', 5, 3, 9, 12, 1, now());"
                        + "INSERT INTO leaderboard_scores (userkey, username, name, reviews_given,"
                        + " reviews_received, reciprocal_reviews, farming_score, risk_level,"
                        + " quick_reciprocations, avg_reciprocal_time, last_analyzed, analysis_version,"
                        + " version) VALUES ('k1', 'bob', 'Bob', 2, 2, 2, 80, 'high', 1, 1.5, now(), 'tally-1', 1),"
                        + " ('k2', 'amy', 'Amy', 1, 1, 0, 0, 'low', 0, 0, now(), 'tally-1', 1);"
                        + "INSERT INTO pipeline_status_counts VALUES ('chat', now(), now(), 3, 3, 0, 0, 1, now())");
        db = Database.open(PG.jdbcUrl(), null, null, 4);
        api =
                new QueryApi(
                        db,
                        new ServeSettings(
                                "127.0.0.1",
                                0,
                                List.of("*"),
                                Duration.ofDays(1),
                                "fatpizza",
                                "0.1.0"),
                        Clock.systemUTC());
        server = HttpServer.start(api, "127.0.0.1", 0);
        client = new ServeClient("http://127.0.0.1:" + server.port());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        api.close();
        db.close();
    }

    @Test
    void hostileValuesGet400sOrOrdinaryAnswersAndChangeNothing() throws Exception {
        List<String> encoded = new ArrayList<>(RAW);
        for (String v : HOSTILE) {
            encoded.add(URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        List<String> asked = new ArrayList<>();
        for (String v : encoded) {
            for (String name : List.of("limit", "offset", "sortBy", "sortOrder", "risk")) {
                asked.add("/api/leaderboard?" + name + "=" + v);
            }
            asked.add("/api/leaderboard?sortBy=username&sortOrder=" + v + "&limit=" + v);
            asked.add("/api/leaderboard/lookup?userkey=" + v);
            asked.add("/api/leaderboard/lookup?username=" + v);
            asked.add("/api/v1/stats/leaderboard/talkers?limit=" + v + "&room=" + v);
            asked.add("/api/v1/stats/leaderboard/" + v);
            asked.add("/api/v1/stats/users/" + v + "/category/talkers?room=" + v);
            asked.add("/api/v1/stats/users/alice/category/" + v);
            asked.add("/healthz?" + v + "=" + v);
        }
        for (String path : asked) {
            ServeClient.RawAnswer a = client.getRaw(path);
            String shown = path.length() > 120 ? path.substring(0, 120) + "…" : path;
            assertThat(a.status()).as(shown).isIn(200, 400, 404);
            assertThat(a.head()).as(shown).contains("Content-Type: " + ApiResponse.JSON);
            // Always one JSON body (chunked bodies are not expected: Jetty knows the length).
            assertThat(ServeClient.MAPPER.readTree(a.body())).as(shown).isNotNull();
        }
        assertThat(Db.count(PG.jdbcUrl(), "SELECT count(*) FROM leaderboard_scores")).isEqualTo(2);
        assertThat(Db.count(PG.jdbcUrl(), "SELECT count(*) FROM user_stats")).isEqualTo(1);
    }

    @Test
    void aRequestLargerThanTheServerTakesIsA4xxInJsonNotA500() throws Exception {
        ServeClient.Answer a = client.get("/api/leaderboard?limit=" + "9".repeat(100_000));
        assertThat(a.status()).isBetween(400, 499);
        assertThat(a.json().get("error").asBoolean()).isTrue();
    }

    @Test
    void sessionsAreReadOnlyAndStatementsTimeOut() {
        assertThatThrownBy(
                        () ->
                                db.read(
                                        c -> {
                                            try (Statement s = c.createStatement()) {
                                                return s.executeUpdate("DELETE FROM user_stats");
                                            }
                                        }))
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("25006"); // read_only_sql_transaction
        assertThatThrownBy(
                        () ->
                                db.read(
                                        c -> {
                                            try (Statement s = c.createStatement()) {
                                                return s.execute("SELECT pg_sleep(6)");
                                            }
                                        }))
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("57014"); // query_canceled by statement_timeout (SPEC §6.1.1: 5 s)
    }

    @Test
    void anUnreachableDatabaseFailsAtOpenAndHealthzSaysDown() throws Exception {
        assertThatThrownBy(
                        () ->
                                Database.open(
                                        "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2",
                                        null,
                                        null,
                                        2))
                .isInstanceOf(SQLException.class);
        // A pool whose server went away: /healthz is 503 "down", other paths 500 in their shape.
        Database gone = Database.open(PG.jdbcUrl(), null, null, 1);
        gone.close();
        try (QueryApi broken =
                new QueryApi(
                        gone,
                        new ServeSettings(
                                "127.0.0.1",
                                0,
                                List.of("*"),
                                Duration.ofDays(1),
                                "fatpizza",
                                "0.1.0"),
                        Clock.systemUTC())) {
            ApiResponse h = broken.handle(ApiRequest.get("/healthz"));
            assertThat(h.status()).isEqualTo(503);
            assertThat(h.bodyText())
                    .startsWith("{\"status\":\"down\",\"database\":false,\"error\":");
            ApiResponse l = broken.handle(ApiRequest.get("/api/leaderboard"));
            assertThat(l.status()).isEqualTo(500);
            assertThat(l.bodyText())
                    .isEqualTo("{\"ok\":false,\"error\":\"Failed to fetch leaderboard data\"}");
            ApiResponse v = broken.handle(ApiRequest.get("/api/v1/stats/batch/status"));
            assertThat(v.status()).isEqualTo(500);
            assertThat(v.bodyText())
                    .isEqualTo(
                            "{\"error\":true,\"message\":\"Internal server error\",\"code\":\"INTERNAL_ERROR\",\"id\":\"test\"}");
        }
    }
}
