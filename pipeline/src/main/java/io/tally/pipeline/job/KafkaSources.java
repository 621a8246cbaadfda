package io.tally.pipeline.job;

import io.tally.connectors.kafka.KafkaEndpoints;
import io.tally.connectors.kafka.ParsedRecord;
import io.tally.connectors.kafka.ValidatingDeserializer;
import io.tally.pipeline.chat.ChatMessageValidator;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.members.ImportRequestValidator;
import io.tally.pipeline.members.records.ImportRequest;
import io.tally.pipeline.reviews.ReviewValidator;
import io.tally.pipeline.reviews.records.Review;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The Kafka topics of SPEC §2.1, §3.1, §4.1 as validated sources. */
public class KafkaSources implements TallySources {
    private final TallyConfig config;

    public KafkaSources(TallyConfig config) {
        this.config = config;
    }

    @Override
    public DataStream<ParsedRecord<ChatMessage>> chatMessages(StreamExecutionEnvironment env) {
        var deserializer =
                new ValidatingDeserializer<ChatMessage>(
                        new ChatMessageValidator(),
                        m -> m.ts,
                        Types.POJO(ChatMessage.class),
                        config.maxRecordBytes,
                        config.maxFuture);
        var source =
                KafkaEndpoints.source(
                        config.bootstrapServers,
                        config.chatTopic,
                        config.groupId + "-chat",
                        config.from,
                        config.bounded,
                        deserializer);
        return env.fromSource(
                        source,
                        KafkaEndpoints.<ChatMessage>watermarks(
                                config.maxOutOfOrderness, config.idleness),
                        "Kafka " + config.chatTopic)
                .uid("chat-source");
    }

    @Override
    public DataStream<ParsedRecord<Review>> reviews(StreamExecutionEnvironment env) {
        var deserializer =
                new ValidatingDeserializer<Review>(
                        new ReviewValidator(),
                        r -> r.ts,
                        Types.POJO(Review.class),
                        config.maxRecordBytes,
                        config.maxFuture);
        var source =
                KafkaEndpoints.source(
                        config.bootstrapServers,
                        config.reviewsTopic,
                        config.groupId + "-reviews",
                        config.from,
                        config.bounded,
                        deserializer);
        return env.fromSource(
                        source,
                        KafkaEndpoints.<Review>watermarks(
                                config.maxOutOfOrderness, config.idleness),
                        "Kafka " + config.reviewsTopic)
                .uid("reviews-source");
    }

    @Override
    public DataStream<ParsedRecord<ImportRequest>> memberImports(StreamExecutionEnvironment env) {
        var deserializer =
                new ValidatingDeserializer<ImportRequest>(
                        new ImportRequestValidator(),
                        r -> r.ts,
                        Types.POJO(ImportRequest.class),
                        config.maxRecordBytes,
                        config.maxFuture);
        var source =
                KafkaEndpoints.source(
                        config.bootstrapServers,
                        config.membersTopic,
                        config.groupId + "-members",
                        config.from,
                        config.bounded,
                        deserializer);
        return env.fromSource(
                        source,
                        KafkaEndpoints.<ImportRequest>watermarks(
                                config.maxOutOfOrderness, config.idleness),
                        "Kafka " + config.membersTopic)
                .uid("members-source");
    }
}
