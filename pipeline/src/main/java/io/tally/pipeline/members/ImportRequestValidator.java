package io.tally.pipeline.members;

import io.tally.connectors.kafka.BadRecordReason;
import io.tally.connectors.kafka.JsonRecord;
import io.tally.connectors.kafka.RecordValidator;
import io.tally.pipeline.members.records.ImportRequest;

/** The field rules of a {@code member-imports} record (SPEC §4.1). */
public final class ImportRequestValidator implements RecordValidator<ImportRequest> {
    private static final long serialVersionUID = 1L;

    @Override
    public ImportRequest read(JsonRecord json) {
        ImportRequest r = new ImportRequest();
        r.jobId = json.requireString("job_id");
        r.audienceId = json.requireString("audience_id");
        r.listName = json.optionalString("list_name", null);
        r.sourceUrl = json.requireString("source.url");
        r.credential = json.requireString("source.credential");
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
                    "source.url: expected an http(s) URL, got \"" + r.sourceUrl + "\"");
        }
        return r;
    }
}
