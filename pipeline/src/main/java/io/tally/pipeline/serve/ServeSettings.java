package io.tally.pipeline.serve;

import java.time.Duration;
import java.util.List;

/**
 * What {@code tally serve} was started with (SPEC §6).
 *
 * @param host address to listen on
 * @param port port to listen on (0: any free port)
 * @param corsOrigins origins that get {@code Access-Control-Allow-Origin}; {@code *} for any
 * @param staleAfter a pipeline whose status row is older than this is stale (SPEC §6.2)
 * @param defaultRoom the room of the chat endpoints when a request names none (SPEC §6.3)
 * @param version the Tally version {@code /api/v1/health} reports
 */
public record ServeSettings(
        String host,
        int port,
        List<String> corsOrigins,
        Duration staleAfter,
        String defaultRoom,
        String version) {

    /** Whether a request from {@code origin} may read the answer in a browser (SPEC §6.1.5). */
    public boolean allowsOrigin(String origin) {
        return origin != null && (corsOrigins.contains("*") || corsOrigins.contains(origin));
    }
}
