package io.tally.pipeline.chat;

import io.tally.connectors.kafka.DeadLetter;
import io.tally.connectors.kafka.ParsedRecord;
import io.tally.pipeline.chat.functions.DailyActivityFunction;
import io.tally.pipeline.chat.functions.MessageDedupeFunction;
import io.tally.pipeline.chat.functions.UserStatsFunction;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.chat.records.DailyActivityRow;
import io.tally.pipeline.chat.records.UserStatsRow;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.job.StatusDelta;
import io.tally.pipeline.job.TallySinks;
import io.tally.pipeline.job.ValidRecordSplitter;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

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
                messages.keyBy(m -> m.id, Types.STRING)
                        .process(new MessageDedupeFunction(config.timezone, config.retentionDays))
                        .uid("chat-dedupe")
                        .name("Dedupe chat messages by id");

        DataStream<DeadLetter> deadLetters =
                messages.getSideOutput(ValidRecordSplitter.DEAD_LETTERS)
                        .union(unique.getSideOutput(MessageDedupeFunction.TOO_LATE));
        sinks.deadLetters(deadLetters, PIPELINE);

        KeyedStream<ChatMessage, String> byUser = unique.keyBy(m -> m.userKey, Types.STRING);

        SingleOutputStreamOperator<UserStatsRow> userStats =
                byUser.process(new UserStatsFunction())
                        .uid("chat-user-stats")
                        .name("User stats (SPEC 2.4)");
        sinks.upsert(userStats, ChatTables.userStats());

        Set<String> excluded = new HashSet<>(config.excludedUsers);
        SingleOutputStreamOperator<DailyActivityRow> daily =
                unique.filter(m -> !UserKey.isExcluded(m.userKey, excluded))
                        .name("Drop excluded senders (SPEC 2.2)")
                        .keyBy(m -> m.userKey, Types.STRING)
                        .process(new DailyActivityFunction(config.timezone, config.retentionDays))
                        .uid("chat-daily-activity")
                        .name("Daily activity (SPEC 2.5)");
        sinks.upsert(daily, ChatTables.dailyActivity());

        return messages.getSideOutput(ValidRecordSplitter.STATUS)
                .union(unique.getSideOutput(MessageDedupeFunction.STATUS));
    }
}
