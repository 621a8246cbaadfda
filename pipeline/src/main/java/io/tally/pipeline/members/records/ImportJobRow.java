package io.tally.pipeline.members.records;

/** A row of {@code import_jobs} (SPEC §4.4), written as the job progresses. */
public class ImportJobRow {
    public String jobId;
    public String audienceId;
    public String listName;
    public int priority;

    /**
     * pending, processing, completed, failed or retry ({@link
     * io.tally.pipeline.members.logic.ImportStatus}).
     */
    public String status;

    public int attempts;
    public int pagesFetched;

    /** Null until the first page told. */
    public Integer totalPages;

    public long membersSeen;
    public long contactsNew;
    public long duplicates;
    public long invalid;
    public String error;
    public long requestedAt;

    /** Wall-clock epoch ms; null until started / finished. */
    public Long startedAt;

    public Long completedAt;

    /** Epoch day of completedAt in the configured zone (SPEC §4.4: import_stats_daily's day). */
    public Long completedDate;

    /** {@link io.tally.pipeline.members.logic.ImportJobVersion}: a function of progress. */
    public long version;

    public ImportJobRow() {}
}
