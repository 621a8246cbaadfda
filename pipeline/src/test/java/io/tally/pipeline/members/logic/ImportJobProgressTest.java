package io.tally.pipeline.members.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.connectors.members.MembersFetchException;
import io.tally.connectors.members.MembersPage;
import io.tally.connectors.members.MembersPage.Member;
import io.tally.pipeline.members.records.ContactRow;
import io.tally.pipeline.members.records.ImportJob;
import io.tally.pipeline.members.records.ImportJobRow;
import io.tally.pipeline.members.records.ImportRequest;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SPEC §4.2–§4.4: how a job moves on with each page, failure and completion. */
class ImportJobProgressTest {
    /** 2026-03-01T23:59:00Z: a minute before midnight in UTC, past it in Berlin. */
    static final long BEFORE_MIDNIGHT_UTC = Instant.parse("2026-03-01T23:59:00Z").toEpochMilli();

    static final long STARTED = BEFORE_MIDNIGHT_UTC - 60_000;

    static ImportJob processingJob() {
        ImportRequest r = new ImportRequest();
        r.jobId = "job-1";
        r.audienceId = "aud-1";
        r.listName = "VIP members";
        r.priority = 3;
        r.ts = 1_000;
        ImportJob j = ImportJobProgress.accept(r);
        ImportJobProgress.start(j, STARTED);
        return j;
    }

    /** Members written "email" (id, name and username derived), separated by spaces; "-" = none. */
    static MembersPage page(int page, int totalPages, String emails) {
        List<Member> members = new ArrayList<>();
        if (!emails.equals("-")) {
            int i = 0;
            for (String e : emails.trim().split("\\s+")) {
                String email = e.equals("null") ? null : e.equals("(empty)") ? "" : e;
                members.add(new Member("m" + i, email, "First Last" + i, "u" + i));
                i++;
            }
        }
        return new MembersPage(page, totalPages, members.size(), members);
    }

    @ParameterizedTest(name = "[{index}] {9}")
    @CsvSource(
            delimiter = '|',
            value = {
                // page|total_page| members           |next|total|seen|inv| candidates    | status
                //   | rule
                "1 | 3 | A@x.com bad (empty) b@X.com null | 2 | 3 | 5 | 3 | a@x.com b@x.com | processing | counts, keys lower-cased, invalid ones counted",
                "2 | 3 | c@x.com                       | 3 | 3 | 1 | 0 | c@x.com         | processing | the cursor moves past the page",
                "3 | 3 | c@x.com                       | 4 | 3 | 1 | 0 | c@x.com         | completed  | the last page completes",
                "3 | 5 | -                             | 4 | 3 | 0 | 0 | -               | completed  | an empty page completes whatever total_page said",
                "1 | 0 | -                             | 2 | 1 | 0 | 0 | -               | completed  | an empty audience: one page",
                "2 | 1 | d@x.com                       | 3 | 1 | 1 | 0 | d@x.com         | completed  | a page past total_page completes",
            })
    void applyingAPage(
            int page,
            int totalPages,
            String emails,
            int nextPage,
            int total,
            long seen,
            long invalid,
            String candidates,
            String status,
            String rule) {
        ImportJob j = processingJob();
        j.nextPage = page;
        j.pageRetries = 2;
        List<String> out = new ArrayList<>();
        ImportJobProgress.applyPage(
                j,
                page,
                page(page, totalPages, emails),
                BEFORE_MIDNIGHT_UTC,
                ZoneOffset.UTC,
                c -> out.add(c.email));
        assertThat(j.nextPage).as(rule).isEqualTo(nextPage);
        assertThat(j.totalPages).as(rule).isEqualTo(total);
        assertThat(j.membersSeen).as(rule).isEqualTo(seen);
        assertThat(j.invalid).as(rule).isEqualTo(invalid);
        assertThat(out)
                .as(rule)
                .containsExactlyElementsOf(
                        candidates.equals("-") ? List.of() : Arrays.asList(candidates.split(" ")));
        assertThat(j.status).as(rule).isEqualTo(status);
        assertThat(j.pageRetries).isZero();
        assertThat(j.completedAt)
                .isEqualTo(status.equals("completed") ? BEFORE_MIDNIGHT_UTC : null);
    }

    /** SPEC §4.1, §4.3: a candidate's fields, NUL removed, the name split at its first space. */
    @Test
    void aCandidateCarriesTheAudienceTheJobAndTheMembersFields() {
        ImportJob j = processingJob();
        List<ContactRow> out = new ArrayList<>();
        MembersPage p =
                new MembersPage(
                        1,
                        2,
                        1,
                        List.of(
                                new Member(
                                        "id\u00001",
                                        "Zoë@Example.com",
                                        "Zoë van\u0000 Dijk",
                                        "z")));
        ImportJobProgress.applyPage(j, 1, p, STARTED, ZoneOffset.UTC, out::add);
        assertThat(out).hasSize(1);
        ContactRow c = out.get(0);
        assertThat(c.audienceId).isEqualTo("aud-1");
        assertThat(c.jobId).isEqualTo("job-1");
        assertThat(c.email).isEqualTo("zoë@example.com");
        assertThat(c.memberId).isEqualTo("id1");
        assertThat(c.firstName).isEqualTo("Zoë");
        assertThat(c.lastName).isEqualTo("van Dijk");
        assertThat(c.username).isEqualTo("z");
    }

    @ParameterizedTest(name = "[{index}] {8}")
    @CsvSource(
            delimiter = '|',
            value = {
                // retryable | page retries | attempt | status   | page retries after | error     |
                // completed | action     | rule
                "true        | 0            | 1       | processing | 1                | -         | false     | RETRY_PAGE | a page retry is counted; the job stays processing",
                "true        | 3            | 1       | retry      | 3                | HTTP 503  | false     | RETRY_JOB  | back to the queue with the last error",
                "true        | 3            | 4       | failed     | 3                | HTTP 503  | true      | FAIL_JOB   | the 4th attempt failing fails the job",
                "false       | 0            | 1       | failed     | 0                | HTTP 503  | true      | FAIL_JOB   | at once",
            })
    void aFailedPage(
            boolean retryable,
            int pageRetries,
            int attempts,
            String status,
            int pageRetriesAfter,
            String error,
            boolean completed,
            PageRetryPolicy.Action action,
            String rule) {
        ImportJob j = processingJob();
        j.attempts = attempts;
        j.pageRetries = pageRetries;
        var decision =
                ImportJobProgress.pageFailed(
                        j,
                        new MembersFetchException("HTTP 503", retryable, 503),
                        BEFORE_MIDNIGHT_UTC,
                        ZoneOffset.UTC);
        assertThat(decision.action()).as(rule).isEqualTo(action);
        assertThat(j.status).as(rule).isEqualTo(status);
        assertThat(j.pageRetries).as(rule).isEqualTo(pageRetriesAfter);
        assertThat(j.error).as(rule).isEqualTo(error.equals("-") ? null : error);
        assertThat(j.completedAt).as(rule).isEqualTo(completed ? BEFORE_MIDNIGHT_UTC : null);
    }

    @Test
    void anErrorCarriesNoNulAndAMessagelessOneIsNamed() {
        ImportJob j = processingJob();
        ImportJobProgress.pageFailed(
                j, new MembersFetchException("bad\u0000 body", false, 400), 0, ZoneOffset.UTC);
        assertThat(j.error).isEqualTo("bad body");
        ImportJob k = processingJob();
        ImportJobProgress.pageFailed(k, new IllegalStateException(), 0, ZoneOffset.UTC);
        assertThat(k.error).isEqualTo("java.lang.IllegalStateException");
    }

    /**
     * SPEC §4.4: import_stats_daily counts a job on the calendar day of its completed_at in the
     * configured zone, decided with the completion.
     */
    @ParameterizedTest(name = "{0} in {1} -> {2}")
    @CsvSource({
        "2026-03-01T23:59:00Z, UTC,              2026-03-01",
        "2026-03-02T00:01:00Z, UTC,              2026-03-02",
        "2026-03-01T23:59:00Z, Europe/Berlin,    2026-03-02",
        "2026-03-02T04:30:00Z, America/New_York, 2026-03-01",
        // DST: New York springs forward on 2026-03-08; 04:30Z is 23:30 the day before, EST
        "2026-03-09T03:30:00Z, America/New_York, 2026-03-08",
        "2026-03-09T04:30:00Z, America/New_York, 2026-03-09",
    })
    void theCompletionDayIsTheCalendarDayInTheZone(String at, String zone, String day) {
        ImportJob j = processingJob();
        long now = Instant.parse(at).toEpochMilli();
        ImportJobProgress.complete(j, now, ZoneId.of(zone));
        assertThat(j.completedAt).isEqualTo(now);
        assertThat(LocalDate.ofEpochDay(j.completedEpochDay)).isEqualTo(LocalDate.parse(day));
        assertThat(j.error).isNull();
    }

    @ParameterizedTest(name = "[{index}] {4}")
    @CsvSource(
            delimiter = '|',
            value = {
                // status   | completed at | now  | expired | rule
                "completed  | 1000         | 1999 | false   | within the retention",
                "completed  | 1000         | 2000 | true    | the retention has passed",
                "failed     | 1000         | 2000 | true    | failed jobs too",
                "retry      |              | 9999 | false   | a running job never",
                "processing |              | 9999 | false   | a running job never",
            })
    void aFinishedJobExpiresAfterItsRetention(
            String status, Long completedAt, long now, boolean expired, String rule) {
        ImportJob j = processingJob();
        j.status = status;
        j.completedAt = completedAt;
        assertThat(ImportJobProgress.expired(j, now, 1000)).as(rule).isEqualTo(expired);
    }

    @Test
    void aRowIsTheJobAsItStandsWithTheVersionOfItsProgress() {
        ImportJob j = processingJob();
        ImportJobProgress.applyPage(
                j, 1, page(1, 2, "a@x.com nope"), STARTED, ZoneOffset.UTC, c -> {});
        ImportJobRow r = ImportJobProgress.row(j);
        assertThat(r.jobId).isEqualTo("job-1");
        assertThat(r.audienceId).isEqualTo("aud-1");
        assertThat(r.listName).isEqualTo("VIP members");
        assertThat(r.priority).isEqualTo(3);
        assertThat(r.status).isEqualTo("processing");
        assertThat(r.attempts).isEqualTo(1);
        assertThat(r.pagesFetched).isEqualTo(1);
        assertThat(r.totalPages).isEqualTo(2);
        assertThat(r.membersSeen).isEqualTo(2);
        assertThat(r.invalid).isEqualTo(1);
        assertThat(r.requestedAt).isEqualTo(1_000);
        assertThat(r.startedAt).isEqualTo(STARTED);
        assertThat(r.completedAt).isNull();
        assertThat(r.completedDate).isNull();
        assertThat(r.version).isEqualTo(ImportJobVersion.of(ImportStatus.PROCESSING, 1, 1));
    }

    @Test
    void aStepTheStatusDoesNotAllowIsRefused() {
        ImportJob pending = ImportJobProgress.accept(new ImportRequest());
        assertThatThrownBy(() -> ImportJobProgress.complete(pending, 0, ZoneOffset.UTC))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("an import job cannot move from pending to completed");
        ImportJob done = processingJob();
        ImportJobProgress.complete(done, 0, ZoneOffset.UTC);
        assertThatThrownBy(() -> ImportJobProgress.start(done, 0))
                .isInstanceOf(IllegalStateException.class);
        assertThat(done.attempts).isEqualTo(1);
    }
}
