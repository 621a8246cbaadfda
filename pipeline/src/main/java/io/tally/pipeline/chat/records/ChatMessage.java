package io.tally.pipeline.chat.records;

/**
 * One valid chat message (SPEC §2.1), with its user key (§2.2) and where it was read from (so a
 * message dropped later as too late can still be traced to its Kafka record). A Flink POJO.
 */
public class ChatMessage {
    public String id;
    public String room;

    /** The username as sent (a label). */
    public String username;

    /** ASCII-lower-cased username: the key of every chat table. */
    public String userKey;

    /** Raw text exactly as logged; every metric is defined on it. */
    public String text;

    /** Event time, epoch ms. */
    public long ts;

    /** SPEC §2.3 word count of the text, computed once when the message is read. */
    public int words;

    /** Length of the text in Unicode code points (SPEC §2.5, §2.7 averages). */
    public int codePoints;

    // The SPEC §2.8 content metrics of the text (logic.MessageFeatures), also computed once when
    // the message is read: the content and achievements operators both need them, and the
    // validator runs in the source's threads, beside the keyed operators' (issue 12).
    public int emojis;
    public int urls;
    public int mentions;
    public boolean caps;
    public int questions;
    public int exclamations;

    /** UTF-16 length of the text ({@code String.length()}, SPEC §2.8). */
    public int length;

    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;

    public ChatMessage() {}

    @Override
    public String toString() {
        return "ChatMessage{" + id + " " + userKey + " @" + ts + "}";
    }
}
