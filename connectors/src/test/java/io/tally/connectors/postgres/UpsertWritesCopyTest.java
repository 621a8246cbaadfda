package io.tally.connectors.postgres;

/** {@link UpsertWritesTest} with every flush on the COPY path (issue 12): the same results. */
class UpsertWritesCopyTest extends UpsertWritesTest {
    @Override
    int copyMinRows() {
        return 1;
    }
}
