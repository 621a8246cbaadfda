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
                .keyColumns("job_id")
                .valueColumns(
                        "audience_id",
                        "list_name",
                        "priority",
                        "status",
                        "attempts",
                        "pages_fetched",
                        "total_pages",
                        "members_seen",
                        "contacts_new",
                        "duplicates",
                        "invalid",
                        "error",
                        "requested_at",
                        "started_at",
                        "completed_at",
                        "completed_date",
                        "version")
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .values(
                        r ->
                                new Object[] {
                                    r.jobId,
                                    r.audienceId,
                                    r.listName,
                                    r.priority,
                                    r.status,
                                    r.attempts,
                                    r.pagesFetched,
                                    r.totalPages,
                                    r.membersSeen,
                                    r.contactsNew,
                                    r.duplicates,
                                    r.invalid,
                                    r.error,
                                    Columns.utc(r.requestedAt),
                                    Columns.utc(r.startedAt),
                                    Columns.utc(r.completedAt),
                                    r.completedDate == null
                                            ? null
                                            : LocalDate.ofEpochDay(r.completedDate),
                                    r.version
                                })
                .build();
    }

    /** The first occurrence wins (SPEC §4.3): a replay or a later job inserts nothing. */
    public static UpsertTable<ContactRow> contacts() {
        return UpsertTable.<ContactRow>builder("email_contacts")
                .keyColumns("audience_id", "email")
                .valueColumns("member_id", "first_name", "last_name", "username", "job_id")
                .insertOnly()
                .values(
                        r ->
                                new Object[] {
                                    r.audienceId,
                                    r.email,
                                    r.memberId,
                                    r.firstName,
                                    r.lastName,
                                    r.username,
                                    r.jobId
                                })
                .build();
    }

    public static UpsertTable<AudienceRow> audiences() {
        return UpsertTable.<AudienceRow>builder("email_audiences")
                .keyColumns("audience_id")
                .valueColumns("member_count", "version")
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .values(r -> new Object[] {r.audienceId, r.memberCount, r.version})
                .build();
    }
}
