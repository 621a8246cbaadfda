package io.tally.pipeline.chat.functions;

import static io.tally.pipeline.chat.functions.ChatFixtures.PLUS_TEN;
import static io.tally.pipeline.chat.functions.ChatFixtures.local;
import static io.tally.pipeline.chat.functions.ChatFixtures.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.chat.records.ActivitySummaryRow;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;

/**
 * SPEC §2.6 at the operator: one bucket per (room, local hour of day) in the configured zone, and a
 * summary over all rooms; versions are the bucket's and the user's message counts (§1.8).
 */
class ActiveHoursFunctionTest {
    @Test
    void bucketsByRoomAndLocalHourAndSummarisesAcrossRooms() throws Exception {
        var h = ChatFixtures.harness(new ActiveHoursFunction(PLUS_TEN));
        long nineAm = local("2026-06-20T09:15", PLUS_TEN); // 23:15 UTC the day before
        h.processElement(message("Alice", "general", "m1", nineAm, "good morning all"), nineAm);
        h.processElement(message("Alice", "general", "m2", nineAm + 60_000, "hi"), nineAm);
        h.processElement(message("Alice", "random", "m3", nineAm + 120_000, "yo"), nineAm);
        long elevenPm = local("2026-06-20T23:30", PLUS_TEN);
        h.processElement(message("Alice", "general", "m4", elevenPm, "night"), elevenPm);

        assertThat(h.extractOutputValues())
                .extracting(r -> r.roomId + "@" + r.hour + " " + r.messageCount + "/" + r.wordCount)
                .containsExactly(
                        "general@9 1/3", "general@9 2/4", "random@9 1/1", "general@23 1/1");
        List<ActivitySummaryRow> summaries =
                h.getSideOutput(ActiveHoursFunction.SUMMARY).stream()
                        .map(StreamRecord::getValue)
                        .toList();
        ActivitySummaryRow last = summaries.get(summaries.size() - 1);
        assertThat(summaries).extracting(s -> s.version).containsExactly(1L, 2L, 3L, 4L);
        assertThat(last.mostActiveHour).isEqualTo(9);
        assertThat(last.morningMessages).isEqualTo(3);
        // Buckets (one map) and the 24 hour totals (one array) for the one user.
        assertThat(h.numKeyedStateEntries()).isEqualTo(2);
        assertThat(h.numEventTimeTimers()).isZero();
        h.close();
    }
}
