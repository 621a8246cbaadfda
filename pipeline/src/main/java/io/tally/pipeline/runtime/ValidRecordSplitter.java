package io.tally.pipeline.runtime;

import io.tally.connectors.kafka.DeadLetter;
import io.tally.connectors.kafka.ParsedRecord;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Right after a source: valid events go on, rejections leave through {@link #DEAD_LETTERS}, and the
 * counts leave through {@link #STATUS} as one small delta a second per subtask instead of one per
 * record. Pending counts are emitted before every checkpoint barrier and at end of input, so after
 * a restore {@code pipeline_status} counts each record exactly once (SPEC §1.8).
 */
public final class ValidRecordSplitter<T> extends AbstractStreamOperator<T>
        implements OneInputStreamOperator<ParsedRecord<T>, T>,
                BoundedOneInput,
                ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;
    private static final long STATUS_EVERY_MS = 1000;

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>(
                    "dead-letters",
                    org.apache.flink.api.common.typeinfo.Types.POJO(DeadLetter.class));
    public static final OutputTag<StatusDelta> STATUS =
            new OutputTag<>(
                    "status", org.apache.flink.api.common.typeinfo.Types.POJO(StatusDelta.class));

    private final String pipeline;

    private transient long recordsIn;
    private transient long deadLetters;
    private transient Counter recordsInCounter;
    private transient Map<String, Counter> deadLettersByReason;

    public ValidRecordSplitter(String pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public void open() throws Exception {
        super.open();
        // SPEC §5.4: records in and dead letters by reason, as Flink metrics.
        recordsInCounter = getMetricGroup().counter("recordsIn");
        deadLettersByReason = new HashMap<>();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService().registerTimer(now + STATUS_EVERY_MS, this);
    }

    @Override
    public void processElement(StreamRecord<ParsedRecord<T>> element) {
        ParsedRecord<T> r = element.getValue();
        recordsIn++;
        recordsInCounter.inc();
        if (r.isValid()) {
            output.collect(element.replace(r.value));
        } else {
            deadLetters++;
            deadLettersByReason
                    .computeIfAbsent(
                            r.deadLetter.reason,
                            reason ->
                                    getMetricGroup()
                                            .addGroup("reason", reason)
                                            .counter("deadLetters"))
                    .inc();
            output.collect(DEAD_LETTERS, new StreamRecord<>(r.deadLetter));
        }
    }

    @Override
    public void onProcessingTime(long time) {
        emitCounts();
        getProcessingTimeService().registerTimer(time + STATUS_EVERY_MS, this);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        emitCounts();
    }

    @Override
    public void endInput() {
        emitCounts();
    }

    private void emitCounts() {
        if (recordsIn == 0 && deadLetters == 0) {
            return;
        }
        output.collect(
                STATUS, new StreamRecord<>(StatusDelta.of(pipeline, recordsIn, deadLetters, 0, 0)));
        recordsIn = 0;
        deadLetters = 0;
    }
}
