package io.tally.pipeline.app;

import io.tally.connectors.kafka.KafkaEndpoints;
import io.tally.connectors.kafka.ParsedRecord;
import io.tally.connectors.kafka.RecordValidator;
import io.tally.connectors.kafka.ValidatingDeserializer;
import io.tally.pipeline.chat.ChatMessageValidator;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.members.ImportRequestValidator;
import io.tally.pipeline.members.records.ImportRequest;
import io.tally.pipeline.reviews.ReviewValidator;
import io.tally.pipeline.reviews.records.Review;
import org.apache.flink.api.common.typeinfo.TypeInformation;
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
        return source(
                env,
                config.chatTopic,
                "chat",
                new ChatMessageValidator(),
                m -> m.ts,
                Types.POJO(ChatMessage.class));
    }

    @Override
    public DataStream<ParsedRecord<Review>> reviews(StreamExecutionEnvironment env) {
        return source(
                env,
                config.reviewsTopic,
                "reviews",
                new ReviewValidator(),
                r -> r.ts,
                Types.POJO(Review.class));
    }

    @Override
    public DataStream<ParsedRecord<ImportRequest>> memberImports(StreamExecutionEnvironment env) {
        return source(
                env,
                config.membersTopic,
                "members",
                new ImportRequestValidator(),
                r -> r.ts,
                Types.POJO(ImportRequest.class));
    }

    /** The user's Kafka client properties (SPEC §5.2), for every client the job makes. */
    public static java.util.Properties kafkaProperties(TallyConfig config) {
        java.util.Properties p = new java.util.Properties();
        p.putAll(config.kafkaProperties);
        return p;
    }

    /** One validated topic: its own consumer group and source uid per pipeline. */
    private <T> DataStream<ParsedRecord<T>> source(
            StreamExecutionEnvironment env,
            String topic,
            String pipeline,
            RecordValidator<T> validator,
            ValidatingDeserializer.SerializableToLong<T> eventTime,
            TypeInformation<T> type) {
        var deserializer =
                new ValidatingDeserializer<T>(
                        validator, eventTime, type, config.maxRecordBytes, config.maxFuture);
        var source =
                KafkaEndpoints.source(
                        config.bootstrapServers,
                        topic,
                        config.groupId + "-" + pipeline,
                        config.from,
                        config.bounded,
                        deserializer,
                        kafkaProperties(config));
        // No idleness in a bounded run: every partition is read to its end and leaves the
        // watermark when it finishes. With idleness, a subtask still reading but briefly quiet was
        // marked idle while a finished subtask had sent the final +inf watermark, so +inf reached
        // the operators mid-run and the dedupe dropped the remaining messages as too-late (§1.4:
        // end of input is not the passage of time).
        return env.fromSource(
                        source,
                        KafkaEndpoints.<T>watermarks(
                                config.maxOutOfOrderness, config.bounded ? null : config.idleness),
                        "Kafka " + topic)
                .uid(pipeline + "-source");
    }
}
