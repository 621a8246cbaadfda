package io.tally.pipeline.members.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.members.logic.ImportJobVersion;
import io.tally.pipeline.members.records.AudienceRow;
import io.tally.pipeline.members.records.ContactOutcome;
import io.tally.pipeline.members.records.ImportJobRow;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * SPEC §4.4: a job row is written once the outcomes of its pages are in, a finished job's row is
 * exact and leaves the state, and the audience count only grows.
 */
class ImportProgressFunctionTest {
    static KeyedTwoInputStreamOperatorTestHarness<
                    String, ImportJobRow, ContactOutcome, ImportJobRow>
            harness() throws Exception {
        var h =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new ImportProgressFunction()),
                        (ImportJobRow r) -> r.audienceId,
                        (ContactOutcome o) -> o.audienceId,
                        Types.STRING);
        h.open();
        return h;
    }

    static ImportJobRow progress(String status, int pages, long seen, long invalid) {
        ImportJobRow r = new ImportJobRow();
        r.jobId = "job-1";
        r.audienceId = "aud";
        r.status = status;
        r.attempts = 1;
        r.pagesFetched = pages;
        r.membersSeen = seen;
        r.invalid = invalid;
        r.version = ImportJobVersion.of(status, 1, pages);
        return r;
    }

    static ContactOutcome outcome(boolean fresh) {
        ContactOutcome o = new ContactOutcome();
        o.audienceId = "aud";
        o.jobId = "job-1";
        o.fresh = fresh;
        return o;
    }

    @Test
    void aRowWaitsForItsOutcomesAndAFinishedJobLeavesTheState() throws Exception {
        var h = harness();
        h.processElement1(new StreamRecord<>(progress("processing", 1, 3, 1))); // 2 valid
        h.processElement2(new StreamRecord<>(outcome(true)));
        assertThat(h.extractOutputValues()).isEmpty();
        h.processElement2(new StreamRecord<>(outcome(false)));
        h.processElement1(new StreamRecord<>(progress("completed", 1, 3, 1)));

        List<ImportJobRow> rows = h.extractOutputValues();
        assertThat(rows)
                .extracting(r -> r.status + " " + r.contactsNew + "/" + r.duplicates)
                .containsExactly("processing 1/1", "completed 1/1");
        assertThat(rows.get(0).version).isLessThan(rows.get(1).version);
        assertThat(h.getSideOutput(ImportProgressFunction.AUDIENCES))
                .extracting(r -> ((AudienceRow) r.getValue()).memberCount)
                .containsExactly(1L, 1L);
        // Left: the audience's member count (and what was written of it), not the job.
        assertThat(h.numKeyedStateEntries()).isEqualTo(2);
        h.close();
    }
}
