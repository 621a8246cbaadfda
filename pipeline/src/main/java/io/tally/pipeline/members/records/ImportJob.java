package io.tally.pipeline.members.records;

/**
 * The state of one import job in the members operator: its request (without any secret), its cursor
 * — the first page not yet applied — and its counts. A Flink POJO kept in operator state.
 */
public class ImportJob {
    public ImportRequest request;

    /**
     * An {@link io.tally.pipeline.members.logic.ImportStatus} by its table name: the state keeps
     * the string, as it always has.
     */
    public String status;

    public int attempts;

    /** The first page not yet fetched and applied (SPEC §4.2: resume here after a crash). */
    public int nextPage = 1;

    public Integer totalPages;

    /** Retries of the current page within the current attempt. */
    public int pageRetries;

    public long membersSeen;
    public long invalid;
    public String error;
    public Long startedAt;
    public Long completedAt;

    /** The calendar day of {@code completedAt} in the configured zone, decided with it. */
    public Long completedEpochDay;

    public ImportJob() {}
}
