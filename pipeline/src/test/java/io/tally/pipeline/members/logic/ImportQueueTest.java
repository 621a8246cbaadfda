package io.tally.pipeline.members.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.members.records.ImportJob;
import io.tally.pipeline.members.records.ImportRequest;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SPEC §4.2: waiting jobs start by priority DESC, then ts ASC, at most {@code max-concurrent-jobs}
 * at a time; and one job per audience at a time (so that SPEC §4.3's first occurrence wins).
 */
class ImportQueueTest {
    static final long NOW = 1_000_000;

    /** Jobs written "id:audience:priority:ts:status", in the order they were requested. */
    static ImportQueue queue(int maxConcurrentJobs, String jobs) {
        ImportQueue q = new ImportQueue(maxConcurrentJobs);
        for (String spec : jobs.trim().split("\\s+")) {
            String[] f = spec.split(":");
            ImportJob j =
                    ImportJobProgress.accept(request(f[0], f[1], Integer.parseInt(f[2]), f[3]));
            j.status = f[4];
            q.restore(j);
        }
        return q;
    }

    static ImportRequest request(String jobId, String audience, int priority, String ts) {
        ImportRequest r = new ImportRequest();
        r.jobId = jobId;
        r.audienceId = audience;
        r.priority = priority;
        r.ts = Long.parseLong(ts);
        return r;
    }

    static List<String> ids(List<ImportJob> jobs) {
        return jobs.stream().map(j -> j.request.jobId).toList();
    }

    static List<String> list(String ids) {
        return ids == null ? List.of() : Arrays.asList(ids.trim().split("\\s+"));
    }

    @ParameterizedTest(name = "[{index}] {4}")
    @CsvSource(
            delimiter = '|',
            value = {
                // max | jobs                                              | busy | started | rule
                "1 | a:A:0:1:pending b:B:5:2:pending                      |   | b     | priority DESC",
                "1 | a:A:0:2:pending b:B:0:1:pending                      |   | b     | then ts ASC",
                "1 | b:B:0:1:pending a:A:0:1:pending                      |   | a     | then job id: a total order",
                "4 | a:A:0:3:pending b:B:9:9:pending c:C:0:1:pending d:D:9:1:pending | | d b c a | all start, in queue order",
                "2 | a:A:0:1:processing b:B:0:1:pending c:C:0:1:pending   |   | b     | running jobs take slots",
                "1 | a:A:0:1:processing b:B:9:1:pending                   |   |       | no slot free",
                "4 | a:A:0:1:processing b:A:9:1:pending c:C:0:1:pending   |   | c     | one job per audience, whatever its priority",
                "4 | a:A:5:1:pending b:A:9:1:pending                      |   | b     | two waiting for one audience: one starts",
                "2 | a:A:9:1:pending b:A:8:1:pending c:C:0:1:pending      |   | a c   | a blocked audience does not take a slot",
                "4 | a:A:0:1:retry                                        |   | a     | a retry starts again",
                "4 | a:A:0:1:retry                                        | a |       | a retry with something still pending waits",
                "4 | a:A:0:1:pending                                      | a | a     | busy matters to retries only",
                "4 | a:A:0:1:completed b:A:0:1:failed c:A:0:1:pending     |   | c     | finished jobs hold no slot and no audience",
            })
    void whichJobsStart(int max, String jobs, String busy, String started, String rule) {
        ImportQueue q = queue(max, jobs);
        list(busy).forEach(q::busy);
        assertThat(ids(q.startNext(NOW))).as(rule).containsExactlyElementsOf(list(started));
    }

    @Test
    void aStartedJobIsProcessingInItsNextAttemptAndKeepsItsFirstStart() {
        ImportQueue q = queue(4, "a:A:0:1:pending b:B:0:1:retry");
        ImportJob retried =
                q.jobs().stream().filter(j -> j.request.jobId.equals("b")).findFirst().get();
        retried.attempts = 2;
        retried.pageRetries = 3;
        retried.startedAt = 5L;
        q.startNext(NOW);
        ImportJob a = q.processing("a");
        ImportJob b = q.processing("b");
        assertThat(a.attempts).isEqualTo(1);
        assertThat(a.startedAt).isEqualTo(NOW);
        assertThat(b.attempts).isEqualTo(3);
        assertThat(b.pageRetries).isZero();
        assertThat(b.startedAt).isEqualTo(5L);
    }

    @Test
    void aRepeatedRequestIsTheSameJob() {
        ImportQueue q = new ImportQueue(4);
        ImportJob first = q.offer(request("a", "A", 0, "1"));
        assertThat(first.status).isEqualTo("pending");
        assertThat(first.nextPage).isEqualTo(1);
        assertThat(q.offer(request("a", "A", 9, "2"))).isNull();
        assertThat(q.jobs()).containsExactly(first);
    }

    @Test
    void idleJobsAreTheProcessingOnesWithNothingPending() {
        ImportQueue q =
                queue(4, "a:A:0:1:processing b:B:0:1:processing c:C:0:1:pending d:D:0:1:retry");
        q.busy("b");
        assertThat(ids(q.idle())).containsExactly("a");
        q.settled("b");
        assertThat(ids(q.idle())).containsExactly("a", "b");
        assertThat(q.processing("c")).isNull();
        assertThat(q.processing("unknown")).isNull();
    }

    @Test
    void finishedJobsLeaveOnlyAfterTheirRetention() {
        ImportQueue q = queue(4, "a:A:0:1:completed b:B:0:1:failed c:C:0:1:processing");
        q.jobs().forEach(j -> j.completedAt = 100L);
        q.forgetExpired(199, 100);
        assertThat(q.jobs()).hasSize(3);
        assertThat(q.allFinished()).isFalse();
        q.forgetExpired(200, 100);
        assertThat(q.jobs()).extracting(j -> j.request.jobId).containsExactly("c");
    }
}
