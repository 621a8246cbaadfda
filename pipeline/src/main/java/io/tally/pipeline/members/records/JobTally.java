package io.tally.pipeline.members.records;

/**
 * The progress operator's state for one running job: the newest progress row of the import operator
 * and the contact outcomes counted so far (SPEC §4.4).
 */
public class JobTally {
    public ImportJobRow latest;
    public boolean latestWritten;
    public long contactsNew;
    public long duplicates;

    public JobTally() {}
}
