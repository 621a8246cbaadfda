package io.tally.pipeline.members.records;

/**
 * What the contact dedupe decided for one valid member of a job (SPEC §4.3): a new contact of the
 * audience or a duplicate. The progress operator sums these into {@code contacts_new}, {@code
 * duplicates} and {@code email_audiences.member_count}.
 */
public class ContactOutcome {
    public String audienceId;
    public String jobId;

    /** True for the first occurrence of the email in the audience. */
    public boolean fresh;

    public ContactOutcome() {}
}
