package io.tally.pipeline.chat.functions;

import io.tally.pipeline.chat.AchievementType;
import io.tally.pipeline.chat.ContentStats;
import io.tally.pipeline.chat.FirstUse;
import io.tally.pipeline.chat.MessageFeatures;
import io.tally.pipeline.chat.TopWords;
import io.tally.pipeline.chat.Vocabulary;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.chat.records.MessageAnalysisRow;
import io.tally.pipeline.chat.records.MetricUpdate;
import io.tally.pipeline.chat.records.VocabularyRow;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by user key (excluded senders filtered before): content statistics and vocabulary (SPEC
 * §2.8), all time. The exact vocabulary size needs every distinct word of the user, kept with its
 * first use; {@link TopWords} keeps the first 1000 of them in (ts, id, position) order, so a late
 * message can move a word earlier and push another out ({@link VocabularyRow#deleted}).
 */
public final class ContentFunction
        extends KeyedProcessFunction<String, ChatMessage, MessageAnalysisRow> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<VocabularyRow> VOCABULARY =
            new OutputTag<>("vocabulary", Types.POJO(VocabularyRow.class));
    public static final OutputTag<MetricUpdate> METRICS =
            new OutputTag<>("content-metrics", Types.POJO(MetricUpdate.class));

    private transient ValueState<ContentStats> stats;
    private transient MapState<String, FirstUse> words;
    private transient ValueState<Long> vocabularySize;
    private transient ValueState<TopWords> topWords;

    @Override
    public void open(OpenContext context) {
        stats =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "content-stats", Types.POJO(ContentStats.class)));
        words =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "words", Types.STRING, Types.POJO(FirstUse.class)));
        vocabularySize =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("vocabulary-size", Types.LONG));
        topWords =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "top-words", Types.POJO(TopWords.class)));
    }

    @Override
    public void processElement(ChatMessage m, Context ctx, Collector<MessageAnalysisRow> out)
            throws Exception {
        String user = ctx.getCurrentKey();
        ContentStats s = stats.value();
        boolean first = s == null;
        if (first) {
            s = new ContentStats();
        }
        // The metric values before this message, to send only the ones that change.
        long[] before = {s.emojiCount, s.capsCount, s.questionCount, s.urlCount, s.longest()};
        s.add(MessageFeatures.of(m.text));
        stats.update(s);

        long size = vocabularySize.value() == null ? 0 : vocabularySize.value();
        long sizeBefore = size;
        TopWords top = topWords.value();
        if (top == null) {
            top = new TopWords();
        }
        List<String> tokens = Vocabulary.vocabularyTokens(m.text);
        for (int position = 0; position < tokens.size(); position++) {
            String word = tokens.get(position);
            FirstUse candidate = new FirstUse();
            candidate.ts = m.ts;
            candidate.messageId = m.id;
            candidate.position = position;
            FirstUse known = words.get(word);
            if (known == null) {
                size++;
            } else if (candidate.compareTo(known) >= 0) {
                continue;
            }
            words.put(word, candidate);
            TopWords.Change change = top.offer(word, candidate);
            if (change.upsertWord() != null) {
                ctx.output(
                        VOCABULARY,
                        vocabularyRow(user, change.upsertWord(), change.upsertFirstUsed(), false));
            }
            if (change.evictedWord() != null) {
                ctx.output(VOCABULARY, vocabularyRow(user, change.evictedWord(), 0, true));
            }
        }
        topWords.update(top);
        vocabularySize.update(size);

        out.collect(row(user, s, size));
        // On the user's first message every metric is sent, so each gets its progress row.
        metric(ctx, user, AchievementType.EMOJI_USER, first, before[0], s.emojiCount, m.ts);
        metric(ctx, user, AchievementType.CAPS_LOCK, first, before[1], s.capsCount, m.ts);
        metric(ctx, user, AchievementType.QUESTION_ASKER, first, before[2], s.questionCount, m.ts);
        metric(ctx, user, AchievementType.LINK_SHARER, first, before[3], s.urlCount, m.ts);
        metric(ctx, user, AchievementType.VOCABULARY, first, sizeBefore, size, m.ts);
        metric(ctx, user, AchievementType.LONGEST_MSG, first, before[4], s.longest(), m.ts);
    }

    private static void metric(
            Context ctx,
            String user,
            AchievementType type,
            boolean first,
            long before,
            long now,
            long ts) {
        if (first || before != now) {
            ctx.output(METRICS, MetricUpdate.of(user, type.code(), now, true, ts));
        }
    }

    private static MessageAnalysisRow row(String user, ContentStats s, long vocabulary) {
        MessageAnalysisRow r = new MessageAnalysisRow();
        r.username = user;
        r.totalMessages = s.totalMessages;
        r.totalWords = s.totalWords;
        r.avgMessageLength = s.avgMessageLength();
        r.avgWordsPerMessage = s.avgWordsPerMessage();
        r.emojiCount = s.emojiCount;
        r.emojiUsageRate = s.emojiUsageRate();
        r.capsCount = s.capsCount;
        r.capsUsageRate = s.capsUsageRate();
        r.questionCount = s.questionCount;
        r.exclamationCount = s.exclamationCount;
        r.urlCount = s.urlCount;
        r.mentionCount = s.mentionCount;
        r.longestMessage = s.longest();
        r.shortestMessage = s.shortest();
        r.vocabularySize = vocabulary;
        r.version = s.totalMessages;
        return r;
    }

    private static VocabularyRow vocabularyRow(
            String user, String word, long firstUsed, boolean deleted) {
        VocabularyRow r = new VocabularyRow();
        r.username = user;
        r.word = word;
        r.firstUsed = firstUsed;
        r.deleted = deleted;
        return r;
    }
}
