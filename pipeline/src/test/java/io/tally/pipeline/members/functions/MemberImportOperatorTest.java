package io.tally.pipeline.members.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.connectors.members.LocalMembersApi;
import io.tally.connectors.members.MembersPage.Member;
import io.tally.pipeline.members.logic.Credentials;
import io.tally.pipeline.members.records.ImportJobRow;
import io.tally.pipeline.members.records.ImportRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The import operator on a harness that drives processing time (the rate limit, backoff and the
 * finished-job retention are processing-time timers), against a real local members API. A crash is
 * a snapshot, more processing in the doomed run, then a restore of the snapshot in a new harness;
 * the rows of both runs are then applied as the sink would (SPEC §1.8: {@code WHERE t.version <=
 * EXCLUDED.version}).
 */
class MemberImportOperatorTest {
    static final String SECRET = "harness-secret";

    /** 2026-03-01T23:59:00Z: one minute before midnight (UTC is the configured zone). */
    static final long BEFORE_MIDNIGHT = Instant.parse("2026-03-01T23:59:00Z").toEpochMilli();

    static final long AFTER_MIDNIGHT = Instant.parse("2026-03-02T00:01:00Z").toEpochMilli();

    static LocalMembersApi api;
    @TempDir static Path dir;
    static Credentials credentials;

    @BeforeAll
    static void start() throws Exception {
        api = LocalMembersApi.start(0);
        api.requireSecret(SECRET);
        Path secret = dir.resolve("secret");
        Files.writeString(secret, SECRET);
        credentials =
                new Credentials(
                        Map.of("whop-main", secret.toString()),
                        Map.of("WHOP_MAIN", List.of(api.baseUrl() + "/api/v2/")));
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    static OneInputStreamOperatorTestHarness<ImportRequest, ImportJobRow> harness(
            OperatorSubtaskState restore, long now) throws Exception {
        var h =
                new OneInputStreamOperatorTestHarness<ImportRequest, ImportJobRow>(
                        new MemberImportOperator(
                                2, 1000, credentials, ZoneOffset.UTC, Duration.ofSeconds(5)));
        h.setProcessingTime(now);
        if (restore != null) {
            h.initializeState(restore);
        } else {
            h.initializeEmptyState();
        }
        h.open();
        return h;
    }

    static ImportRequest request(String jobId, String audience, String url) {
        ImportRequest r = new ImportRequest();
        r.jobId = jobId;
        r.audienceId = audience;
        r.listName = "List " + jobId;
        r.sourceUrl = url;
        r.credential = "whop-main";
        r.ts = 1_000;
        return r;
    }

    /**
     * Runs the mails (HTTP results) and moves processing time on by 10 ms a step until {@code
     * done}: the rate limit and the backoff wait on processing-time timers.
     */
    static void drive(OneInputStreamOperatorTestHarness<?, ?> h, BooleanSupplier done)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out").isLessThan(deadline);
            Optional<Mail> mail;
            while ((mail = h.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY)).isPresent()) {
                mail.get().run();
            }
            h.setProcessingTime(h.getProcessingTime() + 10);
            Thread.sleep(1);
        }
    }

    static List<ImportJobRow> jobRows(OneInputStreamOperatorTestHarness<?, ImportJobRow> h) {
        List<ImportJobRow> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r && r.getValue() instanceof ImportJobRow row) {
                out.add(row);
            }
        }
        return out;
    }

    static boolean finished(OneInputStreamOperatorTestHarness<?, ImportJobRow> h, String jobId) {
        return jobRows(h).stream()
                .anyMatch(
                        r ->
                                r.jobId.equals(jobId)
                                        && ("completed".equals(r.status)
                                                || "failed".equals(r.status)));
    }

    /** What {@code import_jobs} holds after these rows, written in this order with the guard. */
    static Map<String, ImportJobRow> guarded(List<ImportJobRow> rows) {
        Map<String, ImportJobRow> table = new LinkedHashMap<>();
        for (ImportJobRow r : rows) {
            ImportJobRow old = table.get(r.jobId);
            if (old == null || old.version <= r.version) {
                table.put(r.jobId, r);
            }
        }
        return table;
    }

    static List<Member> members(String prefix, int n) {
        List<Member> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Member("" + i, prefix + i + "@example.com", "Name " + i, "u" + i));
        }
        return out;
    }

    @Test
    void aReplayedJobRequestedAfterTheCheckpointEndsCompletedWhateverTheDoomedRunWrote()
            throws Exception {
        String audience = "replay-" + System.nanoTime();
        String url = api.baseUrl() + api.addAudience(audience, members("r", 120)); // 3 pages
        // The doomed run: checkpoint before the request; then page 2 fails every time, so the
        // first two attempts fail and a third one starts — more rows than the replay will write.
        var first = harness(null, BEFORE_MIDNIGHT);
        OperatorSubtaskState checkpoint = first.snapshot(1, BEFORE_MIDNIGHT);
        api.failAlways(audience, 2, 503);
        first.processElement(new StreamRecord<>(request("job-r", "aud-R", url)));
        drive(
                first,
                () ->
                        jobRows(first).stream()
                                .anyMatch(r -> r.attempts == 3 && "processing".equals(r.status)));
        List<ImportJobRow> written = new ArrayList<>(jobRows(first));
        first.close();

        // The replay: restored from the checkpoint, the request read again, the API healthy.
        api.clearFaults(audience);
        var replay = harness(checkpoint, BEFORE_MIDNIGHT + 60_000);
        replay.processElement(new StreamRecord<>(request("job-r", "aud-R", url)));
        drive(replay, () -> finished(replay, "job-r"));
        written.addAll(jobRows(replay));
        replay.close();

        ImportJobRow row = guarded(written).get("job-r");
        assertThat(row.status).isEqualTo("completed");
        assertThat(row.pagesFetched).isEqualTo(3);
        assertThat(row.attempts).isEqualTo(1);
    }

    /**
     * A job finished just before midnight by the doomed run and again after it by the replay counts
     * on one day: its completion day is decided with the completion, kept in the job, carried in
     * the row, and {@code import_stats_daily} is a view over {@code import_jobs} grouped by it (it
     * used to be a table of absolute per-day rows, so the doomed run's day kept counting the job).
     */
    @Test
    void aJobCompletedBeforeMidnightAndAgainAfterItInTheReplayCountsOnOneDay() throws Exception {
        String audience = "midnight-" + System.nanoTime();
        String url = api.baseUrl() + api.addAudience(audience, members("m", 60)); // 2 pages
        var first = harness(null, BEFORE_MIDNIGHT);
        OperatorSubtaskState checkpoint = first.snapshot(1, BEFORE_MIDNIGHT);
        first.processElement(new StreamRecord<>(request("job-m", "aud-M", url)));
        drive(first, () -> finished(first, "job-m"));
        List<ImportJobRow> written = new ArrayList<>(jobRows(first));
        first.close();

        var replay = harness(checkpoint, AFTER_MIDNIGHT);
        replay.processElement(new StreamRecord<>(request("job-m", "aud-M", url)));
        drive(replay, () -> finished(replay, "job-m"));
        written.addAll(jobRows(replay));
        OperatorSubtaskState afterReplay = replay.snapshot(2, replay.getProcessingTime());
        replay.close();

        ImportJobRow row = guarded(written).get("job-m");
        long day2 = LocalDate.of(2026, 3, 2).toEpochDay();
        assertThat(row.status).isEqualTo("completed");
        assertThat(row.completedDate).isEqualTo(day2);
        assertThat(row.completedAt).isGreaterThanOrEqualTo(AFTER_MIDNIGHT);
        // Decided once: a restore after the completion keeps the instant and the day.
        var again = harness(afterReplay, AFTER_MIDNIGHT + 3_600_000);
        again.processElement(new StreamRecord<>(request("job-m", "aud-M", url))); // a repeat
        assertThat(jobRows(again)).isEmpty();
        again.close();
    }

    /**
     * A finished job is remembered for the retention (a repeat is ignored), then leaves the state
     * at the next checkpoint; an empty page ends a job although total_page promised more.
     */
    @Test
    void finishedJobsLeaveAfterTheRetentionAndAnEmptyPageEndsAJob() throws Exception {
        String audience = "ttl-" + System.nanoTime();
        // 60 members but an API that claims 5 pages: page 3 is empty and ends the job.
        String url = api.baseUrl() + api.addAudience(audience, members("t", 60));
        api.claimTotalPages(audience, 5);
        var h = harness(null, BEFORE_MIDNIGHT);
        h.processElement(new StreamRecord<>(request("job-t", "aud-T", url)));
        drive(h, () -> finished(h, "job-t"));
        ImportJobRow done = jobRows(h).get(jobRows(h).size() - 1);
        assertThat(done.pagesFetched).isEqualTo(3); // the empty page 3 was fetched
        assertThat(done.totalPages).isEqualTo(3);
        h.getOutput().clear();

        long completedAt = done.completedAt;
        h.setProcessingTime(
                completedAt + MemberImportOperator.FINISHED_JOB_RETENTION.toMillis() - 1);
        OperatorSubtaskState kept = h.snapshot(1, h.getProcessingTime());
        h.processElement(new StreamRecord<>(request("job-t", "aud-T", url)));
        assertThat(jobRows(h)).as("a repeat within the retention").isEmpty();
        h.setProcessingTime(completedAt + MemberImportOperator.FINISHED_JOB_RETENTION.toMillis());
        OperatorSubtaskState expired = h.snapshot(2, h.getProcessingTime());
        h.close();
        assertThat(expired.getStateSize()).isLessThan(kept.getStateSize());

        var later = harness(expired, h.getProcessingTime());
        later.processElement(new StreamRecord<>(request("job-t", "aud-T", url)));
        assertThat(jobRows(later))
                .extracting(r -> r.status)
                .startsWith("pending"); // imported again
        later.close();
    }
}
