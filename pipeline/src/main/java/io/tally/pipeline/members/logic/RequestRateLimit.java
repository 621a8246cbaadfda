package io.tally.pipeline.members.logic;

/**
 * SPEC §4.2: at most {@code members.requests-per-second} page requests, over all jobs. Requests are
 * spaced evenly, {@code ceil(1000 / rate)} ms apart, in the order they ask: a request asks for a
 * slot and is told when it may go. The slots are not state — after a restore the first request goes
 * at once.
 */
public final class RequestRateLimit {
    private final long spacingMillis;
    private long nextFreeAt;

    public RequestRateLimit(double requestsPerSecond) {
        this.spacingMillis = (long) Math.ceil(1000.0 / requestsPerSecond);
    }

    /** Takes the next free slot at or after {@code now}; returns when the request may be sent. */
    public long reserve(long now) {
        long at = Math.max(now, nextFreeAt);
        nextFreeAt = at + spacingMillis;
        return at;
    }

    public long spacingMillis() {
        return spacingMillis;
    }
}
