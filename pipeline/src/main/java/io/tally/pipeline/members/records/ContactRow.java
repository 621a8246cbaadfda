package io.tally.pipeline.members.records;

/** A row of {@code email_contacts} (SPEC §4.3): the first occurrence of an email in an audience. */
public class ContactRow {
    public String audienceId;

    /** Lower-cased (ROOT locale, no trim). */
    public String email;

    public String memberId;
    public String firstName;
    public String lastName;
    public String username;
    public String jobId;

    public ContactRow() {}
}
