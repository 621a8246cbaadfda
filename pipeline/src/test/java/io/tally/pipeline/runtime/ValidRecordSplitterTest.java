package io.tally.pipeline.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.connectors.kafka.DeadLetter;
import io.tally.connectors.kafka.ParsedRecord;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * SPEC §1.6 and §5.1 right after a source: valid events go on, rejections become dead letters, and
 * the counts leave as one delta a second, before every checkpoint barrier and at end of input, so a
 * restore counts each record once (§1.8).
 */
class ValidRecordSplitterTest {
    static final long START = 1_767_268_800_000L; // processing time, 2026-01-01T12:00:00Z

    static OneInputStreamOperatorTestHarness<ParsedRecord<String>, String> harness()
            throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new ValidRecordSplitter<String>("chat"));
        h.setProcessingTime(START);
        h.open();
        return h;
    }

    static ParsedRecord<String> bad(long offset) {
        DeadLetter d = new DeadLetter();
        d.sourceTopic = "chat-messages";
        d.offset = offset;
        d.reason = "bad-json";
        d.error = "not JSON";
        return ParsedRecord.bad(d);
    }

    static List<String> deltas(OneInputStreamOperatorTestHarness<ParsedRecord<String>, String> h) {
        var status = h.getSideOutput(ValidRecordSplitter.STATUS);
        if (status == null) { // no delta emitted yet
            return List.of();
        }
        return status.stream()
                .map(StreamRecord::getValue)
                .map(d -> d.recordsIn + " in, " + d.deadLetters + " dead")
                .toList();
    }

    @Test
    void splitsAndCountsOnceASecondAndBeforeEveryBarrier() throws Exception {
        var h = harness();
        h.processElement(new StreamRecord<>(ParsedRecord.valid("a", START), START));
        h.processElement(new StreamRecord<>(bad(1)));
        h.processElement(new StreamRecord<>(ParsedRecord.valid("b", START), START));
        assertThat(h.extractOutputValues()).containsExactly("a", "b");
        assertThat(h.getSideOutput(ValidRecordSplitter.DEAD_LETTERS))
                .extracting(r -> r.getValue().offset)
                .containsExactly(1L);
        assertThat(deltas(h)).as("nothing before the second is over").isEmpty();

        h.setProcessingTime(START + 1000);
        assertThat(deltas(h)).containsExactly("3 in, 1 dead");
        h.setProcessingTime(START + 2000);
        assertThat(deltas(h)).as("an idle second writes no delta").hasSize(1);

        h.processElement(new StreamRecord<>(bad(2)));
        h.prepareSnapshotPreBarrier(7);
        assertThat(deltas(h)).containsExactly("3 in, 1 dead", "1 in, 1 dead");
        h.processElement(new StreamRecord<>(ParsedRecord.valid("c", START), START));
        h.endInput();
        assertThat(deltas(h)).containsExactly("3 in, 1 dead", "1 in, 1 dead", "1 in, 0 dead");
        assertThat(h.getProcessingTimeService().getNumActiveTimers())
                .as("one status timer, re-registered")
                .isEqualTo(1);
        h.close();
    }
}
