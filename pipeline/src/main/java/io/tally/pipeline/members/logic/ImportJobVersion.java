package io.tally.pipeline.members.logic;

/**
 * The {@code import_jobs.version} of a job's row (SPEC §1.8): a function of how far the job has
 * got, never of how many rows were written. A replay after a crash writes the same version for the
 * same progress, so the row of the furthest progress wins whatever an aborted run wrote after the
 * last checkpoint (counting emitted rows let a stale {@code processing} row outrank the replay's
 * {@code completed} one).
 *
 * <p>Progress is ordered lexicographically by: finished (completed or failed) — attempts — pages
 * applied — status within the attempt (pending &lt; processing &lt; retry) — contact outcomes
 * counted (new + duplicates, filled in downstream by the progress operator). Every field only grows
 * while a job runs, so the version only grows; its bits:
 *
 * <pre>
 * 62: finished | 59-61: attempts (≤ 7) | 42-58: pages (≤ 131 071) | 40-41: status | 0-39: outcomes
 * </pre>
 */
public final class ImportJobVersion {
    static final int OUTCOME_BITS = 40;
    static final int STATUS_SHIFT = OUTCOME_BITS;
    static final int PAGE_SHIFT = STATUS_SHIFT + 2;
    static final int ATTEMPT_SHIFT = PAGE_SHIFT + 17;
    static final int FINISHED_SHIFT = ATTEMPT_SHIFT + 3;

    /** Outcomes fit 40 bits: at most 100 000 pages of 50 members (MembersClient caps both). */
    public static final long MAX_OUTCOMES = (1L << OUTCOME_BITS) - 1;

    private ImportJobVersion() {}

    /** The version of a job row before any contact outcome is counted. */
    public static long of(String status, int attempts, int pagesApplied) {
        return of(ImportStatus.of(status), attempts, pagesApplied);
    }

    /** The version of a job row before any contact outcome is counted. */
    public static long of(ImportStatus status, int attempts, int pagesApplied) {
        long rank =
                switch (status) {
                    case PENDING -> 0;
                    case PROCESSING -> 1;
                    case RETRY -> 2;
                    case COMPLETED, FAILED -> 3;
                };
        return ((status.isFinished() ? 1L : 0L) << FINISHED_SHIFT)
                | ((long) Math.min(attempts, 7) << ATTEMPT_SHIFT)
                | ((long) Math.min(pagesApplied, (1 << 17) - 1) << PAGE_SHIFT)
                | (rank << STATUS_SHIFT);
    }

    /** {@code progressVersion} with the contact outcomes counted so far in its low bits. */
    public static long withOutcomes(long progressVersion, long outcomes) {
        return progressVersion | Math.min(outcomes, MAX_OUTCOMES);
    }
}
