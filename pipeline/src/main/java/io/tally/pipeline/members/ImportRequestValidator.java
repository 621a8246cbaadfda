package io.tally.pipeline.members;

import io.tally.connectors.kafka.BadRecordReason;
import io.tally.connectors.kafka.JsonRecord;
import io.tally.connectors.kafka.RecordValidator;
import io.tally.connectors.kafka.TextRules;
import io.tally.pipeline.members.records.ImportRequest;

/** The field rules of a {@code member-imports} record (SPEC §4.1). */
public final class ImportRequestValidator implements RecordValidator<ImportRequest> {
    private static final long serialVersionUID = 1L;

    /** SPEC §1.6 caps, in characters (code points). */
    static final int MAX_ID_CHARS = 256;

    static final int MAX_LIST_NAME_CHARS = 1000;
    static final int MAX_URL_CHARS = 2048;

    @Override
    public ImportRequest read(JsonRecord json) {
        ImportRequest r = new ImportRequest();
        // SPEC §1.6: job_id, audience_id and list_name are import_jobs/email_contacts columns; the
        // URL and the credential name end up in import_jobs.error when a job fails. None may hold
        // U+0000 or an unpaired surrogate.
        r.jobId = json.requireText("job_id", MAX_ID_CHARS);
        r.audienceId = json.requireText("audience_id", MAX_ID_CHARS);
        r.listName = json.optionalText("list_name", MAX_LIST_NAME_CHARS, null);
        r.sourceUrl = json.requireText("source.url", MAX_URL_CHARS);
        r.credential = json.requireText("source.credential", JsonRecord.NO_CAP);
        Long priority = json.optionalLong("priority", 0);
        Long ts = json.requireTimestamp("ts");
        r.priority =
                priority == null
                        ? 0
                        : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, priority));
        r.ts = ts == null ? Long.MIN_VALUE : ts;
        if (r.jobId != null && r.jobId.isEmpty()) {
            json.problem(BadRecordReason.BAD_VALUE, "job_id: must not be empty");
        }
        if (r.audienceId != null && r.audienceId.isEmpty()) {
            json.problem(BadRecordReason.BAD_VALUE, "audience_id: must not be empty");
        }
        if (r.sourceUrl != null
                && !(r.sourceUrl.startsWith("http://") || r.sourceUrl.startsWith("https://"))) {
            json.problem(
                    BadRecordReason.BAD_VALUE,
                    "source.url: expected an http(s) URL, got \""
                            + TextRules.shortened(r.sourceUrl, 100)
                            + "\"");
        }
        return r;
    }
}
