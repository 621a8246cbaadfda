package io.tally.pipeline.members.records;

/** A row of {@code email_audiences} (SPEC §4.4): distinct contacts of an audience. */
public class AudienceRow {
    public String audienceId;
    public long memberCount;

    /** The member count: only grows. */
    public long version;

    public AudienceRow() {}
}
