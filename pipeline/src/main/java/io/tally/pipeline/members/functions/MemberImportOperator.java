package io.tally.pipeline.members.functions;

import io.tally.connectors.members.MembersClient;
import io.tally.connectors.members.MembersPage;
import io.tally.pipeline.members.logic.Credentials;
import io.tally.pipeline.members.logic.ImportJobProgress;
import io.tally.pipeline.members.logic.ImportQueue;
import io.tally.pipeline.members.logic.PageRetryPolicy;
import io.tally.pipeline.members.logic.RequestRateLimit;
import io.tally.pipeline.members.records.ContactRow;
import io.tally.pipeline.members.records.ImportJob;
import io.tally.pipeline.members.records.ImportJobRow;
import io.tally.pipeline.members.records.ImportRequest;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
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
 * The import "workers" (SPEC §4.2–§4.4): one non-blocking operator at parallelism 1, since the
 * concurrency and request-rate limits are global. It holds the jobs (operator state) and the
 * timers, and leaves the rules to plain classes: {@link ImportQueue} (which job starts; one per
 * audience), {@link RequestRateLimit}, {@link PageRetryPolicy}, {@link ImportJobProgress} (a job's
 * steps, its contact candidates, its completion day) and {@link ImportStatus}.
 *
 * <p>HTTP runs asynchronously and its results come back through the task's mailbox, so every state
 * change happens on the task thread and a checkpoint sees a consistent cursor: after a crash a job
 * resumes at the first page not applied (SPEC §4.2). The rate limit and the page backoff are
 * processing-time timers. A finished job stays {@link #FINISHED_JOB_RETENTION} after its
 * completion, so that a repeated request (SPEC §1.7) is still the same job, then leaves at the next
 * checkpoint. Emails are not kept here: valid members go on to {@link ContactDedupeFunction}.
 * Secrets are read when a request is sent, only for an allowed url, and never kept.
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

    private final int maxConcurrentJobs;
    private final double requestsPerSecond;
    private final Credentials credentials;
    private final ZoneId zone;
    private final Duration requestTimeout;

    private transient ListState<ImportJob> jobState;
    private transient ImportQueue queue;
    private transient RequestRateLimit rateLimit;
    private transient MembersClient client;
    private transient MailboxExecutor mailbox;
    private transient Counter pagesFetched;
    private transient Counter pageFailures;

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
        queue = new ImportQueue(maxConcurrentJobs);
        jobState.get().forEach(queue::restore);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        // Nothing downstream needs a finished job: its rows are final.
        queue.forgetExpired(now(), FINISHED_JOB_RETENTION.toMillis());
        jobState.update(new ArrayList<>(queue.jobs()));
    }

    @Override
    public void open() throws Exception {
        super.open();
        rateLimit = new RequestRateLimit(requestsPerSecond);
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
        ImportJob j = queue.offer(element.getValue());
        if (j != null) { // else SPEC §1.7: a repeated request is the same job
            emit(j);
            pump();
        }
    }

    /** Bounded runs finish the imports in flight before the job ends (SPEC §5.2 --bounded). */
    @Override
    public void endInput() throws Exception {
        while (!queue.allFinished()) {
            mailbox.yield();
        }
    }

    /** Starts what the limits allow: waiting jobs by priority, and one page per running job. */
    private void pump() {
        long now = now();
        queue.startNext(now).forEach(this::emit);
        queue.idle().forEach(j -> request(j.request.jobId, now));
    }

    /** Sends the job's next page request when the rate limit allows, else schedules it. */
    private void request(String jobId, long now) {
        queue.busy(jobId);
        long at = rateLimit.reserve(now);
        if (at > now) {
            getProcessingTimeService().registerTimer(at, t -> send(jobId));
        } else {
            send(jobId);
        }
    }

    private void send(String jobId) {
        ImportJob j = queue.processing(jobId);
        if (j == null) {
            queue.settled(jobId);
            return;
        }
        String secret;
        try {
            // SPEC §4.1: the url is checked against the credential's allowed prefixes before the
            // secret is read; a refusal fails the job at once and no request is made.
            secret = credentials.secretFor(j.request.credential, j.request.sourceUrl);
        } catch (IllegalArgumentException e) {
            LOG.warn("Import {} refused: {}", jobId, e.getMessage());
            queue.settled(jobId);
            ImportJobProgress.fail(j, e.getMessage(), now(), zone);
            emit(j);
            // Fill the freed slot from the mailbox, not from inside the pump that may call us.
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

    /** A page's answer, applied only if the job still waits for it (same attempt, same page). */
    private void onPage(String jobId, int attempt, int page, MembersPage result, Throwable error) {
        ImportJob j = queue.processing(jobId);
        if (j == null || j.attempts != attempt || j.nextPage != page) {
            queue.settled(jobId);
            return;
        }
        if (error == null) {
            pagesFetched.inc();
            ImportJobProgress.applyPage(
                    j, page, result, now(), zone, c -> output.collect(CANDIDATES, record(c)));
        } else {
            pageFailures.inc();
            var next = ImportJobProgress.pageFailed(j, PageRetryPolicy.cause(error), now(), zone);
            if (next.action() == PageRetryPolicy.Action.RETRY_PAGE) {
                long at = now() + next.delayMillis();
                getProcessingTimeService().registerTimer(at, t -> retryPage(jobId, attempt, t));
                return;
            }
            if (next.action() == PageRetryPolicy.Action.RETRY_JOB) {
                LOG.info(
                        "Import {} attempt {} failed: {}; retrying from page {}",
                        jobId,
                        attempt,
                        j.error,
                        j.nextPage);
            }
        }
        queue.settled(jobId);
        emit(j);
        pump();
    }

    /** The backoff is over: the same page again, if the job is still in the same attempt. */
    private void retryPage(String jobId, int attempt, long now) {
        queue.settled(jobId);
        ImportJob j = queue.processing(jobId);
        if (j != null && j.attempts == attempt) {
            request(jobId, now);
        }
    }

    private void emit(ImportJob j) {
        output.collect(record(ImportJobProgress.row(j)));
    }

    private static <T> StreamRecord<T> record(T value) {
        return new StreamRecord<>(value);
    }

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }
}
