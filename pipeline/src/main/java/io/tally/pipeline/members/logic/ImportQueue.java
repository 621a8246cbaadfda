package io.tally.pipeline.members.logic;

import io.tally.pipeline.members.records.ImportJob;
import io.tally.pipeline.members.records.ImportRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The import jobs, in the order they were requested, and which of them start next (SPEC §4.2):
 * waiting jobs by {@code priority} DESC, then {@code ts} ASC (then job id, so that the order is
 * total), while fewer than {@code max-concurrent-jobs} are processing — and never a second job of
 * an audience that already has one processing. That last rule is what makes "the first occurrence
 * in (page, index) order wins" (SPEC §4.3) hold: two jobs racing on one audience could not promise
 * it.
 *
 * <p>The jobs are the operator's state; which of them are busy (a page request, a rate-limit wait
 * or a backoff pending) is not: after a restore nothing is pending.
 */
public final class ImportQueue {
    /** The order in which waiting requests start. */
    public static final Comparator<ImportRequest> ORDER =
            Comparator.comparingInt((ImportRequest r) -> r.priority)
                    .reversed()
                    .thenComparingLong(r -> r.ts)
                    .thenComparing(r -> r.jobId);

    private final int maxConcurrentJobs;
    private final Map<String, ImportJob> jobs = new LinkedHashMap<>();
    private final Set<String> busy = new HashSet<>();

    public ImportQueue(int maxConcurrentJobs) {
        this.maxConcurrentJobs = maxConcurrentJobs;
    }

    /** A job as the state held it. */
    public void restore(ImportJob j) {
        jobs.put(j.request.jobId, j);
    }

    /** A new pending job for {@code request}, or null when it repeats a known job (SPEC §1.7). */
    public ImportJob offer(ImportRequest request) {
        if (jobs.containsKey(request.jobId)) {
            return null;
        }
        ImportJob j = ImportJobProgress.accept(request);
        jobs.put(request.jobId, j);
        return j;
    }

    /** The job if it is processing, else null (it may have finished, or left the state). */
    public ImportJob processing(String jobId) {
        ImportJob j = jobs.get(jobId);
        return j != null && ImportJobProgress.status(j) == ImportStatus.PROCESSING ? j : null;
    }

    /** Every job held, in the order they were requested (what the operator state keeps). */
    public Collection<ImportJob> jobs() {
        return Collections.unmodifiableCollection(jobs.values());
    }

    public boolean allFinished() {
        return jobs.values().stream().allMatch(j -> ImportJobProgress.status(j).isFinished());
    }

    /** Forgets the finished jobs whose retention has passed ({@link ImportJobProgress#expired}). */
    public void forgetExpired(long now, long retentionMillis) {
        jobs.values().removeIf(j -> ImportJobProgress.expired(j, now, retentionMillis));
    }

    /** Starts the waiting jobs the limits allow, and returns them in the order they started. */
    public List<ImportJob> startNext(long now) {
        List<ImportJob> waiting = new ArrayList<>();
        Set<String> audiencesRunning = new HashSet<>();
        int running = 0;
        for (ImportJob j : jobs.values()) {
            ImportStatus status = ImportJobProgress.status(j);
            if (status == ImportStatus.PROCESSING) {
                running++;
                audiencesRunning.add(j.request.audienceId);
            } else if (status == ImportStatus.PENDING
                    // a job sent back to the queue while something of it is still pending waits
                    || (status == ImportStatus.RETRY && !busy.contains(j.request.jobId))) {
                waiting.add(j);
            }
        }
        waiting.sort(Comparator.comparing((ImportJob j) -> j.request, ORDER));
        List<ImportJob> started = new ArrayList<>();
        for (ImportJob j : waiting) {
            if (running >= maxConcurrentJobs) {
                break;
            }
            if (audiencesRunning.add(j.request.audienceId)) {
                ImportJobProgress.start(j, now);
                started.add(j);
                running++;
            }
        }
        return started;
    }

    /** The processing jobs with nothing pending: each may ask for its next page. */
    public List<ImportJob> idle() {
        List<ImportJob> idle = new ArrayList<>();
        for (ImportJob j : jobs.values()) {
            if (ImportJobProgress.status(j) == ImportStatus.PROCESSING
                    && !busy.contains(j.request.jobId)) {
                idle.add(j);
            }
        }
        return idle;
    }

    /** Something of the job is pending: a page request, a rate-limit wait or a backoff. */
    public void busy(String jobId) {
        busy.add(jobId);
    }

    /** Nothing of the job is pending any more. */
    public void settled(String jobId) {
        busy.remove(jobId);
    }

    public boolean isBusy(String jobId) {
        return busy.contains(jobId);
    }
}
