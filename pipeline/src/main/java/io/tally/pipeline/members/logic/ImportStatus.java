package io.tally.pipeline.members.logic;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The status of an import job, {@code import_jobs.status} (SPEC §4.4), and the moves a job makes
 * between them (SPEC §4.2):
 *
 * <pre>
 * pending ──start──> processing ──an empty or the last page──> completed
 *                      │    ^  └──an error retrying cannot fix, or the 4th attempt failing──> failed
 *     an attempt failed│    │start (the next attempt, from the cursor)
 *                      v    │
 *                      retry
 * </pre>
 *
 * A page applied keeps a job {@code processing}; {@code completed} and {@code failed} are final.
 * The job's state keeps the status as its table name ({@link #tableName()}): the state's layout
 * does not change with this enum.
 */
public enum ImportStatus {
    PENDING,
    PROCESSING,
    RETRY,
    COMPLETED,
    FAILED;

    /** The status as {@code import_jobs.status} and the operator state spell it. */
    public String tableName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status a table name stands for. */
    public static ImportStatus of(String tableName) {
        for (ImportStatus s : values()) {
            if (s.tableName().equals(tableName)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown status " + tableName);
    }

    /** Completed or failed: the job's rows are final. */
    public boolean isFinished() {
        return this == COMPLETED || this == FAILED;
    }

    /** The statuses a job may move to from this one. */
    public Set<ImportStatus> next() {
        return switch (this) {
            case PENDING, RETRY -> EnumSet.of(PROCESSING);
            case PROCESSING -> EnumSet.of(RETRY, COMPLETED, FAILED);
            case COMPLETED, FAILED -> EnumSet.noneOf(ImportStatus.class);
        };
    }

    /** {@code target}, when a job may move there from this status. */
    public ImportStatus moveTo(ImportStatus target) {
        if (!next().contains(target)) {
            throw new IllegalStateException(
                    "an import job cannot move from " + tableName() + " to " + target.tableName());
        }
        return target;
    }
}
