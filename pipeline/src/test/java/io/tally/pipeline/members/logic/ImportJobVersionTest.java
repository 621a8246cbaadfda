package io.tally.pipeline.members.logic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SPEC §1.8: the version of an import_jobs row orders progress, whatever number of rows a run
 * wrote. Each line: an earlier state, a later one (status, attempts, pages applied, outcomes).
 */
class ImportJobVersionTest {
    @ParameterizedTest(name = "{0},{1},{2},{3} < {4},{5},{6},{7}")
    @CsvSource({
        // within an attempt: pending < processing < page applied < retry
        "pending,    0, 0, 0,     processing, 1, 0, 0",
        "processing, 1, 0, 0,     processing, 1, 1, 0",
        "processing, 1, 3, 150,   retry,      1, 3, 150",
        // outcomes of the same progress counted later
        "processing, 1, 3, 100,   processing, 1, 3, 150",
        // a new attempt outranks any progress of the one before
        "retry,      1, 3, 150,   processing, 2, 3, 150",
        "processing, 1, 99999, 0, processing, 2, 0, 0",
        // finished outranks everything running: the replay's completed row beats a stale
        // processing row of a later attempt that a doomed run wrote (the issue-9 case)
        "processing, 3, 2, 100,   completed,  1, 3, 150",
        "retry,      4, 7, 5000000, failed,   1, 0, 0",
        // the caps: 100 000 pages, 5 M outcomes
        "processing, 1, 99999, 4999950, processing, 1, 100000, 5000000",
    })
    void laterProgressHasTheGreaterVersion(
            String s1, int a1, int p1, long o1, String s2, int a2, int p2, long o2) {
        long earlier = ImportJobVersion.withOutcomes(ImportJobVersion.of(s1, a1, p1), o1);
        long later = ImportJobVersion.withOutcomes(ImportJobVersion.of(s2, a2, p2), o2);
        assertThat(earlier).isNotNegative().isLessThan(later);
        assertThat(later).isPositive();
    }

    @ParameterizedTest
    @CsvSource({"completed, 1, 3, 150", "processing, 2, 10, 500", "pending, 0, 0, 0"})
    void theSameProgressHasTheSameVersionInAReplay(
            String status, int attempts, int pages, long outcomes) {
        assertThat(
                        ImportJobVersion.withOutcomes(
                                ImportJobVersion.of(status, attempts, pages), outcomes))
                .isEqualTo(
                        ImportJobVersion.withOutcomes(
                                ImportJobVersion.of(status, attempts, pages), outcomes));
    }
}
