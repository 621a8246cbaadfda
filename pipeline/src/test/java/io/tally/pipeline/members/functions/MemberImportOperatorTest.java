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
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.OperatorStateHandle;
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
        return harness(restore, now, 2, 1000);
    }

    static OneInputStreamOperatorTestHarness<ImportRequest, ImportJobRow> harness(
            OperatorSubtaskState restore, long now, int maxConcurrentJobs, double requestsPerSecond)
            throws Exception {
        var h =
                new OneInputStreamOperatorTestHarness<ImportRequest, ImportJobRow>(
                        new MemberImportOperator(
                                maxConcurrentJobs,
                                requestsPerSecond,
                                credentials,
                                ZoneOffset.UTC,
                                Duration.ofSeconds(5)));
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
        return request(jobId, audience, url, 0, 1_000);
    }

    static ImportRequest request(String jobId, String audience, String url, int priority, long ts) {
        ImportRequest r = new ImportRequest();
        r.jobId = jobId;
        r.audienceId = audience;
        r.listName = "List " + jobId;
        r.sourceUrl = url;
        r.credential = "whop-main";
        r.priority = priority;
        r.ts = ts;
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

    // ---- Timers and state, driven on processing time (issue 11) ----

    /** Noon of a day of no interest: every timer below is counted from it. */
    static final long NOON = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();

    /** 10 requests a second are 100 ms apart. */
    static final long TEN_PER_SECOND_SPACING = 100;

    /** Runs the mails there are now (HTTP results, fired timers); processing time stands still. */
    static void runMails(OneInputStreamOperatorTestHarness<?, ?> h) throws Exception {
        Optional<Mail> mail;
        while ((mail = h.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY)).isPresent()) {
            mail.get().run();
        }
    }

    /** Runs mails as HTTP results arrive until {@code done}, processing time standing still. */
    static void awaitMails(OneInputStreamOperatorTestHarness<?, ?> h, BooleanSupplier done)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        runMails(h);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out").isLessThan(deadline);
            Thread.sleep(1);
            runMails(h);
        }
    }

    /** The processing-time timers waiting: rate-limit slots and page backoffs. */
    static Set<Long> timers(OneInputStreamOperatorTestHarness<?, ?> h) {
        return h.getProcessingTimeService().getActiveTimerTimestamps();
    }

    /** The number of jobs in a snapshot's operator list state {@code jobs}. */
    static int jobsInState(OperatorSubtaskState snapshot) {
        int jobs = 0;
        for (OperatorStateHandle handle : snapshot.getManagedOperatorState()) {
            OperatorStateHandle.StateMetaInfo info =
                    handle.getStateNameToPartitionOffsets().get("jobs");
            jobs += info == null ? 0 : info.getOffsets().length;
        }
        return jobs;
    }

    /** The job's rows so far as "status/attempts". */
    static List<String> progress(OneInputStreamOperatorTestHarness<?, ImportJobRow> h, String id) {
        return jobRows(h).stream()
                .filter(r -> r.jobId.equals(id))
                .map(r -> r.status + "/" + r.attempts)
                .toList();
    }

    /** SPEC §4.2: at most requests-per-second requests; the next one waits on a timer. */
    @Test
    void theRateLimitHoldsTheNextRequestOnAProcessingTimeTimer() throws Exception {
        String a = "rate-a-" + System.nanoTime();
        String b = "rate-b-" + System.nanoTime();
        String urlA = api.baseUrl() + api.addAudience(a, members("a", 30));
        String urlB = api.baseUrl() + api.addAudience(b, members("b", 30));
        var h = harness(null, NOON, 2, 10);

        h.processElement(new StreamRecord<>(request("job-a", "aud-A", urlA)));
        assertThat(timers(h)).as("the first request goes at once").isEmpty();
        h.processElement(new StreamRecord<>(request("job-b", "aud-B", urlB)));
        assertThat(progress(h, "job-b")).containsExactly("pending/0", "processing/1");
        assertThat(timers(h))
                .as("the next waits for its slot")
                .containsExactly(NOON + TEN_PER_SECOND_SPACING);
        assertThat(jobsInState(h.snapshot(1, NOON))).isEqualTo(2);

        awaitMails(h, () -> finished(h, "job-a"));
        h.setProcessingTime(NOON + TEN_PER_SECOND_SPACING - 1);
        runMails(h);
        assertThat(api.requests(b)).as("one ms before its slot").isEmpty();
        assertThat(timers(h)).containsExactly(NOON + TEN_PER_SECOND_SPACING);

        h.setProcessingTime(NOON + TEN_PER_SECOND_SPACING);
        awaitMails(h, () -> finished(h, "job-b"));
        assertThat(timers(h)).isEmpty();
        assertThat(api.requests(a)).hasSize(1);
        assertThat(api.requests(b)).hasSize(1);
        ImportJobRow doneB = jobRows(h).get(jobRows(h).size() - 1);
        assertThat(doneB.completedAt).isEqualTo(NOON + TEN_PER_SECOND_SPACING);

        // Finished jobs stay in the state for the retention (a repeat is the same job), then go.
        long retention = MemberImportOperator.FINISHED_JOB_RETENTION.toMillis();
        h.setProcessingTime(doneB.completedAt + retention - 1);
        assertThat(jobsInState(h.snapshot(2, h.getProcessingTime()))).isEqualTo(1);
        h.setProcessingTime(doneB.completedAt + retention);
        assertThat(jobsInState(h.snapshot(3, h.getProcessingTime()))).isZero();
        h.close();
    }

    /**
     * SPEC §4.2: a failing page waits 200, 400, then 800 ms of processing time before it is asked
     * again; the fourth failure ends the attempt, and the job goes back to the queue and starts its
     * second attempt from its cursor.
     */
    @Test
    void aFailingPageBacksOffOnTimersThenTheAttemptGoesBackToTheQueue() throws Exception {
        String aud = "backoff-" + System.nanoTime();
        String url = api.baseUrl() + api.addAudience(aud, members("f", 30)); // one page
        api.failPage(aud, 1, 4, 503);
        var h = harness(null, NOON, 2, 1000);
        h.processElement(new StreamRecord<>(request("job-f", "aud-F", url)));

        long now = NOON;
        int sent = 1;
        for (long backoff : new long[] {200, 400, 800}) {
            awaitMails(h, () -> !timers(h).isEmpty());
            assertThat(timers(h)).containsExactly(now + backoff);
            assertThat(progress(h, "job-f")).last().isEqualTo("processing/1");
            h.setProcessingTime(now + backoff - 1);
            runMails(h);
            assertThat(api.requests(aud)).as("before the backoff ends").hasSize(sent);
            now += backoff;
            h.setProcessingTime(now);
            int expected = ++sent;
            awaitMails(h, () -> api.requests(aud).size() == expected);
        }

        awaitMails(h, () -> progress(h, "job-f").contains("processing/2"));
        assertThat(progress(h, "job-f"))
                .containsExactly("pending/0", "processing/1", "retry/1", "processing/2");
        assertThat(jobRows(h).get(2).error).contains("503");
        assertThat(timers(h))
                .as("the second attempt's first request waits for its rate-limit slot")
                .containsExactly(now + 1);
        h.setProcessingTime(now + 1);
        awaitMails(h, () -> finished(h, "job-f"));
        assertThat(progress(h, "job-f")).last().isEqualTo("completed/2");
        assertThat(timers(h)).isEmpty();
        assertThat(api.requests(aud)).extracting(LocalMembersApi.Request::page).containsOnly(1);
        assertThat(api.requests(aud))
                .extracting(LocalMembersApi.Request::status)
                .containsExactly(503, 503, 503, 503, 200);
        assertThat(jobsInState(h.snapshot(1, now + 1))).isEqualTo(1);
        h.close();
    }

    /**
     * SPEC §4.2/§4.3: at most max-concurrent-jobs run, one per audience; the waiting ones start by
     * priority DESC, then ts ASC.
     */
    @Test
    void waitingJobsStartByPriorityThenTimeAndOnePerAudience() throws Exception {
        String name = "queue-" + System.nanoTime();
        String url = api.baseUrl() + api.addAudience(name, members("q", 10));
        var h = harness(null, NOON, 2, 1000);
        h.processElement(new StreamRecord<>(request("a1", "aud-A", url, 0, 1)));
        h.processElement(new StreamRecord<>(request("a2", "aud-A", url, 9, 2)));
        h.processElement(new StreamRecord<>(request("b", "aud-B", url, 0, 3)));
        h.processElement(new StreamRecord<>(request("c", "aud-C", url, 5, 4)));
        assertThat(progress(h, "a1")).containsExactly("pending/0", "processing/1");
        assertThat(progress(h, "a2")).as("its audience is importing").containsExactly("pending/0");
        assertThat(progress(h, "b")).containsExactly("pending/0", "processing/1");
        assertThat(progress(h, "c")).as("both workers busy").containsExactly("pending/0");
        assertThat(jobsInState(h.snapshot(1, NOON))).isEqualTo(4);
        drive(h, () -> List.of("a1", "a2", "b", "c").stream().allMatch(id -> finished(h, id)));
        h.close();

        // One worker: the order in which the waiting jobs start is the queue's.
        var one = harness(null, NOON, 1, 1000);
        one.processElement(new StreamRecord<>(request("first", "aud-1", url, 0, 1)));
        one.processElement(new StreamRecord<>(request("low", "aud-2", url, 1, 2)));
        one.processElement(new StreamRecord<>(request("high-later", "aud-3", url, 5, 4)));
        one.processElement(new StreamRecord<>(request("high-earlier", "aud-4", url, 5, 3)));
        List<String> ids = List.of("first", "low", "high-later", "high-earlier");
        drive(one, () -> ids.stream().allMatch(id -> finished(one, id)));
        assertThat(jobRows(one))
                .filteredOn(r -> "processing".equals(r.status) && r.pagesFetched == 0)
                .extracting(r -> r.jobId)
                .containsExactly("first", "high-earlier", "high-later", "low");
        one.close();
    }
}
