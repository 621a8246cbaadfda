package io.tally.pipeline.members.records;

/** A member-import request (SPEC §4.1). The credential is a name, never the secret. */
public class ImportRequest {
    public String jobId;
    public String audienceId;
    public String listName;
    public String sourceUrl;
    public String credential;
    public int priority;

    /** Request time, epoch ms. */
    public long ts;

    public ImportRequest() {}
}
