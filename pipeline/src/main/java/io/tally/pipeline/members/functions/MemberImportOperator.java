package io.tally.pipeline.members.functions;

import io.tally.connectors.members.MembersClient;
import io.tally.connectors.members.MembersFetchException;
import io.tally.connectors.members.MembersPage;
import io.tally.pipeline.members.logic.ContactNames;
import io.tally.pipeline.members.logic.Credentials;
import io.tally.pipeline.members.logic.ImportJobVersion;
import io.tally.pipeline.members.records.ContactRow;
import io.tally.pipeline.members.records.ImportJob;
import io.tally.pipeline.members.records.ImportJobRow;
import io.tally.pipeline.members.records.ImportRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The import "workers" (SPEC §4.2–§4.4), as one non-blocking operator at parallelism 1 — the
 * concurrency and request-rate limits are global, like the old worker pool's.
 *
 * <p>Requests wait in priority order (priority DESC, ts ASC); at most {@code maxConcurrentJobs}
 * run, each with one page request in flight, and requests start at most {@code requestsPerSecond}
 * apart. HTTP runs asynchronously; its results come back through the task's mailbox, so every state
 * change happens on the task thread and a checkpoint sees a consistent cursor. A page's members are
 * deduped and emitted and the cursor moved in one step: after a crash the job resumes at the first
 * page not applied (a page in flight at the checkpoint is fetched again; an applied one never is).
 *
 * <p>What it keeps, and how long: the jobs (request, cursor, counts), in operator state. A finished
 * job stays {@code finishedJobRetention} (default 7 days) of processing time after its completion,
 * so that a repeated request (SPEC §1.7: producers retry) is still recognized as the same job, then
 * leaves at the next checkpoint; a request repeated later is imported again. Emails are not kept
 * here: each valid member goes on as a candidate to {@link ContactDedupeFunction}, keyed by
 * (audience, email), and the counts come back together in {@link ImportProgressFunction}. An empty
 * page ends a job whatever {@code total_page} said (the client caps it at 100 000 and a body at 16
 * MiB).
 *
 * <p>Rows carry a version that is a function of the job's progress ({@link ImportJobVersion}), not
 * of how many rows were written, so a replay writes the versions the failure-free run writes. The
 * completion instant and its calendar day are decided once, kept in the job, and {@code
 * import_stats_daily} is a view over {@code import_jobs}: a job counts on exactly one day, the day
 * of the {@code completed_at} the table holds, whatever the restarts.
 *
 * <p>A failing page is retried with exponential backoff; when it still fails the attempt fails and
 * the job goes back to the queue ({@code retry}), resuming from its cursor; after 4 attempts it is
 * {@code failed} with the last error. Errors that retrying cannot fix (an unknown credential, a url
 * outside the credential's allowed prefixes, HTTP 3xx/4xx such as 401) fail the job at once.
 * Secrets are resolved when a request is sent, only for an allowed url, and never kept.
 */
public final class MemberImportOperator extends AbstractStreamOperator<ImportJobRow>
        implements OneInputStreamOperator<ImportRequest, ImportJobRow>, BoundedOneInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MemberImportOperator.class);

    /** Every valid member of an applied page, in (page, index) order, for the dedupe. */
    public static final OutputTag<ContactRow> CANDIDATES =
            new OutputTag<>("contact-candidates", Types.POJO(ContactRow.class));

    /** How long a finished job is remembered (see the class comment). */
    public static final Duration FINISHED_JOB_RETENTION = Duration.ofDays(7);

    static final int MAX_ATTEMPTS = 4;
    static final int PAGE_RETRIES = 3;
    static final long BACKOFF_MILLIS = 200;

    private final int maxConcurrentJobs;
    private final double requestsPerSecond;
    private final Credentials credentials;
    private final ZoneId zone;
    private final Duration requestTimeout;
    private final long finishedJobRetentionMillis;

    private transient Map<String, ImportJob> jobs;
    private transient Set<String> busy;
    private transient long nextRequestAt;
    private transient boolean pumpScheduled;
    private transient MembersClient client;
    private transient MailboxExecutor mailbox;
    private transient Counter pagesFetched;
    private transient Counter pageFailures;

    private transient ListState<ImportJob> jobState;

    public MemberImportOperator(
            int maxConcurrentJobs,
            double requestsPerSecond,
            Credentials credentials,
            ZoneId zone,
            Duration requestTimeout) {
        this(
                maxConcurrentJobs,
                requestsPerSecond,
                credentials,
                zone,
                requestTimeout,
                FINISHED_JOB_RETENTION);
    }

    public MemberImportOperator(
            int maxConcurrentJobs,
            double requestsPerSecond,
            Credentials credentials,
            ZoneId zone,
            Duration requestTimeout,
            Duration finishedJobRetention) {
        this.finishedJobRetentionMillis = finishedJobRetention.toMillis();
        this.maxConcurrentJobs = maxConcurrentJobs;
        this.requestsPerSecond = requestsPerSecond;
        this.credentials = credentials;
        this.zone = zone;
        this.requestTimeout = requestTimeout;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        jobState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>("jobs", Types.POJO(ImportJob.class)));
        jobs = new LinkedHashMap<>();
        busy = new HashSet<>();
        for (ImportJob j : jobState.get()) {
            jobs.put(j.request.jobId, j);
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        // A finished job leaves once its retention has passed; until then a repeated request is
        // recognized (SPEC §1.7). Nothing downstream needs it: its rows are final.
        long now = getProcessingTimeService().getCurrentProcessingTime();
        jobs.values()
                .removeIf(
                        j ->
                                j.isFinished()
                                        && j.completedAt != null
                                        && j.completedAt + finishedJobRetentionMillis <= now);
        jobState.update(new ArrayList<>(jobs.values()));
    }

    @Override
    public void open() throws Exception {
        super.open();
        client = new MembersClient(requestTimeout);
        mailbox =
                getContainingTask()
                        .getMailboxExecutorFactory()
                        .createExecutor(getOperatorConfig().getChainIndex());
        pagesFetched = getMetricGroup().counter("pagesFetched");
        pageFailures = getMetricGroup().counter("pageFailures");
        pump();
    }

    @Override
    public void processElement(StreamRecord<ImportRequest> element) {
        ImportRequest r = element.getValue();
        if (jobs.containsKey(r.jobId)) {
            return; // SPEC §1.7: a repeated request is the same job.
        }
        ImportJob j = new ImportJob();
        j.request = r;
        j.status = "pending";
        jobs.put(r.jobId, j);
        emit(j);
        pump();
    }

    /** Bounded runs finish the imports in flight before the job ends (SPEC §5.2 --bounded). */
    @Override
    public void endInput() throws Exception {
        while (jobs.values().stream().anyMatch(j -> !j.isFinished())) {
            mailbox.yield();
        }
    }

    /** Starts what the limits allow: waiting jobs by priority, and one page per running job. */
    private void pump() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        long running = jobs.values().stream().filter(j -> "processing".equals(j.status)).count();
        List<ImportJob> waiting = new ArrayList<>();
        for (ImportJob j : jobs.values()) {
            if ("pending".equals(j.status)
                    || ("retry".equals(j.status) && !busy.contains(j.request.jobId))) {
                waiting.add(j);
            }
        }
        waiting.sort(
                Comparator.comparingInt((ImportJob j) -> j.request.priority)
                        .reversed()
                        .thenComparingLong(j -> j.request.ts)
                        .thenComparing(j -> j.request.jobId));
        // One job per audience at a time: the first occurrence of an email in (page, index) order
        // wins (SPEC §4.3), which two jobs racing on one audience could not promise.
        Set<String> audiencesRunning = new HashSet<>();
        for (ImportJob j : jobs.values()) {
            if ("processing".equals(j.status)) {
                audiencesRunning.add(j.request.audienceId);
            }
        }
        for (ImportJob j : waiting) {
            if (running >= maxConcurrentJobs) {
                break;
            }
            if (!audiencesRunning.add(j.request.audienceId)) {
                continue;
            }
            j.status = "processing";
            j.attempts++;
            j.pageRetries = 0;
            if (j.startedAt == null) {
                j.startedAt = now;
            }
            running++;
            emit(j);
        }
        for (ImportJob j : jobs.values()) {
            if ("processing".equals(j.status) && !busy.contains(j.request.jobId)) {
                request(j, now);
            }
        }
    }

    /** Sends the job's next page request when the rate limit allows, else schedules it. */
    private void request(ImportJob j, long now) {
        String jobId = j.request.jobId;
        busy.add(jobId);
        long spacing = (long) Math.ceil(1000.0 / requestsPerSecond);
        long at = Math.max(now, nextRequestAt);
        nextRequestAt = at + spacing;
        if (at > now) {
            getProcessingTimeService().registerTimer(at, t -> send(jobId));
        } else {
            send(jobId);
        }
    }

    private void send(String jobId) {
        ImportJob j = jobs.get(jobId);
        if (j == null || !"processing".equals(j.status)) {
            busy.remove(jobId);
            return;
        }
        String secret;
        try {
            // SPEC §4.1: the url is checked against the credential's allowed prefixes before the
            // secret is read; a refusal fails the job at once (retrying cannot change the url)
            // and no request is made.
            secret = credentials.secretFor(j.request.credential, j.request.sourceUrl);
        } catch (IllegalArgumentException e) {
            LOG.warn("Import {} refused: {}", jobId, e.getMessage());
            busy.remove(jobId);
            fail(j, e.getMessage());
            // Its worker slot is free again; fill it from the mailbox, not from inside the pump
            // that may be calling us.
            mailbox.execute(this::pump, "members pump");
            return;
        }
        int page = j.nextPage;
        int attempt = j.attempts;
        client.fetchPage(j.request.sourceUrl, secret, page)
                .whenComplete(
                        (result, error) ->
                                mailbox.execute(
                                        () -> onPage(jobId, attempt, page, result, error),
                                        "members page"));
    }

    private void onPage(String jobId, int attempt, int page, MembersPage result, Throwable error) {
        ImportJob j = jobs.get(jobId);
        if (j == null
                || !"processing".equals(j.status)
                || j.attempts != attempt
                || j.nextPage != page) {
            busy.remove(jobId);
            return;
        }
        if (error != null) {
            onFailure(j, unwrap(error));
            return;
        }
        busy.remove(jobId);
        pagesFetched.inc();
        apply(j, page, result);
        // An empty page ends the job whatever total_page said: an API that keeps promising pages
        // must not keep a worker forever.
        if (result.members().isEmpty() || j.nextPage > j.totalPages) {
            j.totalPages = Math.min(j.totalPages, page);
            complete(j);
        } else {
            emit(j);
        }
        pump();
    }

    /** Dedupes one page's members into the audience (SPEC §4.3) and moves the cursor. */
    private void apply(ImportJob j, int page, MembersPage result) {
        j.totalPages = Math.max(1, result.totalPages());
        for (MembersPage.Member m : result.members()) {
            j.membersSeen++;
            if (!ContactNames.isValidEmail(m.email())) {
                j.invalid++;
                continue;
            }
            String key = ContactNames.emailKey(m.email());
            // New or duplicate is decided by ContactDedupeFunction, keyed by (audience, email).
            ContactRow c = new ContactRow();
            c.audienceId = j.request.audienceId;
            c.email = key;
            // SPEC §4.1: the API's data reaches email_contacts without U+0000.
            String name = ContactNames.withoutNul(m.name());
            c.memberId = ContactNames.withoutNul(m.id());
            c.firstName = ContactNames.firstName(name);
            c.lastName = ContactNames.lastName(name);
            c.username = ContactNames.withoutNul(m.username());
            c.jobId = j.request.jobId;
            output.collect(CANDIDATES, new StreamRecord<>(c));
        }
        j.nextPage = page + 1;
        j.pageRetries = 0;
    }

    private void onFailure(ImportJob j, Throwable error) {
        String jobId = j.request.jobId;
        pageFailures.inc();
        boolean retryable =
                error instanceof MembersFetchException
                        && ((MembersFetchException) error).retryable();
        // The message lands in import_jobs.error; it may quote what the API sent.
        String message =
                ContactNames.withoutNul(
                        error.getMessage() == null ? error.toString() : error.getMessage());
        if (!retryable) {
            busy.remove(jobId);
            fail(j, message);
            pump();
            return;
        }
        if (j.pageRetries < PAGE_RETRIES) {
            long delay = BACKOFF_MILLIS << j.pageRetries;
            j.pageRetries++;
            int attempt = j.attempts;
            long at = getProcessingTimeService().getCurrentProcessingTime() + delay;
            getProcessingTimeService()
                    .registerTimer(
                            at,
                            t -> {
                                busy.remove(jobId);
                                ImportJob now = jobs.get(jobId);
                                if (now != null
                                        && now.attempts == attempt
                                        && "processing".equals(now.status)) {
                                    request(now, t);
                                }
                            });
            return;
        }
        busy.remove(jobId);
        j.error = message;
        if (j.attempts >= MAX_ATTEMPTS) {
            fail(j, message);
        } else {
            LOG.info(
                    "Import {} attempt {} failed: {}; retrying from page {}",
                    jobId,
                    j.attempts,
                    message,
                    j.nextPage);
            j.status = "retry";
            emit(j);
        }
        pump();
    }

    private void complete(ImportJob j) {
        j.status = "completed";
        j.error = null;
        finish(j);
    }

    private void fail(ImportJob j, String message) {
        j.status = "failed";
        j.error = message;
        finish(j);
    }

    /**
     * Decides the completion instant and its day (SPEC §4.4) once; they stay in the job's state, so
     * every later row of the job carries the same ones.
     */
    private void finish(ImportJob j) {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        j.completedAt = now;
        j.completedEpochDay = Instant.ofEpochMilli(now).atZone(zone).toLocalDate().toEpochDay();
        emit(j);
    }

    private void emit(ImportJob j) {
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
        output.collect(new StreamRecord<>(r));
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
