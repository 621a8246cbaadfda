package io.tally.pipeline.chat;

import io.tally.connectors.kafka.DeadLetter;
import io.tally.connectors.kafka.ParsedRecord;
import io.tally.pipeline.chat.functions.AchievementFunction;
import io.tally.pipeline.chat.functions.ActiveHoursFunction;
import io.tally.pipeline.chat.functions.ContentFunction;
import io.tally.pipeline.chat.functions.DailyActivityFunction;
import io.tally.pipeline.chat.functions.MessageDedupeFunction;
import io.tally.pipeline.chat.functions.StreakFunction;
import io.tally.pipeline.chat.functions.UserStatsFunction;
import io.tally.pipeline.chat.records.AchievementProgressRow;
import io.tally.pipeline.chat.records.ActiveHourRow;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.chat.records.DailyActivityRow;
import io.tally.pipeline.chat.records.MessageAnalysisRow;
import io.tally.pipeline.chat.records.StreakRow;
import io.tally.pipeline.chat.records.UserStatsRow;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.runtime.BackendAwareKeyedOperator;
import io.tally.pipeline.runtime.FlushPolicy;
import io.tally.pipeline.runtime.FlushingKeyedOperator;
import io.tally.pipeline.runtime.RowFlusher;
import io.tally.pipeline.runtime.StatusDelta;
import io.tally.pipeline.runtime.TallySinks;
import io.tally.pipeline.runtime.UserKey;
import io.tally.pipeline.runtime.ValidRecordSplitter;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;

/**
 * The chat pipeline (SPEC §2): validated messages → dedupe by id → per-user state → cache tables.
 * Takes its input stream and sinks as parameters, so tests run exactly this dataflow.
 */
public final class ChatWorkflow {
    public static final String PIPELINE = "chat";

    private ChatWorkflow() {}

    /**
     * Defines the chat dataflow on {@code parsed} (the validated source, watermarks assigned) and
     * returns its status deltas, for the job's {@code pipeline_status} operator.
     */
    public static DataStream<StatusDelta> define(
            DataStream<ParsedRecord<ChatMessage>> parsed, TallyConfig config, TallySinks sinks) {
        SingleOutputStreamOperator<ChatMessage> messages =
                parsed.transform(
                                "Validate chat messages",
                                Types.POJO(ChatMessage.class),
                                new ValidRecordSplitter<ChatMessage>(PIPELINE))
                        .uid("chat-validate");

        SingleOutputStreamOperator<ChatMessage> unique =
                messages.keyBy(m -> m.userKey, Types.STRING)
                        .transform(
                                "Dedupe chat messages by id, per user",
                                Types.POJO(ChatMessage.class),
                                new BackendAwareKeyedOperator<>(
                                        new MessageDedupeFunction(
                                                config.timezone, config.retentionDays)))
                        .uid("chat-dedupe");

        DataStream<DeadLetter> deadLetters =
                messages.getSideOutput(ValidRecordSplitter.DEAD_LETTERS)
                        .union(unique.getSideOutput(MessageDedupeFunction.TOO_LATE));
        sinks.deadLetters(deadLetters, PIPELINE);

        // The dedupe's output is already partitioned by user key (same key selector, same max
        // parallelism, so the same key groups on the same subtask): every per-user operator below
        // reads it as a keyed stream in place and is chained to the dedupe, instead of a network
        // shuffle (serialize, copy, deserialize) per operator. Uids and state are unchanged, so
        // savepoints of the shuffled graph restore into this one.
        KeyedStream<ChatMessage, String> byUser = byUser(unique);

        // Per-user rows are written once per flush for the users that changed, not per message
        // (SPEC §1.9); a replay of history flushes less often (issue 12, FlushPolicy).
        FlushPolicy flush = FlushPolicy.of(config.flushInterval, config.catchUpFlushInterval);

        SingleOutputStreamOperator<UserStatsRow> userStats =
                perUser(
                        byUser,
                        "chat-user-stats",
                        "User stats (SPEC 2.4)",
                        UserStatsRow.class,
                        new UserStatsFunction(),
                        flush);
        sinks.upsertFlushed(userStats, ChatTables.userStats());

        // Every table but user_stats leaves excluded senders out (SPEC §2.2).
        Set<String> excluded = new HashSet<>(config.excludedUsers);
        KeyedStream<ChatMessage, String> members =
                byUser(
                        unique.filter(m -> !UserKey.isExcluded(m.userKey, excluded))
                                .name("Drop excluded senders (SPEC 2.2)"));

        SingleOutputStreamOperator<DailyActivityRow> daily =
                perUser(
                        members,
                        "chat-daily-activity",
                        "Daily activity (SPEC 2.5)",
                        DailyActivityRow.class,
                        new DailyActivityFunction(config.timezone, config.retentionDays),
                        flush);
        sinks.upsertFlushed(daily, ChatTables.dailyActivity());

        SingleOutputStreamOperator<StreakRow> streaks =
                perUser(
                        members,
                        "chat-streaks",
                        "Streaks (SPEC 2.6)",
                        StreakRow.class,
                        new StreakFunction(config.timezone, config.retentionDays),
                        flush);
        sinks.upsertFlushed(streaks, ChatTables.streaks());

        SingleOutputStreamOperator<ActiveHourRow> hours =
                perUser(
                        members,
                        "chat-active-hours",
                        "Active hours (SPEC 2.7)",
                        ActiveHourRow.class,
                        new ActiveHoursFunction(config.timezone),
                        flush);
        sinks.upsertFlushed(hours, ChatTables.activeHours());
        sinks.upsertFlushed(
                hours.getSideOutput(ActiveHoursFunction.SUMMARY), ChatTables.activitySummary());

        SingleOutputStreamOperator<MessageAnalysisRow> content =
                perUser(
                        members,
                        "chat-content",
                        "Content and vocabulary (SPEC 2.8)",
                        MessageAnalysisRow.class,
                        new ContentFunction(),
                        flush);
        sinks.upsertFlushed(content, ChatTables.messageAnalysis());
        sinks.upsert(content.getSideOutput(ContentFunction.VOCABULARY), ChatTables.vocabulary());

        // Achievements read the messages themselves, of every sender (message_count and word_count
        // apply to bots too), and apply them in (ts, id) order once the watermark passes them, so
        // an award's time does not depend on the Kafka key or partition interleaving (SPEC §2.9).
        SingleOutputStreamOperator<AchievementProgressRow> progress =
                perUser(
                        byUser,
                        "chat-achievements",
                        "Achievements (SPEC 2.9)",
                        AchievementProgressRow.class,
                        new AchievementFunction(config.timezone, excluded),
                        flush);
        sinks.upsertFlushed(progress, ChatTables.achievementProgress());
        sinks.upsert(progress.getSideOutput(AchievementFunction.AWARDS), ChatTables.achievements());

        return messages.getSideOutput(ValidRecordSplitter.STATUS)
                .union(unique.getSideOutput(MessageDedupeFunction.STATUS));
    }

    /**
     * A per-user operator: {@code function} in a {@link FlushingKeyedOperator}, so its per-user
     * rows leave once per flush for the users that changed.
     */
    private static <
                    O,
                    F extends KeyedProcessFunction<String, ChatMessage, O> & RowFlusher<String, O>>
            SingleOutputStreamOperator<O> perUser(
                    KeyedStream<ChatMessage, String> messages,
                    String uid,
                    String name,
                    Class<O> rowType,
                    F function,
                    FlushPolicy flush) {
        return messages.transform(
                        name, Types.POJO(rowType), new FlushingKeyedOperator<>(function, flush))
                .uid(uid);
    }

    /**
     * {@code messages}, which come straight (forward, chained) from the keyed dedupe, as a stream
     * keyed by user key without a shuffle. Only valid for the dedupe's output and operators
     * forwarded from it: they keep its partitioning.
     */
    private static KeyedStream<ChatMessage, String> byUser(DataStream<ChatMessage> messages) {
        return DataStreamUtils.reinterpretAsKeyedStream(messages, m -> m.userKey, Types.STRING);
    }
}
