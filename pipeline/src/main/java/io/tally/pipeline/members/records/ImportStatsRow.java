package io.tally.pipeline.members.records;

/** A row of {@code import_stats_daily} (SPEC §4.4), per calendar day of completed_at. */
public class ImportStatsRow {
    /** Epoch day in the configured time zone. */
    public long epochDay;

    public long totalJobs;
    public long completedJobs;
    public long failedJobs;
    public long totalMembersProcessed;
    public double avgProcessingTimeSeconds;

    /** Finished jobs that day: only grows. */
    public long version;

    public ImportStatsRow() {}
}
