package io.tally.pipeline.members;

import io.tally.connectors.postgres.UpsertTable;
import io.tally.pipeline.members.records.AudienceRow;
import io.tally.pipeline.members.records.ContactRow;
import io.tally.pipeline.members.records.ImportJobRow;
import io.tally.pipeline.runtime.Columns;
import java.time.LocalDate;

/**
 * Column mappings of the members tables (SPEC §4.3, §4.4). {@code import_stats_daily} is a view
 * over {@code import_jobs} (migration V7_1), so it has no mapping: a job counts on the day of the
 * {@code completed_at} its row holds, once, whatever the restarts.
 */
public final class MembersTables {
    private MembersTables() {}

    public static UpsertTable<ImportJobRow> importJobs() {
        return UpsertTable.<ImportJobRow>builder("import_jobs")
                .key("job_id", r -> r.jobId)
                .column("audience_id", r -> r.audienceId)
                .column("list_name", r -> r.listName)
                .column("priority", r -> r.priority)
                .column("status", r -> r.status)
                .column("attempts", r -> r.attempts)
                .column("pages_fetched", r -> r.pagesFetched)
                .column("total_pages", r -> r.totalPages)
                .column("members_seen", r -> r.membersSeen)
                .column("contacts_new", r -> r.contactsNew)
                .column("duplicates", r -> r.duplicates)
                .column("invalid", r -> r.invalid)
                .column("error", r -> r.error)
                .column("requested_at", r -> Columns.utc(r.requestedAt))
                .column("started_at", r -> Columns.utc(r.startedAt))
                .column("completed_at", r -> Columns.utc(r.completedAt))
                .column(
                        "completed_date",
                        r -> r.completedDate == null ? null : LocalDate.ofEpochDay(r.completedDate))
                .column("version", r -> r.version)
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .build();
    }

    /** The first occurrence wins (SPEC §4.3): a replay or a later job inserts nothing. */
    public static UpsertTable<ContactRow> contacts() {
        return UpsertTable.<ContactRow>builder("email_contacts")
                .key("audience_id", r -> r.audienceId)
                .key("email", r -> r.email)
                .column("member_id", r -> r.memberId)
                .column("first_name", r -> r.firstName)
                .column("last_name", r -> r.lastName)
                .column("username", r -> r.username)
                .column("job_id", r -> r.jobId)
                .insertOnly()
                .build();
    }

    public static UpsertTable<AudienceRow> audiences() {
        return UpsertTable.<AudienceRow>builder("email_audiences")
                .key("audience_id", r -> r.audienceId)
                .column("member_count", r -> r.memberCount)
                .column("version", r -> r.version)
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .build();
    }
}
