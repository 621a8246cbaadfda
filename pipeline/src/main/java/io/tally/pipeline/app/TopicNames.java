package io.tally.pipeline.app;

import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.config.TallyConfig.Pipeline;
import java.util.ArrayList;
import java.util.List;

/** The topics a configured job reads and writes. */
public final class TopicNames {
    private TopicNames() {}

    public static List<String> inputsAndOutputs(TallyConfig config) {
        List<String> topics = new ArrayList<>();
        if (config.runs(Pipeline.CHAT)) {
            topics.add(config.chatTopic);
        }
        if (config.runs(Pipeline.REVIEWS)) {
            topics.add(config.reviewsTopic);
            topics.add(config.alertsTopic);
        }
        if (config.runs(Pipeline.MEMBERS)) {
            topics.add(config.membersTopic);
        }
        topics.add(config.deadLetterTopic);
        return topics;
    }
}
