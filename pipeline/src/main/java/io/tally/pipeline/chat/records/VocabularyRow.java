package io.tally.pipeline.chat.records;

/** A row of {@code user_vocabulary} (SPEC §2.8), or its removal from the user's first 1000. */
public class VocabularyRow {
    public String username;
    public String word;
    public long firstUsed;

    /** True when the word was pushed out of the first 1000 by an earlier-used word. */
    public boolean deleted;

    public VocabularyRow() {}
}
