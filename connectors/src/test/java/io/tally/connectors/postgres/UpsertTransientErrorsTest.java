package io.tally.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which failures the upsert sink retries ({@link TransientErrors}); no database. */
class UpsertTransientErrorsTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "08000", "08001", "08003", "08006", "40001", "40P01", "53100", "53300", "57P01",
                "57P02", "57P03"
            })
    void connectionAndMomentaryServerStatesAreTransient(String state) {
        assertThat(TransientErrors.isTransient(new SQLException("x", state))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"23505", "23502", "42P01", "42703", "22P02", "21000", "57014", "XX000"})
    void errorsTheSameRowsWouldHitAgainAreNot(String state) {
        // 21000 is "ON CONFLICT DO UPDATE command cannot affect row a second time": a bug in
        // coalescing, not a reason to retry.
        assertThat(TransientErrors.isTransient(new SQLException("x", state))).isFalse();
        assertThat(TransientErrors.isTransient(new SQLException("x"))).isFalse();
    }

    @Test
    void aBatchFailureIsJudgedByTheServerErrorBehindIt() {
        // PgJDBC reports a failed batch as a BatchUpdateException; the server's error is its next
        // exception (and its cause).
        BatchUpdateException batch =
                new BatchUpdateException("Batch entry 0 … was aborted", null, 0, new int[0]);
        SQLException server = new SQLException("FATAL: terminating connection", "57P01");
        batch.setNextException(server);

        assertThat(TransientErrors.isTransient(batch)).isTrue();
        assertThat((Object) TransientErrors.mostSpecific(batch)).isSameAs(server);
    }

    @Test
    void aBrokenSocketIsTransient() {
        SQLException e = new SQLException("An I/O error occurred", null, new EOFException());

        assertThat(TransientErrors.isTransient(e)).isTrue();
    }
}
