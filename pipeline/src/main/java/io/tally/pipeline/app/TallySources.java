package io.tally.pipeline.app;

import io.tally.connectors.kafka.ParsedRecord;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.members.records.ImportRequest;
import io.tally.pipeline.reviews.records.Review;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Where the workflows' validated inputs come from; {@link KafkaSources} is the real one. */
public interface TallySources {
    /** {@code chat-messages}, validated, with event-time watermarks (SPEC §1.4, §2.1). */
    DataStream<ParsedRecord<ChatMessage>> chatMessages(StreamExecutionEnvironment env);

    /** {@code reviews}, validated, with event-time watermarks (SPEC §1.4, §3.1). */
    DataStream<ParsedRecord<Review>> reviews(StreamExecutionEnvironment env);

    /** {@code member-imports}, validated, with event-time watermarks (SPEC §4.1). */
    DataStream<ParsedRecord<ImportRequest>> memberImports(StreamExecutionEnvironment env);
}
