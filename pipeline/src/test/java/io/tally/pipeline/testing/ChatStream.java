package io.tally.pipeline.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A generated multi-user, multi-room, multi-day chat: non-ASCII names and text, emoji, HTML-logged
 * links, excluded senders, repeated deliveries and out-of-order events. Deterministic per seed.
 */
public final class ChatStream {
    /** One distinct message, as the oracle sees it. */
    public record Message(String id, String room, String username, String text, long ts) {}

    static final String[] USERS = {
        "Alice", "alice", "BOB", "Chloé", "李雷", "mika_99", "Zoë-Ann", "dazza", "[server]", "Dazza"
    };
    static final String[] ROOMS = {"fatpizza", "general", "Café"};
    static final String[] TEXTS = {
        "hello world",
        "lol 😂 that was great",
        "check this https://example.com/a?b=1 out",
        "@bob are you coming tonight?",
        "I have 123 apples and 456 oranges",
        "don't panic!!!",
        "&gt; quote of the day",
        "<a href=\"https://x.io/a\" target=\"_blank\" rel=\"noopener noreferrer\">https://x.io/a</a>",
        "café naïve crème brûlée",
        "WHY IS EVERYTHING ON FIRE",
        "gm ☀️",
        "one-two-three",
        "",
        "   ",
        "x y z",
        "hi😀there",
        "www.tally.dev is live",
        "test@email.com wrote",
        "日本語のテキスト and english",
        "@hyphen-user @under_score check this",
    };

    public final List<Message> messages = new ArrayList<>();

    /** What is produced: every message, some twice, in a shuffled order. */
    public final List<String> lines = new ArrayList<>();

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * @param start epoch ms of the first day's midnight (UTC)
     */
    public static ChatStream generate(long seed, int count, int days, long start) {
        Random r = new Random(seed);
        ChatStream s = new ChatStream();
        for (int i = 0; i < count; i++) {
            String room = ROOMS[r.nextInt(ROOMS.length)];
            long ts = start + (long) r.nextInt(days) * 86_400_000L + r.nextInt(86_400_000);
            Message m =
                    new Message(
                            room + ":" + ts + ":" + i,
                            room,
                            USERS[r.nextInt(USERS.length)],
                            TEXTS[r.nextInt(TEXTS.length)],
                            ts);
            s.messages.add(m);
            s.lines.add(json(m));
            if (r.nextInt(20) == 0) {
                s.lines.add(json(m)); // an at-least-once producer delivering twice
            }
        }
        // Shuffled: events arrive out of order, many of them hours or days late (within retention).
        Collections.shuffle(s.lines, r);
        return s;
    }

    public static String json(Message m) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", m.id());
        n.put("room", m.room());
        n.put("username", m.username());
        n.put("text", m.text());
        n.put("ts", m.ts());
        return n.toString();
    }
}
