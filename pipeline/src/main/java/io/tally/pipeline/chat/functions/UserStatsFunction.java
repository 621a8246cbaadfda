package io.tally.pipeline.chat.functions;

import io.tally.pipeline.chat.logic.UserStats;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.chat.records.UserStatsRow;
import io.tally.pipeline.runtime.DirtyKeys;
import io.tally.pipeline.runtime.FlushingKeyedOperator;
import io.tally.pipeline.runtime.RowFlusher;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by user key: all-time message and word counts of every sender, bots included (SPEC §2.4). A
 * message marks the user dirty; the absolute row is emitted once per flush (SPEC §1.9, {@link
 * FlushingKeyedOperator}).
 */
public final class UserStatsFunction extends KeyedProcessFunction<String, ChatMessage, UserStatsRow>
        implements RowFlusher<String, UserStatsRow> {
    private static final long serialVersionUID = 1L;

    private transient ValueState<UserStats> stats;
    private transient DirtyKeys<String> dirty;

    @Override
    public void bind(DirtyKeys<String> dirty) {
        this.dirty = dirty;
    }

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
        s.add(m.ts, m.words);
        stats.update(s);
        dirty.mark(ctx.getCurrentKey(), 1);
    }

    @Override
    public void flush(String user, DirtyKeys.Marks marks, Rows<UserStatsRow> out) throws Exception {
        UserStats s = stats.value();
        UserStatsRow row = new UserStatsRow();
        row.username = user;
        row.messageCount = s.messageCount;
        row.totalWords = s.totalWords;
        row.firstSeen = s.firstSeen;
        row.lastSeen = s.lastSeen;
        row.version = s.messageCount;
        out.collect(row);
    }
}
