package io.tally.pipeline.chat.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.chat.records.DailyActivityRow;
import java.time.LocalDate;
import java.time.ZoneId;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The retention timer of SPEC §1.10 and §2.5: a day's state is dropped and its row deleted once its
 * date is before {@code date(watermark) − retention-days}, in the configured zone; never because a
 * bounded input ended (§1.4).
 */
class DailyActivityRetentionTest {
    static final int RETENTION = 3;

    static ChatMessage message(String id, long ts) {
        return ChatFixtures.message("alice", id, ts, "hello world");
    }

    static KeyedOneInputStreamOperatorTestHarness<String, ChatMessage, DailyActivityRow> harness(
            ZoneId zone) throws Exception {
        return ChatFixtures.harness(new DailyActivityFunction(zone, RETENTION));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"UTC", "+10:00", "Australia/Sydney"})
    void aDayLeavesWhenTheWatermarkReachesItsRetentionEnd(String zoneId) throws Exception {
        ZoneId zone = ZoneId.of(zoneId);
        var h = harness(zone);
        // Sydney's 23-hour day (4 Oct 2026) lies inside the window being measured.
        h.processElement(
                message("a", ChatFixtures.local("2026-10-02T09:00", zone)),
                ChatFixtures.local("2026-10-02T09:00", zone));
        h.processElement(
                message("b", ChatFixtures.local("2026-10-02T21:00", zone)),
                ChatFixtures.local("2026-10-02T21:00", zone));
        assertThat(h.numKeyedStateEntries()).isEqualTo(1);
        assertThat(h.numEventTimeTimers()).isEqualTo(1);

        // 2 Oct is kept while date(watermark) − 3 ≤ 2 Oct, i.e. until 6 Oct begins locally.
        long end = ChatFixtures.local("2026-10-06T00:00", zone);
        h.processWatermark(new Watermark(end - 1));
        assertThat(h.extractOutputValues()).hasSize(2);

        h.processWatermark(new Watermark(end));
        DailyActivityRow deletion = h.extractOutputValues().get(2);
        assertThat(deletion.deleted).isTrue();
        assertThat(deletion.epochDay).isEqualTo(LocalDate.of(2026, 10, 2).toEpochDay());
        assertThat(deletion.version).isGreaterThan(h.extractOutputValues().get(1).version);
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"UTC", "Australia/Sydney"})
    void theEndOfABoundedInputDeletesNothing(String zoneId) throws Exception {
        ZoneId zone = ZoneId.of(zoneId);
        var h = harness(zone);
        h.processElement(
                message("a", ChatFixtures.local("2026-10-02T09:00", zone)),
                ChatFixtures.local("2026-10-02T09:00", zone));
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(h.extractOutputValues()).hasSize(1);
        assertThat(h.extractOutputValues().get(0).deleted).isFalse();
    }
}
