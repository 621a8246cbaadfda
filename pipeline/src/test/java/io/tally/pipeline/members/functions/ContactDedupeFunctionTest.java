package io.tally.pipeline.members.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.members.records.ContactOutcome;
import io.tally.pipeline.members.records.ContactRow;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * SPEC §4.3: the first occurrence of an email in an audience becomes its contact row, every later
 * one a duplicate, also in a later job and after a restore; one flag per distinct contact.
 */
class ContactDedupeFunctionTest {
    static KeyedOneInputStreamOperatorTestHarness<String, ContactRow, ContactRow> harness()
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ContactDedupeFunction()),
                ContactDedupeFunction::key,
                Types.STRING);
    }

    static ContactRow contact(String audience, String email, String job) {
        ContactRow c = new ContactRow();
        c.audienceId = audience;
        c.email = email;
        c.memberId = "m-" + email;
        c.jobId = job;
        return c;
    }

    @Test
    void theFirstOccurrenceInAnAudienceIsNewEveryLaterOneADuplicate() throws Exception {
        var h = harness();
        h.open();
        h.processElement(new StreamRecord<>(contact("aud-1", "a@x.org", "job-1")));
        h.processElement(new StreamRecord<>(contact("aud-1", "a@x.org", "job-1")));
        h.processElement(new StreamRecord<>(contact("aud-2", "a@x.org", "job-2")));
        h.processElement(new StreamRecord<>(contact("aud-1", "b@x.org", "job-3")));
        h.processElement(new StreamRecord<>(contact("aud-1", "a@x.org", "job-3")));

        assertThat(h.extractOutputValues())
                .extracting(c -> c.audienceId + " " + c.email)
                .containsExactly("aud-1 a@x.org", "aud-2 a@x.org", "aud-1 b@x.org");
        assertThat(h.getSideOutput(ContactDedupeFunction.OUTCOMES))
                .extracting(
                        r ->
                                ((ContactOutcome) r.getValue()).jobId
                                        + " "
                                        + ((ContactOutcome) r.getValue()).fresh)
                .containsExactly(
                        "job-1 true", "job-1 false", "job-2 true", "job-3 true", "job-3 false");
        assertThat(h.numKeyedStateEntries()).as("one flag per distinct contact").isEqualTo(3);
        h.close();
    }

    @Test
    void aRestoredOperatorStillKnowsTheContactsItSaw() throws Exception {
        var h = harness();
        h.open();
        h.processElement(new StreamRecord<>(contact("aud-1", "a@x.org", "job-1")));
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();

        var restored = harness();
        restored.initializeState(snapshot);
        restored.open();
        restored.processElement(new StreamRecord<>(contact("aud-1", "a@x.org", "job-2")));
        restored.processElement(new StreamRecord<>(contact("aud-1", "c@x.org", "job-2")));
        assertThat(restored.extractOutputValues())
                .extracting(c -> c.email)
                .containsExactly("c@x.org");
        assertThat(restored.numKeyedStateEntries()).isEqualTo(2);
        restored.close();
    }
}
