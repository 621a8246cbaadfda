package io.tally.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tally.pipeline.runtime.UserKey;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * The generated inputs of {@code tally bench}: chat messages (SPEC §2.1) and review states (SPEC
 * §3.1), deterministic per seed, sent with {@link TopicWriter}.
 */
final class BenchLoad {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long DAY = 86_400_000L;
    private static final String[] TEXTS = {
        "hello world",
        "lol 😂 that was great",
        "check this https://example.com/a?b=1 out",
        "@bob are you coming tonight?",
        "I have 123 apples and 456 oranges",
        "don't panic!!!",
        "&gt; quote of the day",
        "café naïve crème brûlée",
        "WHY IS EVERYTHING ON FIRE",
        "gm ☀️",
    };
    private static final String[] SENTIMENTS = {"positive", "positive", "neutral", "negative"};

    private BenchLoad() {}

    /**
     * {@code n} chat messages from {@code users} senders over the 30 days before now, in time
     * order, keyed by user. The first {@code users} messages come from every sender once, so a run
     * of at least that many sees them all.
     */
    static void chat(TopicWriter w, String prefix, int n, int users, long seed)
            throws InterruptedException {
        Random r = new Random(seed);
        long base = System.currentTimeMillis() - 30 * DAY;
        for (int i = 0; i < n; i++) {
            int user = i < users ? i : r.nextInt(users);
            long ts = base + (long) ((double) i * 30 * DAY / n);
            send(w, chatMessage(prefix + i, "user" + user, TEXTS[r.nextInt(TEXTS.length)], ts));
        }
    }

    static ObjectNode chatMessage(String id, String user, String text, long ts) {
        ObjectNode m = MAPPER.createObjectNode();
        m.put("id", id);
        m.put("room", "room" + Math.floorMod(id.hashCode(), 5));
        m.put("username", user);
        m.put("text", text);
        m.put("ts", ts);
        return m;
    }

    static String text(int i) {
        return TEXTS[Math.floorMod(i, TEXTS.length)];
    }

    private static void send(TopicWriter w, ObjectNode m) throws InterruptedException {
        w.send(
                UserKey.of(m.get("username").asText()),
                m.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * About {@code n} review states among {@code users} users over 30 days, keyed by review id:
     * every review is followed by its reciprocal one in two cases of three (half of them within 30
     * minutes, SPEC §3.2's quick reciprocation), one in eight is edited a day later (its sentiment
     * changes; one edit in fifty archives it). Sent in time order, so no state is behind the
     * watermark. Returns how many states were sent.
     */
    static long reviews(TopicWriter w, long n, int users, long seed) throws InterruptedException {
        Random r = new Random(seed);
        long base = System.currentTimeMillis() - 31 * DAY;
        long step = Math.max(1, 30 * DAY / Math.max(1, n));
        PriorityQueue<ObjectNode> later =
                new PriorityQueue<>(Comparator.comparingLong(m -> m.get("ts").asLong()));
        long sent = 0;
        for (long k = 0; sent + later.size() < n; k++) {
            long ts = base + (sent + later.size()) * step;
            while (!later.isEmpty() && later.peek().get("ts").asLong() <= ts) {
                sendReview(w, later.poll());
                sent++;
            }
            int a = r.nextInt(users);
            int b = (a + 1 + r.nextInt(Math.max(1, users - 1))) % users;
            String id = "rev-" + k;
            sendReview(w, review(id, a, b, SENTIMENTS[r.nextInt(SENTIMENTS.length)], ts, false));
            sent++;
            if (r.nextInt(3) < 2) {
                long gap = 1 + (r.nextBoolean() ? r.nextInt(1_800_000) : r.nextInt((int) DAY));
                later.add(review(id + "-back", b, a, "positive", ts + gap, false));
            }
            if (r.nextInt(8) == 0) {
                later.add(review(id, a, b, "negative", ts + DAY, r.nextInt(50) == 0));
            }
        }
        while (!later.isEmpty()) {
            sendReview(w, later.poll());
            sent++;
        }
        return sent;
    }

    private static ObjectNode review(
            String id, int author, int subject, String sentiment, long ts, boolean archived) {
        ObjectNode m = MAPPER.createObjectNode();
        m.put("id", id);
        person(m.putObject("author"), author);
        person(m.putObject("subject"), subject);
        m.put("sentiment", sentiment);
        m.put("ts", ts);
        m.put("archived", archived);
        return m;
    }

    private static void person(ObjectNode p, int user) {
        p.put("userkey", "service:x.com:" + user);
        p.put("username", "reviewer" + user);
        p.put("name", "Reviewer Nº" + user);
    }

    private static void sendReview(TopicWriter w, ObjectNode m) throws InterruptedException {
        w.send(m.get("id").asText(), m.toString().getBytes(StandardCharsets.UTF_8));
    }
}
