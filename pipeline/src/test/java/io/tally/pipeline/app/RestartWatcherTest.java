package io.tally.pipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** SPEC §1.6: the console line of a failure names its root cause, not the wrappers. */
class RestartWatcherTest {
    @Test
    void theInnermostCauseWinsWithItsSimpleNameAndFirstLine() {
        String trace =
                "java.io.IOException: upsert into user_stats failed (SQLState P0001): ERROR: x\n"
                        + "\tat io.tally.connectors.postgres.CoalescingUpserter.flush(C.java:1)\n"
                        + "Caused by: org.postgresql.util.PSQLException: ERROR: user_stats is"
                        + " closed\n"
                        + "  Where: PL/pgSQL function refuse() line 1 at RAISE\n"
                        + "\tat org.postgresql.core.v3.QueryExecutorImpl.receive(Q.java:2)\n";
        assertThat(RestartWatcher.rootCause(trace))
                .isEqualTo("PSQLException: ERROR: user_stats is closed");
    }

    @Test
    void aTraceWithoutCausesIsItsFirstLine() {
        assertThat(RestartWatcher.rootCause("java.lang.IllegalStateException: boom\n\tat x.y(z)"))
                .isEqualTo("IllegalStateException: boom");
        assertThat(RestartWatcher.rootCause("java.lang.NullPointerException"))
                .isEqualTo("NullPointerException");
    }
}
