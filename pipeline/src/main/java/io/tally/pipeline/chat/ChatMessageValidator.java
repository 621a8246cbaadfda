package io.tally.pipeline.chat;

import io.tally.connectors.kafka.BadRecordReason;
import io.tally.connectors.kafka.JsonRecord;
import io.tally.connectors.kafka.RecordValidator;
import io.tally.pipeline.chat.functions.MessageMetrics;
import io.tally.pipeline.chat.records.ChatMessage;
import io.tally.pipeline.runtime.UserKey;
import java.nio.charset.StandardCharsets;

/** The field rules of a {@code chat-messages} record (SPEC §2.1). */
public final class ChatMessageValidator implements RecordValidator<ChatMessage> {
    private static final long serialVersionUID = 1L;

    static final int MAX_USERNAME_CHARS = 100;
    static final int MAX_TEXT_BYTES = 64 * 1024;

    /** SPEC §1.6 caps, in characters (code points). */
    static final int MAX_ID_CHARS = 256;

    static final int MAX_ROOM_CHARS = 100;

    @Override
    public ChatMessage read(JsonRecord json) {
        ChatMessage m = new ChatMessage();
        // SPEC §1.6: every string that reaches a table holds no U+0000 and no unpaired surrogate.
        // username is every table's key, room is user_active_hours.room_id, and text reaches
        // user_vocabulary.word through its tokens; id is only dedupe state but has its cap.
        m.id = json.requireText("id", MAX_ID_CHARS);
        m.username = json.requireText("username", JsonRecord.NO_CAP);
        m.text = json.requireText("text", JsonRecord.NO_CAP);
        m.room = json.optionalText("room", MAX_ROOM_CHARS, "default");
        Long ts = json.requireTimestamp("ts");
        if (m.id != null && m.id.isEmpty()) {
            json.problem(BadRecordReason.BAD_VALUE, "id: must not be empty");
        }
        if (m.username != null) {
            int chars = m.username.codePointCount(0, m.username.length());
            if (chars < 1 || chars > MAX_USERNAME_CHARS) {
                json.problem(
                        BadRecordReason.BAD_VALUE,
                        "username: expected 1–100 characters, got " + chars);
            }
        }
        if (m.text != null) {
            int bytes = m.text.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_TEXT_BYTES) {
                json.problem(
                        BadRecordReason.BAD_VALUE, "text: at most 64 KiB, got " + bytes + " bytes");
            }
        }
        if (m.room == null || m.room.isEmpty()) {
            m.room = "default";
        }
        m.ts = ts == null ? Long.MIN_VALUE : ts;
        m.userKey = m.username == null ? null : UserKey.of(m.username);
        if (m.text != null) {
            // Every operator needs these; compute them once per message, not once per operator.
            MessageMetrics.measure(m);
        }
        m.sourceTopic = json.topic();
        m.sourcePartition = json.partition();
        m.sourceOffset = json.offset();
        return m;
    }
}
