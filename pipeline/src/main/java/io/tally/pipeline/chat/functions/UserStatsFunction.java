package io.tally.pipeline.chat.functions;

import io.tally.pipeline.chat.logic.UserStats;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.chat.records.UserStatsRow;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by user key: all-time message and word counts of every sender, bots included (SPEC §2.4).
 * Emits the absolute row on every message; the sink keeps only the latest per flush (SPEC §1.9).
 */
public final class UserStatsFunction
        extends KeyedProcessFunction<String, ChatMessage, UserStatsRow> {
    private static final long serialVersionUID = 1L;

    private transient ValueState<UserStats> stats;

    @Override
    public void open(OpenContext context) {
        stats =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "user-stats", Types.POJO(UserStats.class)));
    }

    @Override
    public void processElement(ChatMessage m, Context ctx, Collector<UserStatsRow> out)
            throws Exception {
        UserStats s = stats.value();
        if (s == null) {
            s = new UserStats();
        }
        int words = m.words;
        s.add(m.ts, words);
        stats.update(s);
        UserStatsRow row = new UserStatsRow();
        row.username = m.userKey;
        row.messageCount = s.messageCount;
        row.totalWords = s.totalWords;
        row.firstSeen = s.firstSeen;
        row.lastSeen = s.lastSeen;
        row.version = s.messageCount;
        out.collect(row);
    }
}
