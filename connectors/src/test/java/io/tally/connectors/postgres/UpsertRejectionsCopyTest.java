package io.tally.connectors.postgres;

/**
 * {@link UpsertRejectionsTest} with every flush trying the COPY path first (issue 12): a refused
 * row fails the COPY or the merge, and the savepoint path finds it, as before (SPEC §1.6).
 */
class UpsertRejectionsCopyTest extends UpsertRejectionsTest {
    @Override
    int copyMinRows() {
        return 1;
    }
}
