package io.tally.pipeline.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * SPEC §5.1: a pipeline's totals, written on every delta and refreshed every 5 s of processing time
 * so {@code last_flush_at} and the watermark stay live; the version only grows (§1.8).
 */
class PipelineStatusFunctionTest {
    /** Processing time when the first delta arrives. */
    static final long NOON = 1_767_268_800_000L; // 2026-01-01T12:00:00Z

    /** An event-time watermark the source has reached. */
    static final long WATERMARK = NOON - 60_000;

    static KeyedOneInputStreamOperatorTestHarness<String, StatusDelta, PipelineStatusRow> harness()
            throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new PipelineStatusFunction()),
                        (StatusDelta d) -> d.pipeline,
                        Types.STRING);
        h.open();
        return h;
    }

    @Test
    void sumsDeltasAndRefreshesTheRowWithOneProcessingTimeTimer() throws Exception {
        var h = harness();
        h.setProcessingTime(NOON);
        h.processElement(new StreamRecord<>(StatusDelta.of("chat", 10, 2, 0, 1)));
        h.processWatermark(new Watermark(WATERMARK));
        h.processElement(new StreamRecord<>(StatusDelta.of("chat", 5, 0, 3, 0)));

        assertThat(h.numKeyedStateEntries()).isEqualTo(2); // totals and refresh-at
        assertThat(h.numProcessingTimeTimers()).isEqualTo(1);

        List<PipelineStatusRow> rows = h.extractOutputValues();
        PipelineStatusRow last = rows.get(rows.size() - 1);
        assertThat(rows.get(0).watermark).as("no watermark yet: NULL, not MIN_VALUE").isNull();
        assertThat(last.watermark).isEqualTo(WATERMARK);
        assertThat(last.recordsIn).isEqualTo(15);
        assertThat(last.deadLetters).as("late drops are dead letters too").isEqualTo(5);
        assertThat(last.lateDropped).isEqualTo(3);
        assertThat(last.recordsOut).isEqualTo(15 - 2 - 3 - 1);
        assertThat(last.lastFlushAt).isEqualTo(NOON);

        h.setProcessingTime(NOON + PipelineStatusFunction.REFRESH_MS);
        rows = h.extractOutputValues();
        PipelineStatusRow refreshed = rows.get(rows.size() - 1);
        assertThat(rows).hasSize(3);
        assertThat(refreshed.lastFlushAt).isEqualTo(NOON + PipelineStatusFunction.REFRESH_MS);
        assertThat(refreshed.version).as("nothing new: same version").isEqualTo(last.version);
        assertThat(h.numProcessingTimeTimers()).as("the timer re-registers itself").isEqualTo(1);
        h.close();
    }

    @Test
    void theVersionGrowsWithEveryDeltaThatCountsSomething() throws Exception {
        var h = harness();
        h.setProcessingTime(NOON);
        h.processElement(new StreamRecord<>(StatusDelta.of("reviews", 1, 0, 0, 0)));
        h.processElement(new StreamRecord<>(StatusDelta.of("reviews", 0, 0, 1, 0)));
        h.processElement(new StreamRecord<>(StatusDelta.of("reviews", 0, 0, 0, 1)));
        assertThat(h.extractOutputValues())
                .extracting(r -> r.version)
                .isSorted()
                .doesNotHaveDuplicates();
        h.close();
    }

    @Test
    void theEndOfInputWatermarkIsNotWrittenAsAnInstant() throws Exception {
        var h = harness();
        h.setProcessingTime(NOON);
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        h.processElement(new StreamRecord<>(StatusDelta.of("members", 1, 0, 0, 0)));
        assertThat(h.extractOutputValues()).extracting(r -> r.watermark).containsOnlyNulls();
        h.close();
    }
}
