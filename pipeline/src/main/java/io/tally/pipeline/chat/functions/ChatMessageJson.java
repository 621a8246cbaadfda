package io.tally.pipeline.chat.functions;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tally.pipeline.chat.records.ChatMessage;

/** The SPEC §2.1 JSON of a parsed message, for dead letters raised after parsing. */
final class ChatMessageJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ChatMessageJson() {}

    static String write(ChatMessage m) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", m.id);
        n.put("room", m.room);
        n.put("username", m.username);
        n.put("text", m.text);
        n.put("ts", m.ts);
        return n.toString();
    }
}
