package io.tally.pipeline.members.logic;

import io.tally.connectors.members.MembersPage;
import io.tally.pipeline.members.records.ContactRow;
import io.tally.pipeline.members.records.ImportJob;
import io.tally.pipeline.members.records.ImportJobRow;
import io.tally.pipeline.members.records.ImportRequest;
import java.time.Instant;
import java.time.ZoneId;
import java.util.function.Consumer;

/**
 * How an import job moves on (SPEC §4.2–§4.4): each step changes its status only as {@link
 * ImportStatus} allows and keeps its cursor and counts with it, so that the operator's state after
 * a step is all a restore needs.
 */
public final class ImportJobProgress {
    private ImportJobProgress() {}

    /** A new job for a request: pending, its cursor at page 1. */
    public static ImportJob accept(ImportRequest request) {
        ImportJob j = new ImportJob();
        j.request = request;
        j.status = ImportStatus.PENDING.tableName();
        return j;
    }

    public static ImportStatus status(ImportJob j) {
        return ImportStatus.of(j.status);
    }

    /** A new attempt (the first, or one after a {@code retry}) starts from the job's cursor. */
    public static void start(ImportJob j, long now) {
        j.status = status(j).moveTo(ImportStatus.PROCESSING).tableName();
        j.attempts++;
        j.pageRetries = 0;
        if (j.startedAt == null) {
            j.startedAt = now;
        }
    }

    /**
     * Applies one fetched page in one step: counts its members, hands every valid one on as a
     * candidate contact in (page, index) order — new or duplicate is decided downstream, keyed by
     * (audience, email) — and moves the cursor past it (SPEC §4.2: an applied page is never fetched
     * again). The last page completes the job, and so does an empty one whatever {@code total_page}
     * said: an API that keeps promising pages must not keep a worker forever.
     */
    public static void applyPage(
            ImportJob j,
            int page,
            MembersPage result,
            long now,
            ZoneId zone,
            Consumer<ContactRow> candidates) {
        j.totalPages = Math.max(1, result.totalPages());
        for (MembersPage.Member m : result.members()) {
            j.membersSeen++;
            if (!ContactNames.isValidEmail(m.email())) {
                j.invalid++;
                continue;
            }
            ContactRow c = new ContactRow();
            c.audienceId = j.request.audienceId;
            c.email = ContactNames.emailKey(m.email());
            // SPEC §4.1: the API's data reaches email_contacts without U+0000.
            String name = ContactNames.withoutNul(m.name());
            c.memberId = ContactNames.withoutNul(m.id());
            c.firstName = ContactNames.firstName(name);
            c.lastName = ContactNames.lastName(name);
            c.username = ContactNames.withoutNul(m.username());
            c.jobId = j.request.jobId;
            candidates.accept(c);
        }
        j.nextPage = page + 1;
        j.pageRetries = 0;
        if (result.members().isEmpty() || j.nextPage > j.totalPages) {
            j.totalPages = Math.min(j.totalPages, page);
            complete(j, now, zone);
        }
    }

    /**
     * A page request failed: {@link PageRetryPolicy} decides, and the job moves on accordingly — a
     * page retry counted, or the attempt failed and the job back in the queue as {@code retry} (it
     * resumes from its cursor), or the job failed.
     */
    public static PageRetryPolicy.Decision pageFailed(
            ImportJob j, Throwable error, long now, ZoneId zone) {
        PageRetryPolicy.Decision next =
                PageRetryPolicy.afterFailure(
                        PageRetryPolicy.retryable(error), j.pageRetries, j.attempts);
        switch (next.action()) {
            case RETRY_PAGE -> j.pageRetries++;
            case RETRY_JOB -> {
                j.status = status(j).moveTo(ImportStatus.RETRY).tableName();
                j.error = errorText(error);
            }
            case FAIL_JOB -> fail(j, errorText(error), now, zone);
        }
        return next;
    }

    public static void complete(ImportJob j, long now, ZoneId zone) {
        j.status = status(j).moveTo(ImportStatus.COMPLETED).tableName();
        j.error = null;
        finish(j, now, zone);
    }

    public static void fail(ImportJob j, String error, long now, ZoneId zone) {
        j.status = status(j).moveTo(ImportStatus.FAILED).tableName();
        j.error = error;
        finish(j, now, zone);
    }

    /**
     * The completion instant and its calendar day, {@code import_stats_daily}'s day (SPEC §4.4),
     * are decided once and kept in the job: every later row of the job carries the same ones, so a
     * job counts on one day whatever the restarts (the view groups {@code import_jobs} by it).
     */
    private static void finish(ImportJob j, long now, ZoneId zone) {
        j.completedAt = now;
        j.completedEpochDay = completionDay(now, zone);
    }

    /** The calendar day, in {@code zone}, of a completion at {@code epochMillis}. */
    public static long completionDay(long epochMillis, ZoneId zone) {
        return Instant.ofEpochMilli(epochMillis).atZone(zone).toLocalDate().toEpochDay();
    }

    /**
     * Whether a finished job may be forgotten: its retention after completion has passed. Until
     * then a repeated request is recognized as the same job (SPEC §1.7: producers retry).
     */
    public static boolean expired(ImportJob j, long now, long retentionMillis) {
        return status(j).isFinished()
                && j.completedAt != null
                && j.completedAt + retentionMillis <= now;
    }

    /** What lands in {@code import_jobs.error}: it may quote what the API sent. */
    static String errorText(Throwable error) {
        return ContactNames.withoutNul(
                error.getMessage() == null ? error.toString() : error.getMessage());
    }

    /** The job's {@code import_jobs} row as it stands; contact counts are joined downstream. */
    public static ImportJobRow row(ImportJob j) {
        ImportJobRow r = new ImportJobRow();
        r.jobId = j.request.jobId;
        r.audienceId = j.request.audienceId;
        r.listName = j.request.listName;
        r.priority = j.request.priority;
        r.status = j.status;
        r.attempts = j.attempts;
        r.pagesFetched = j.nextPage - 1;
        r.totalPages = j.totalPages;
        r.membersSeen = j.membersSeen;
        r.invalid = j.invalid;
        r.error = j.error;
        r.requestedAt = j.request.ts;
        r.startedAt = j.startedAt;
        r.completedAt = j.completedAt;
        r.completedDate = j.completedEpochDay;
        r.version = ImportJobVersion.of(j.status, j.attempts, j.nextPage - 1);
        return r;
    }
}
