package io.tally.pipeline.members.functions;

import io.tally.connectors.members.MembersClient;
import io.tally.connectors.members.MembersFetchException;
import io.tally.connectors.members.MembersPage;
import io.tally.pipeline.members.ContactNames;
import io.tally.pipeline.members.Credentials;
import io.tally.pipeline.members.records.AudienceRow;
import io.tally.pipeline.members.records.ContactRow;
import io.tally.pipeline.members.records.ImportJob;
import io.tally.pipeline.members.records.ImportJobRow;
import io.tally.pipeline.members.records.ImportRequest;
import io.tally.pipeline.members.records.ImportStatsRow;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
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

    public static final OutputTag<ContactRow> CONTACTS =
            new OutputTag<>("email-contacts", Types.POJO(ContactRow.class));
    public static final OutputTag<AudienceRow> AUDIENCES =
            new OutputTag<>("email-audiences", Types.POJO(AudienceRow.class));
    public static final OutputTag<ImportStatsRow> DAILY_STATS =
            new OutputTag<>("import-stats-daily", Types.POJO(ImportStatsRow.class));

    static final int MAX_ATTEMPTS = 4;
    static final int PAGE_RETRIES = 3;
    static final long BACKOFF_MILLIS = 200;

    private final int maxConcurrentJobs;
    private final double requestsPerSecond;
    private final Credentials credentials;
    private final ZoneId zone;
    private final Duration requestTimeout;

    private transient Map<String, ImportJob> jobs;
    private transient Map<String, Set<String>> emailsByAudience;
    private transient Map<Long, ImportStatsRow> daily;
    private transient Map<Long, Double> dailySeconds;
    private transient Set<String> busy;
    private transient long nextRequestAt;
    private transient boolean pumpScheduled;
    private transient MembersClient client;
    private transient MailboxExecutor mailbox;
    private transient Counter pagesFetched;
    private transient Counter pageFailures;

    private transient ListState<ImportJob> jobState;
    private transient ListState<String> emailState;
    private transient ListState<ImportStatsRow> dailyState;

    public MemberImportOperator(
            int maxConcurrentJobs,
            double requestsPerSecond,
            Credentials credentials,
            ZoneId zone,
            Duration requestTimeout) {
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
        emailState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("audience-emails", Types.STRING));
        dailyState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "daily", Types.POJO(ImportStatsRow.class)));
        jobs = new LinkedHashMap<>();
        emailsByAudience = new HashMap<>();
        daily = new HashMap<>();
        dailySeconds = new HashMap<>();
        busy = new HashSet<>();
        for (ImportJob j : jobState.get()) {
            // Rows written after the checkpoint reached the table with higher versions than this
            // restored run will count to; move past them so its rows are not rejected (SPEC §1.8).
            j.version += 1L << 32;
            jobs.put(j.request.jobId, j);
        }
        for (String e : emailState.get()) {
            int cut = e.indexOf('\u0000');
            emailsByAudience
                    .computeIfAbsent(e.substring(0, cut), a -> new HashSet<>())
                    .add(e.substring(cut + 1));
        }
        for (ImportStatsRow d : dailyState.get()) {
            daily.put(d.epochDay, d);
            dailySeconds.put(d.epochDay, d.avgProcessingTimeSeconds * d.completedJobs);
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        jobState.update(new ArrayList<>(jobs.values()));
        List<String> emails = new ArrayList<>();
        emailsByAudience.forEach((a, set) -> set.forEach(e -> emails.add(a + '\u0000' + e)));
        emailState.update(emails);
        dailyState.update(new ArrayList<>(daily.values()));
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
        if (j.nextPage > j.totalPages) {
            complete(j);
        } else {
            emit(j);
        }
        pump();
    }

    /** Dedupes one page's members into the audience (SPEC §4.3) and moves the cursor. */
    private void apply(ImportJob j, int page, MembersPage result) {
        j.totalPages = Math.max(1, result.totalPages());
        Set<String> seen =
                emailsByAudience.computeIfAbsent(j.request.audienceId, a -> new HashSet<>());
        long before = seen.size();
        for (MembersPage.Member m : result.members()) {
            j.membersSeen++;
            if (!ContactNames.isValidEmail(m.email())) {
                j.invalid++;
                continue;
            }
            String key = ContactNames.emailKey(m.email());
            if (!seen.add(key)) {
                j.duplicates++;
                continue;
            }
            j.contactsNew++;
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
            output.collect(CONTACTS, new StreamRecord<>(c));
        }
        if (seen.size() != before) {
            emitAudience(j.request.audienceId, seen.size());
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
        // SPEC §4.4: on completion the audience row holds the exact count, also when it is 0.
        emitAudience(
                j.request.audienceId,
                emailsByAudience.getOrDefault(j.request.audienceId, Set.of()).size());
        finish(j);
    }

    private void emitAudience(String audienceId, long count) {
        AudienceRow a = new AudienceRow();
        a.audienceId = audienceId;
        a.memberCount = count;
        a.version = count;
        output.collect(AUDIENCES, new StreamRecord<>(a));
    }

    private void fail(ImportJob j, String message) {
        j.status = "failed";
        j.error = message;
        finish(j);
    }

    private void finish(ImportJob j) {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        j.completedAt = now;
        emit(j);
        long day = Instant.ofEpochMilli(now).atZone(zone).toLocalDate().toEpochDay();
        ImportStatsRow d =
                daily.computeIfAbsent(
                        day,
                        k -> {
                            ImportStatsRow r = new ImportStatsRow();
                            r.epochDay = k;
                            return r;
                        });
        d.totalJobs++;
        if ("completed".equals(j.status)) {
            d.completedJobs++;
            d.totalMembersProcessed += j.membersSeen;
            double seconds =
                    dailySeconds.getOrDefault(day, 0.0)
                            + (now - (j.startedAt == null ? now : j.startedAt)) / 1000.0;
            dailySeconds.put(day, seconds);
            d.avgProcessingTimeSeconds = seconds / d.completedJobs;
        } else {
            d.failedJobs++;
        }
        d.version = d.totalJobs;
        ImportStatsRow copy = new ImportStatsRow();
        copy.epochDay = d.epochDay;
        copy.totalJobs = d.totalJobs;
        copy.completedJobs = d.completedJobs;
        copy.failedJobs = d.failedJobs;
        copy.totalMembersProcessed = d.totalMembersProcessed;
        copy.avgProcessingTimeSeconds = d.avgProcessingTimeSeconds;
        copy.version = d.version;
        output.collect(DAILY_STATS, new StreamRecord<>(copy));
    }

    private void emit(ImportJob j) {
        j.version++;
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
        r.contactsNew = j.contactsNew;
        r.duplicates = j.duplicates;
        r.invalid = j.invalid;
        r.error = j.error;
        r.requestedAt = j.request.ts;
        r.startedAt = j.startedAt;
        r.completedAt = j.completedAt;
        r.version = j.version;
        output.collect(new StreamRecord<>(r));
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
