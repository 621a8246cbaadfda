package io.tally.pipeline.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

/** {@code GET /healthz} from {@code pipeline_status} (SPEC §6.2). */
final class HealthEndpoints {
    private HealthEndpoints() {}

    /** SPEC §6.2: stale when now − updated_at > --stale-after (a pipeline never seen is stale). */
    static boolean isStale(Instant updatedAt, Instant now, Duration staleAfter) {
        return updatedAt == null || Duration.between(updatedAt, now).compareTo(staleAfter) > 0;
    }

    /**
     * The 200 body; {@code status} is {@code degraded} when a pipeline is stale or none reported.
     */
    static ObjectNode healthz(Connection c, Instant now, Duration staleAfter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
        }
        ObjectNode body = Json.object();
        body.put("status", "ok");
        body.put("database", true);
        ArrayNode pipelines = body.putArray("pipelines");
        boolean degraded = true;
        try (PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT pipeline, watermark, updated_at FROM pipeline_status"
                                        + " ORDER BY pipeline COLLATE \"C\"");
                ResultSet rs = ps.executeQuery()) {
            boolean anyStale = false;
            boolean any = false;
            while (rs.next()) {
                any = true;
                Instant updated = Json.instant(rs, "updated_at");
                boolean stale = isStale(updated, now, staleAfter);
                anyStale |= stale;
                ObjectNode p = pipelines.addObject();
                Json.text(p, "pipeline", rs);
                Json.isoTime(p, "watermark", rs);
                p.put("updated_at", Json.iso(updated));
                p.put("stale", stale);
            }
            degraded = !any || anyStale;
        }
        if (degraded) {
            body.put("status", "degraded");
        }
        body.put("time", Json.iso(now));
        return body;
    }

    /** The 503 body when the database does not answer (SPEC §6.2). */
    static ObjectNode down(String error) {
        ObjectNode body = Json.object();
        body.put("status", "down");
        body.put("database", false);
        body.put("error", error);
        return body;
    }
}
