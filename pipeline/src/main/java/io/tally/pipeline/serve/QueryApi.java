package io.tally.pipeline.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole HTTP API as a function from {@link ApiRequest} to {@link ApiResponse} (SPEC §6):
 * routing, methods, CORS, parameter rules and the error bodies of the two path families. The server
 * library only moves bytes, so all of this is testable without a socket.
 */
public final class QueryApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueryApi.class);

    /** SPEC §6.2: /healthz is down when SELECT 1 takes longer than this. */
    static final long HEALTH_TIMEOUT_MS = 2_000;

    /** The paths served, as {@code /api/v1/health} counts them. */
    static final int ENDPOINTS = 7;

    static final int MAX_NAME_CHARACTERS = 100;

    private enum Family {
        V1,
        LEADERBOARD
    }

    private final Database db;
    private final ServeSettings settings;
    private final Clock clock;
    private final Instant started;
    private final ExecutorService healthChecks =
            Executors.newCachedThreadPool(
                    r -> {
                        Thread t = new Thread(r, "tally-serve-health");
                        t.setDaemon(true);
                        return t;
                    });

    public QueryApi(Database db, ServeSettings settings, Clock clock) {
        this.db = db;
        this.settings = settings;
        this.clock = clock;
        this.started = clock.instant();
    }

    public ApiResponse handle(ApiRequest request) {
        Family family = familyOf(request.rawPath());
        ApiResponse response;
        try {
            if (request.method().equals("OPTIONS")) {
                response = ApiResponse.empty(204); // CORS preflight (SPEC §6.1.2)
                response.headers().put("Access-Control-Allow-Methods", "GET, OPTIONS");
                response.headers().put("Access-Control-Max-Age", "86400");
            } else if (!request.method().equals("GET")) {
                response =
                        error(
                                family,
                                request,
                                new ApiException(405, "METHOD_NOT_ALLOWED", "Method not allowed"));
                response.headers().put("Allow", "GET, OPTIONS");
            } else {
                response = route(request);
            }
        } catch (ApiException e) {
            response = error(family, request, e);
        } catch (SQLException | RuntimeException e) {
            // SPEC §6.1.6: details go to the log only.
            LOG.error(
                    "request {} {} {} failed",
                    request.id(),
                    request.method(),
                    request.rawPath(),
                    e);
            response =
                    error(
                            family,
                            request,
                            new ApiException(
                                    500,
                                    "INTERNAL_ERROR",
                                    family == Family.LEADERBOARD
                                            ? "Failed to fetch leaderboard data"
                                            : "Internal server error"));
        }
        cors(request, response);
        return response;
    }

    private ApiResponse route(ApiRequest request) throws SQLException {
        String[] p = segments(request.rawPath());
        if (p.length == 1 && p[0].equals("healthz")) {
            return healthz();
        }
        if (p.length >= 2 && p[0].equals("api") && p[1].equals("leaderboard")) {
            if (p.length == 2) {
                LeaderboardEndpoints.Query q = LeaderboardEndpoints.parse(request);
                return ApiResponse.json(200, db.read(c -> LeaderboardEndpoints.leaderboard(c, q)));
            }
            if (p.length == 3 && p[2].equals("lookup")) {
                return ApiResponse.json(200, db.read(c -> LeaderboardEndpoints.lookup(c, request)));
            }
            throw ApiException.notFound("Not found");
        }
        if (p.length >= 2 && p[0].equals("api") && p[1].equals("v1")) {
            if (p.length == 3 && p[2].equals("health")) {
                return ApiResponse.json(200, success(v1Health()));
            }
            if (p.length == 5
                    && p[2].equals("stats")
                    && p[3].equals("batch")
                    && p[4].equals("status")) {
                Instant now = clock.instant();
                return ApiResponse.json(
                        200,
                        success(
                                db.read(
                                        c ->
                                                ChatEndpoints.batchStatus(
                                                        c, now, settings.staleAfter()))));
            }
            if (p.length == 7
                    && p[2].equals("stats")
                    && p[3].equals("users")
                    && p[5].equals("category")) {
                return userCategory(request, p[4], p[6]);
            }
            if (p.length == 5 && p[2].equals("stats") && p[3].equals("leaderboard")) {
                return chatLeaderboard(request, p[4]);
            }
        }
        throw new ApiException(404, "NOT_FOUND", "Endpoint not found");
    }

    private ApiResponse userCategory(ApiRequest request, String rawUser, String rawCategory)
            throws SQLException {
        String user = userKey(rawUser);
        String category = ApiRequest.decodePathSegment(rawCategory);
        if (!"talkers".equals(category)) {
            throw ApiException.notFound(
                    "Category '"
                            + (category == null ? rawCategory : category)
                            + "' is not served by Tally");
        }
        String room = room(request);
        ObjectNode data = db.read(c -> ChatEndpoints.userTalkers(c, user, room));
        if (data == null) {
            throw ApiException.notFound("User stats not found");
        }
        return ApiResponse.json(200, success(data));
    }

    private ApiResponse chatLeaderboard(ApiRequest request, String rawType) throws SQLException {
        String type = ApiRequest.decodePathSegment(rawType);
        if (type != null && ChatEndpoints.GAME_BOARDS.contains(type)) {
            throw ApiException.notFound("Leaderboard '" + type + "' is not served by Tally");
        }
        if (!"talkers".equals(type) && !"messages".equals(type)) {
            throw ApiException.badRequest(
                    "Invalid leaderboard type. Must be one of: talkers, messages");
        }
        // SPEC §6.3: parseInt, NaN or 0 → 10, clamped to 1–50, never an error.
        Long parsed = ChatEndpoints.parseIntLikeJavaScript(request.param("limit"));
        int limit = parsed == null || parsed == 0 ? 10 : (int) Math.max(1, Math.min(50, parsed));
        String room = room(request);
        return ApiResponse.json(
                200, success(db.read(c -> ChatEndpoints.leaderboard(c, type, limit, room))));
    }

    /** SPEC §6.1.4: percent-decoded, 1–100 characters, ASCII-lower-cased as SPEC §2.2. */
    private static String userKey(String raw) {
        String decoded = ApiRequest.decodePathSegment(raw);
        if (decoded == null) {
            throw ApiException.badRequest("Invalid username: malformed percent-encoding");
        }
        int n = decoded.codePointCount(0, decoded.length());
        // U+0000 is in no user key (SPEC §1.6) and PostgreSQL text cannot even compare with it.
        if (n < 1 || n > MAX_NAME_CHARACTERS || decoded.indexOf('\0') >= 0) {
            throw ApiException.badRequest("Invalid username: expected 1 to 100 characters");
        }
        return LeaderboardEndpoints.asciiLower(decoded);
    }

    /** SPEC §6.3: {@code room} defaults to --default-room; any string of at most 100 characters. */
    private String room(ApiRequest request) {
        String room = request.param("room");
        if (room == null || room.isEmpty()) {
            return settings.defaultRoom();
        }
        if (room.codePointCount(0, room.length()) > MAX_NAME_CHARACTERS
                || room.indexOf('\0') >= 0) {
            throw ApiException.badRequest("Invalid room: at most 100 characters");
        }
        return room;
    }

    private ApiResponse healthz() {
        Instant now = clock.instant();
        try {
            ObjectNode body =
                    withinHealthTimeout(
                            () ->
                                    db.read(
                                            c ->
                                                    HealthEndpoints.healthz(
                                                            c, now, settings.staleAfter())));
            return ApiResponse.json(200, body);
        } catch (TimeoutException e) {
            return ApiResponse.json(
                    503, HealthEndpoints.down("database did not answer within 2 s"));
        } catch (Exception e) {
            LOG.warn("healthz: database check failed", e);
            return ApiResponse.json(503, HealthEndpoints.down("database unavailable"));
        }
    }

    /** The chat bot's own health shape (SPEC §6.2). */
    private ObjectNode v1Health() {
        Instant now = clock.instant();
        boolean database;
        boolean degraded;
        try {
            ObjectNode h =
                    withinHealthTimeout(
                            () ->
                                    db.read(
                                            c ->
                                                    HealthEndpoints.healthz(
                                                            c, now, settings.staleAfter())));
            database = true;
            degraded = !"ok".equals(h.get("status").asText());
        } catch (Exception e) {
            LOG.warn("health: database check failed", e);
            database = false;
            degraded = true;
        }
        ObjectNode data = Json.object();
        data.put("status", degraded ? "degraded" : "ok");
        data.put("uptime", java.time.Duration.between(started, now).toSeconds());
        data.put("version", settings.version());
        data.put("endpoints", ENDPOINTS);
        ObjectNode connections = data.putObject("connections");
        connections.put("bot", false);
        connections.put("database", database);
        connections.put("websocket", 0);
        data.put("timestamp", Json.iso(now));
        return data;
    }

    private <T> T withinHealthTimeout(java.util.concurrent.Callable<T> check) throws Exception {
        Future<T> f = healthChecks.submit(check);
        try {
            return f.get(HEALTH_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    private static ObjectNode success(ObjectNode data) {
        ObjectNode body = Json.object();
        body.put("success", true);
        body.set("data", data);
        return body;
    }

    /** SPEC §6.1.6: the error body of the path family. */
    private static ApiResponse error(Family family, ApiRequest request, ApiException e) {
        ObjectNode body = Json.object();
        if (family == Family.LEADERBOARD) {
            body.put("ok", false);
            body.put("error", e.getMessage());
        } else {
            body.put("error", true);
            body.put("message", e.getMessage());
            body.put("code", e.code);
            // SPEC §6.1.6: the unknown-path body carries no id.
            if (!"Endpoint not found".equals(e.getMessage())) {
                body.put("id", request.id());
            }
        }
        return ApiResponse.json(e.status, body);
    }

    /** SPEC §6.1.5: on every response, errors included; another origin gets no header. */
    private void cors(ApiRequest request, ApiResponse response) {
        Map<String, String> h = response.headers();
        if (settings.corsOrigins().contains("*")) {
            if (request.origin() != null) {
                h.put("Access-Control-Allow-Origin", "*");
            }
            return;
        }
        h.put("Vary", "Origin");
        if (settings.allowsOrigin(request.origin())) {
            h.put("Access-Control-Allow-Origin", request.origin());
        }
    }

    private static Family familyOf(String rawPath) {
        return rawPath.equals("/api/leaderboard") || rawPath.startsWith("/api/leaderboard/")
                ? Family.LEADERBOARD
                : Family.V1;
    }

    /** The path's segments, still encoded; one trailing slash is ignored (as Express does). */
    private static String[] segments(String rawPath) {
        String p = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.split("/", -1);
    }

    @Override
    public void close() {
        healthChecks.shutdownNow();
    }
}
