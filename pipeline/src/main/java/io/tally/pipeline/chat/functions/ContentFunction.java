package io.tally.pipeline.chat.functions;

import io.tally.pipeline.chat.logic.ContentStats;
import io.tally.pipeline.chat.logic.FirstUse;
import io.tally.pipeline.chat.logic.TopWords;
import io.tally.pipeline.chat.logic.Vocabulary;
import io.tally.pipeline.chat.logic.WordTable;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.chat.records.MessageAnalysisRow;
import io.tally.pipeline.chat.records.VocabularyRow;
import io.tally.pipeline.runtime.BackendAware;
import io.tally.pipeline.runtime.DirtyKeys;
import io.tally.pipeline.runtime.RowFlusher;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * §2.8), all time. The exact vocabulary size needs every distinct word of the user, kept with the
 * ts of its first use; {@link TopWords} keeps the first 1000 of them in (ts, id, position) order,
 * so a late message can move a word earlier and push another out ({@link VocabularyRow#deleted}). A
 * token over 100 characters counts in {@code vocabulary_size} but {@link TopWords} gives it no row
 * (SPEC §2.8: a pasted hash or blob would exceed PostgreSQL's index row limit and stop the sink).
 *
 * <p>Only the ts of a word's first use is kept per word, not the message id and position (issue 12:
 * they were a third of the chat state). The full order is only needed among the words {@link
 * TopWords} holds, and it holds theirs. A word used again at a ts after its first use can never
 * move earlier, so it is skipped; at the same ts it is offered to {@link TopWords}, which decides
 * with the full order if it holds the word, and otherwise refuses it (a delete of a row that does
 * not exist, as for any refused word).
 *
 * <p>The words live in {@link UserStrings}: packed in a table on the heap, otherwise one entry each
 * in the map state {@code word-first-use-ts}, which held them all before the table. Savepoints
 * older still hold each word's full first use under {@code words}: a restored user's are moved into
 * {@code word-first-use-ts} when the user is next seen (the only time {@code words} is read).
 */
public final class ContentFunction
        extends KeyedProcessFunction<String, ChatMessage, MessageAnalysisRow>
        implements RowFlusher<String, MessageAnalysisRow>, BackendAware {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<VocabularyRow> VOCABULARY =
            new OutputTag<>("vocabulary", Types.POJO(VocabularyRow.class));

    private transient ValueState<ContentStats> stats;

    /** Every distinct word of the user → the ts of its first use. */
    private transient UserStrings<Long> words;

    /** {@link #words}' map tier, {@code word-first-use-ts}: word → ts of its first use. */
    private transient MapState<String, Long> spilledWords;

    /** The words with their full first use, as the oldest savepoints hold them. */
    private transient MapState<String, FirstUse> legacyWords;

    private transient ValueState<Long> vocabularySize;
    private transient ValueState<TopWords> topWords;
    private transient DirtyKeys<String> dirty;
    private transient boolean stateOnHeap;

    @Override
    public void bind(DirtyKeys<String> dirty) {
        this.dirty = dirty;
    }

    @Override
    public void stateOnHeap(boolean onHeap) {
        this.stateOnHeap = onHeap;
    }

    @Override
    public void open(OpenContext context) {
        stats =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "content-stats", Types.POJO(ContentStats.class)));
        spilledWords =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "word-first-use-ts", Types.STRING, Types.LONG));
        words =
                new UserStrings<>(
                        getRuntimeContext()
                                .getState(
                                        new ValueStateDescriptor<>(
                                                "word-first-uses", Types.POJO(WordTable.class))),
                        spilledWords,
                        ts -> ts,
                        ts -> ts,
                        stateOnHeap);
        legacyWords =
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
        if (s == null) {
            s = new ContentStats();
        }
        s.add(MessageMetrics.features(m));
        stats.update(s);

        long size = vocabularySize.value() == null ? 0 : vocabularySize.value();
        TopWords top = topWords.value();
        if (top == null) {
            top = new TopWords();
        }
        if (words.load()) {
            moveLegacyWords();
        }
        List<String> tokens = Vocabulary.vocabularyTokens(m.text);
        Set<String> inThisMessage = new HashSet<>();
        for (int position = 0; position < tokens.size(); position++) {
            String word = tokens.get(position);
            if (!inThisMessage.add(word)) {
                continue; // its first position in this message was offered already
            }
            long known = words.get(word);
            boolean isNew = known == UserStrings.UNKNOWN;
            if (!isNew && m.ts > known) {
                continue; // used before: this use cannot be its first
            }
            if (isNew) {
                size++;
                words.addNew(word, m.ts);
            } else if (m.ts < known) {
                words.set(word, m.ts);
            }
            FirstUse candidate = new FirstUse(m.ts, m.id, position);
            // Every word TopWords holds is a known word, so a word new here is new to it too.
            TopWords.Change change =
                    isNew ? top.offerNew(word, candidate) : top.offer(word, candidate);
            if (change.upsertWord() != null) {
                ctx.output(
                        VOCABULARY,
                        vocabularyRow(user, change.upsertWord(), change.upsertFirstUsed(), false));
            }
            if (change.evictedWord() != null) {
                ctx.output(VOCABULARY, vocabularyRow(user, change.evictedWord(), 0, true));
            }
        }
        words.store();
        topWords.update(top);
        vocabularySize.update(size);
        dirty.mark(user, 1);
    }

    @Override
    public void flush(String user, DirtyKeys.Marks marks, Rows<MessageAnalysisRow> out)
            throws Exception {
        out.collect(row(user, stats.value(), vocabularySize.value()));
    }

    /** Moves the user's words from {@code words} (the oldest savepoints), if any, and clears it. */
    private void moveLegacyWords() throws Exception {
        boolean found = false;
        for (Map.Entry<String, FirstUse> e : legacyWords.entries()) {
            spilledWords.put(e.getKey(), e.getValue().ts);
            found = true;
        }
        if (found) { // a clear is a scan on RocksDB, and most users are new
            legacyWords.clear();
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
