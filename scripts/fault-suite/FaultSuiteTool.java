import io.tally.connectors.members.LocalMembersApi;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import org.apache.kafka.common.utils.Utils;

/**
 * The input of scripts/fault-suite.sh, and the members API it imports from. Run as a single source
 * file with the launcher's classpath (java -cp … FaultSuiteTool.java):
 *
 * <pre>
 * generate --out DIR --events N [--seed S] [--members-url BASE] [--partitions 4]
 * produce --in DIR --phase a|b|c|b,c --bootstrap-servers HOST:PORT --topics chat=T,reviews=T,members=T [--rate R]
 * members-api --port P --secret S --audiences DIR/audiences.tsv
 * </pre>
 *
 * <p>{@code produce} sends a phase's three files in one process, keyed as {@code bin/tally
 * produce} keys them (the user key, the review id, the job id; SPEC §2.1, §3.1) with the same
 * idempotent producer, interleaved so that every topic ends at once; with {@code --rate R} the
 * chat file goes at R lines a second and the others in proportion. One JVM a phase instead of one
 * a file: the suite runs in CI on two cores.
 *
 * <p>{@code generate} writes one deterministic input in three phases, for each topic a JSON-lines
 * file {@code <phase>-<topic>.jsonl} that {@code bin/tally produce} sends keyed as SPEC §2.1/§3.1
 * recommend:
 *
 * <ul>
 *   <li><b>a</b> — the stream the faults hit: chat messages of many users over 60 days (retention
 *       in the suite is 30 days, so day rows are deleted on the way), exact repeats, pairs out of
 *       order by up to 3.5 s (inside the 5 s watermark bound), excluded senders, two users with
 *       more than 1000 distinct words (the {@code user_vocabulary} cap), a few bad lines; review
 *       states with reciprocal rings, edits, archives and repeats; one import request per
 *       audience.
 *   <li><b>b</b> — produced once a has been read: chat messages older than the retention horizon
 *       (too-late, SPEC §1.5; first, so that a job restored just before reads them before any
 *       partition has reported a watermark), repeats of old and recent messages, then on-time
 *       messages; more review states; a second import into audience 1 and a repeat of its first
 *       request.
 *   <li><b>c</b> — one chat message, one review and one (empty) import in every partition, all
 *       at one instant after everything else: the final watermark is then the same in every run
 *       (it is the minimum over partitions), so timers due up to it fire in every run alike.
 * </ul>
 *
 * Nothing in a or b is later than the watermark bound except what SPEC §1.5 drops (too-late) and
 * review re-ratings that cannot move a score (non-positive to non-positive), which carry their
 * creation time by definition (§3.1); other later states of a review come within the bound, as
 * alerts are exact only for those (scripts/README.md). {@code counts.env} gives the
 * line counts and the last instant; {@code audiences.tsv} the member lists the API serves.
 */
public class FaultSuiteTool {
    static final long SECOND = 1_000L;
    static final long MINUTE = 60 * SECOND;
    static final long HOUR = 60 * MINUTE;
    static final long DAY = 24 * HOUR;
    /** Under the jobs' max-out-of-orderness (5 s by default, SPEC §1.4). */
    static final long WITHIN_BOUND = 3 * SECOND;

    /** Day 0 of the input: old enough that max-future never applies, a Monday. */
    static final long T0 = Instant.parse("2025-03-03T00:00:00Z").toEpochMilli();

    static final long SPAN_A = 60 * DAY;
    static final long B_START = T0 + SPAN_A + HOUR;
    static final long B_END = T0 + SPAN_A + DAY;

    /**
     * Phase c: after every other event time (reciprocal reviews reach 3 days past a), away from a
     * day boundary. It must be the largest instant in every partition: after all sources went idle,
     * Flink forwards the largest of their watermarks, which is then the same in every run only if
     * every partition ends at the same instant.
     */
    static final long T_END = T0 + SPAN_A + 4 * DAY + 13 * HOUR;

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        switch (args.length == 0 ? "" : args[0]) {
            case "generate" -> generate(o);
            case "members-api" -> membersApi(o);
            case "produce" -> System.exit(produce(o));
            default -> {
                System.err.println("usage: generate --out DIR --events N | members-api --port P …");
                System.exit(2);
            }
        }
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return o;
    }

    // ---- produce ----------------------------------------------------------------------------------

    record Line(double due, String topic, String key, String value) {}

    static int produce(Map<String, String> o) throws Exception {
        Path in = Path.of(o.get("in"));
        String phase = o.get("phase");
        List<String> phases = List.of(phase.split(","));
        Map<String, String> topics = new LinkedHashMap<>();
        for (String kv : o.get("topics").split(",")) {
            String[] f = kv.split("=", 2);
            topics.put(f[0], f[1]);
        }
        List<Line> lines = new ArrayList<>();
        double seconds = 0;
        if (o.containsKey("rate")) {
            seconds = Files.readAllLines(in.resolve(phases.get(0) + "-chat.jsonl")).size() / Double.parseDouble(o.get("rate"));
        }
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String ph : phases) {
          for (var t : topics.entrySet()) {
            List<String> file = Files.readAllLines(in.resolve(ph + "-" + t.getKey() + ".jsonl"), StandardCharsets.UTF_8);
            for (int i = 0; i < file.size(); i++) {
                String field = switch (t.getKey()) {
                    case "chat" -> "username";
                    case "reviews" -> "id";
                    default -> "job_id";
                };
                String key = null;
                try {
                    var node = mapper.readTree(file.get(i));
                    var v = node == null ? null : node.get(field);
                    if (v != null && v.isTextual()) {
                        key = t.getKey().equals("chat") ? userKey(v.textValue()) : v.textValue();
                    }
                } catch (IOException notJson) {
                    // sent without a key, as bin/tally produce does
                }
                lines.add(new Line(seconds * i / file.size(), t.getValue(), key, file.get(i)));
            }
          }
        }
        lines.sort(java.util.Comparator.comparingDouble(Line::due)); // stable: file order per topic
        java.util.Properties p = new java.util.Properties();
        p.put("bootstrap.servers", o.get("bootstrap-servers"));
        p.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
        p.put("value.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
        p.put("enable.idempotence", "true");
        p.put("linger.ms", "20");
        p.put("max.block.ms", "180000"); // a broker restart mid-phase is one of the faults
        java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicReference<String> first = new java.util.concurrent.atomic.AtomicReference<>();
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(p)) {
            // Metadata first: a first send that waits for it would turn the paced start into a burst.
            for (String topic : topics.values()) {
                producer.partitionsFor(topic);
            }
            long start = System.nanoTime();
            for (Line l : lines) {
                long wait = start + (long) (l.due * 1e9) - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(l.topic, l.key, l.value), (m, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                        first.compareAndSet(null, e.toString());
                    }
                });
            }
            producer.flush();
            System.err.printf("fault-suite: phase %s: %d records sent in %.1f s%n", phase, lines.size(), (System.nanoTime() - start) / 1e9);
        }
        if (failed.get() > 0) {
            System.err.println("fault-suite: " + failed.get() + " of " + lines.size() + " records not sent (first: " + first.get() + ")");
            return 1;
        }
        return 0;
    }

    // ---- members API ------------------------------------------------------------------------------

    static void membersApi(Map<String, String> o) throws Exception {
        LocalMembersApi api = LocalMembersApi.start(Integer.parseInt(o.get("port")));
        api.requireSecret(o.get("secret"));
        for (String line : Files.readAllLines(Path.of(o.get("audiences")))) {
            String[] f = line.split("\t");
            api.addAudience(f[0], LocalMembersApi.generate(Long.parseLong(f[1]), Integer.parseInt(f[2]), 0.1, 0.05));
        }
        System.err.println("fault-suite: members API on " + api.baseUrl());
        Thread.currentThread().join(); // until killed
    }

    // ---- input ------------------------------------------------------------------------------------

    static void generate(Map<String, String> o) throws IOException {
        Path out = Path.of(o.get("out"));
        int events = Integer.parseInt(o.get("events"));
        long seed = Long.parseLong(o.getOrDefault("seed", "9"));
        int partitions = Integer.parseInt(o.getOrDefault("partitions", "4"));
        String membersUrl = o.getOrDefault("members-url", "http://127.0.0.1:18389");
        Files.createDirectories(out);
        Map<String, List<String>> files = new LinkedHashMap<>();
        for (String phase : List.of("a", "b", "c")) {
            for (String topic : List.of("chat", "reviews", "members")) {
                files.put(phase + "-" + topic, new ArrayList<>());
            }
        }
        new Chat(new Random(seed), events).generate(files, partitions);
        new Reviews(new Random(seed + 1), Math.max(40, events / 4)).generate(files, partitions);
        members(files, out, events, membersUrl, partitions);
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (var e : files.entrySet()) {
            Files.write(out.resolve(e.getKey() + ".jsonl"), e.getValue(), StandardCharsets.UTF_8);
            counts.put(e.getKey(), e.getValue().size());
        }
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out.resolve("counts.env")))) {
            counts.forEach((k, v) -> w.printf("N_%s=%d%n", k.replace('-', '_').toUpperCase(Locale.ROOT), v));
            w.printf("T_END_MS=%d%n", T_END);
        }
    }

    /** Kafka's default partitioner for a keyed record (murmur2 of the key's UTF-8 bytes). */
    static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** SPEC §2.2: ASCII A–Z lower-cased, everything else kept (what produce keys chat by). */
    static String userKey(String username) {
        StringBuilder b = new StringBuilder(username.length());
        for (char c : username.toCharArray()) {
            b.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return b.toString();
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** Zipf-like weights: a few very active users, a long tail. */
    static int pick(Random r, double[] cumulative) {
        double x = r.nextDouble() * cumulative[cumulative.length - 1];
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    static double[] zipf(int n, double s) {
        double[] c = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1 / Math.pow(i + 1, s);
            c[i] = sum;
        }
        return c;
    }

    /** A key of the form prefix + k for every partition, in partition order. */
    static List<String> onePerPartition(String prefix, int partitions, java.util.function.Function<String, String> key) {
        String[] found = new String[partitions];
        int left = partitions;
        for (int k = 0; left > 0; k++) {
            String name = prefix + k;
            int p = partitionOf(key.apply(name), partitions);
            if (found[p] == null) {
                found[p] = name;
                left--;
            }
        }
        return List.of(found);
    }

    // ---- chat (SPEC §2.1) -------------------------------------------------------------------------

    static final class Chat {
        static final String[] TEMPLATES = {
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
            "what? why? how?",
            "<a href=\"https://x.io/a\" target=\"_blank\">https://x.io/a</a> nice",
            "",
        };
        static final String[] ROOMS = {"fatpizza", "general", "off-topic"};

        final Random r;
        final int n;
        final String[] users;
        final double[] weights;
        final int[] windowStart;
        final String[] words;

        Chat(Random r, int n) {
            this.r = r;
            this.n = n;
            int u = Math.max(30, n / 80);
            users = new String[u];
            windowStart = new int[u];
            for (int i = 0; i < u; i++) {
                users[i] = "user" + i;
                windowStart[i] = r.nextInt(24);
            }
            weights = zipf(u, 0.9);
            words = new String[4000];
            String[] syl = {"ka", "lo", "mi", "ra", "tu", "ne", "so", "vi", "pa", "de", "gro", "shu", "ban", "tel", "qui"};
            for (int i = 0; i < words.length; i++) {
                StringBuilder b = new StringBuilder();
                int k = i;
                do {
                    b.append(syl[k % syl.length]);
                    k /= syl.length;
                } while (k > 0);
                words[i] = b.toString();
            }
        }

        String user(long ts) {
            double x = r.nextDouble();
            if (x < 0.01) {
                return r.nextBoolean() ? "dazza" : "[server]"; // excluded senders (§2.2)
            }
            if (x < 0.04) {
                return r.nextBoolean() ? "Wordsmith1" : "wordsmith2";
            }
            int hour = (int) ((ts / HOUR) % 24);
            int i = pick(r, weights);
            for (int tries = 0; tries < 4; tries++) {
                if (((hour - windowStart[i] + 24) % 24) < 10) {
                    break;
                }
                i = pick(r, weights);
            }
            // Case variants of one user key (§2.2).
            return r.nextInt(10) == 0 ? "User" + i : users[i];
        }

        String text(String user) {
            if (user.toLowerCase(Locale.ROOT).startsWith("wordsmith")) {
                StringBuilder b = new StringBuilder();
                for (int i = 0, k = 15 + r.nextInt(15); i < k; i++) {
                    b.append(i == 0 ? "" : " ").append(words[r.nextInt(words.length)]);
                }
                return b.toString();
            }
            if (r.nextInt(3) == 0) {
                return TEMPLATES[r.nextInt(TEMPLATES.length)];
            }
            StringBuilder b = new StringBuilder();
            for (int i = 0, k = 2 + r.nextInt(10); i < k; i++) {
                b.append(i == 0 ? "" : " ").append(words[(int) Math.min(words.length - 1, Math.abs(r.nextGaussian()) * 300)]);
            }
            if (r.nextInt(8) == 0) {
                b.append(r.nextBoolean() ? "?" : "!!");
            }
            return b.toString();
        }

        String line(String id, String user, long ts, String text) {
            StringBuilder b = new StringBuilder("{\"id\":").append(json(id));
            int room = r.nextInt(ROOMS.length + 1);
            if (room < ROOMS.length) {
                b.append(",\"room\":").append(json(ROOMS[room]));
            }
            return b.append(",\"username\":").append(json(user))
                    .append(",\"text\":").append(json(text))
                    .append(",\"ts\":").append(ts).append('}').toString();
        }

        static final String[] BAD = {
            "not json at all",
            "{\"id\":\"bad-1\",\"username\":\"user1\",\"ts\":1741000000000}",
            "{\"id\":\"bad-2\",\"username\":\"user1\",\"text\":\"x\",\"ts\":\"yesterday\"}",
            "[1,2,3]",
            "{\"id\":\"bad-3\",\"username\":\"user1\",\"room\":\"a\\u0000b\",\"text\":\"x\",\"ts\":1741000000000}",
        };

        void generate(Map<String, List<String>> files, int partitions) {
            List<String> a = files.get("a-chat");
            long step = SPAN_A / n;
            int bad = 0;
            for (int i = 0; i < n; i++) {
                long ts = T0 + i * step + r.nextInt((int) Math.max(1, step / 2));
                String user = user(ts);
                a.add(line("fs-" + i, user, ts, text(user)));
                if (r.nextInt(100) < 3) { // out of order, within the 5 s bound
                    String other = user(ts);
                    a.add(line("fs-" + i + "-ooo", other, ts - 500 - r.nextInt(3000), text(other)));
                }
                if (r.nextInt(100) < 2 && a.size() > 10) { // an exact repeat of a recent line
                    a.add(a.get(a.size() - 1 - r.nextInt(Math.min(a.size() - 1, 200))));
                }
                if (i % 2000 == 1000) {
                    a.add(BAD[bad++ % BAD.length]);
                }
            }
            List<String> b = files.get("b-chat");
            // Too-late first (days 0-9, at least 50 days behind the watermark; retention 30).
            for (int i = 0, k = Math.max(20, n / 100); i < k; i++) {
                String user = users[pick(r, weights)];
                b.add(line("fs-late-" + i, user, T0 + (long) (r.nextDouble() * 10 * DAY), text(user)));
            }
            // Repeats of a's lines, old (too-late again) and recent (duplicates).
            for (int i = 0, k = Math.max(20, n / 200); i < k; i++) {
                b.add(a.get(r.nextInt(a.size())));
            }
            long bStep = (B_END - B_START) / Math.max(1, n / 20);
            for (int i = 0, k = Math.max(40, n / 20); i < k; i++) {
                long ts = B_START + i * bStep;
                String user = user(ts);
                b.add(line("fs-b-" + i, user, ts, text(user)));
            }
            List<String> c = files.get("c-chat");
            int k = 0;
            for (String user : onePerPartition("zz-end-", partitions, FaultSuiteTool::userKey)) {
                c.add(line("fs-end-" + k++, user, T_END, "the end"));
            }
        }
    }

    // ---- reviews (SPEC §3.1) ----------------------------------------------------------------------

    static final class Reviews {
        final Random r;
        final int n;
        final int users;
        final double[] weights;

        Reviews(Random r, int n) {
            this.r = r;
            this.n = n;
            this.users = Math.max(24, n / 15);
            this.weights = zipf(users, 0.8);
        }

        record Pending(long emitAt, long seq, String line) {}

        static String key(int u) {
            return "service:x.com:" + (100000 + u);
        }

        String party(int u, int version) {
            String name = "reviewer" + u + (version > 0 ? "_v" + version : "");
            return "{\"userkey\":" + json(key(u)) + ",\"username\":" + json(name) + ",\"name\":" + json("Reviewer " + u) + "}";
        }

        static final String[] SENTIMENTS = {"positive", "positive", "positive", "positive", "positive", "positive", "neutral", "negative"};

        String state(String id, int author, int subject, String sentiment, long ts, boolean archived, int labelVersion) {
            return "{\"id\":" + json(id) + ",\"author\":" + party(author, labelVersion) + ",\"subject\":" + party(subject, 0)
                    + ",\"sentiment\":" + json(sentiment) + ",\"ts\":" + ts + (archived ? ",\"archived\":true" : "") + "}";
        }

        void generate(Map<String, List<String>> files, int partitions) {
            // Two rings of five users who review each other quickly and positively (high risk).
            int ring = Math.min(10, users / 2);
            PriorityQueue<Pending> queue = new PriorityQueue<>((x, y) -> x.emitAt != y.emitAt ? Long.compare(x.emitAt, y.emitAt) : Long.compare(x.seq, y.seq));
            long seq = 0;
            long step = SPAN_A / n;
            int ids = 0;
            for (int i = 0; i < n; i++) {
                long ts = T0 + i * step + r.nextInt((int) Math.max(1, step / 2));
                boolean inRing = r.nextInt(100) < 20;
                int author;
                int subject;
                if (inRing) {
                    int base = r.nextBoolean() ? 0 : 5;
                    author = base + r.nextInt(5);
                    subject = base + (author - base + 1 + r.nextInt(4)) % 5;
                } else {
                    author = ring + pick(r, weights) % (users - ring);
                    subject = pick(r, weights);
                    if (subject == author) {
                        subject = (subject + 1) % users;
                    }
                }
                String sentiment = inRing ? "positive" : SENTIMENTS[r.nextInt(SENTIMENTS.length)];
                String id = "rv-" + ids++;
                int label = r.nextInt(20) == 0 ? 1 : 0;
                queue.add(new Pending(ts, seq++, state(id, author, subject, sentiment, ts, false, label)));
                if (inRing || r.nextInt(100) < 35) { // reciprocal: quick in rings, slower elsewhere
                    long back = ts + (inRing ? MINUTE + r.nextInt((int) (25 * MINUTE)) : 30 * MINUTE + (long) (r.nextDouble() * 3 * DAY));
                    String rid = "rv-" + ids++;
                    String rs = r.nextInt(10) < 8 ? "positive" : "neutral";
                    queue.add(new Pending(back, seq++, state(rid, subject, author, rs, back, false, 0)));
                }
                // Later states of the same review carry its creation ts (§3.1). Alerts are judged on
                // the settled sum (SPEC §3.5, UserScoreFunction): a state arriving within the
                // out-of-orderness bound settles at its ts in every run, while a later one is judged
                // on arrival, which differs between runs, so only states that cannot move a score
                // (a non-positive review re-rated to another non-positive sentiment) come late.
                if (r.nextInt(100) < 8) { // archived, or re-rated, within the bound
                    long at = ts + r.nextInt((int) WITHIN_BOUND);
                    boolean archive = r.nextBoolean();
                    queue.add(new Pending(at, seq++, state(id, author, subject, archive ? sentiment : "negative", ts, archive, label)));
                    if (archive && r.nextBoolean()) {
                        queue.add(new Pending(at + 1, seq++, state(id, author, subject, sentiment, ts, false, label)));
                    }
                } else if (!sentiment.equals("positive") && r.nextInt(100) < 30) { // re-rated late
                    long at = ts + HOUR + (long) (r.nextDouble() * 5 * DAY);
                    String other = sentiment.equals("neutral") ? "negative" : "neutral";
                    queue.add(new Pending(at, seq++, state(id, author, subject, other, ts, false, 1 - label)));
                }
                if (r.nextInt(100) < 2) { // an exact repeat
                    queue.add(new Pending(ts + r.nextInt((int) WITHIN_BOUND), seq++, state(id, author, subject, sentiment, ts, false, label)));
                }
                if (i % 500 == 250) { // a self-review: dead-lettered (§3.1)
                    queue.add(new Pending(ts, seq++, state("rv-self-" + i, author, author, "positive", ts, false, 0)));
                }
            }
            // New reviews of b's own, then everything in emit order: what is due by the end of a
            // goes to a, the rest (late reciprocals and edits) to b.
            for (int i = 0, k = Math.max(10, n / 40); i < k; i++) {
                long ts = B_START + i * ((B_END - B_START) / k);
                int author = pick(r, weights);
                int subject = (author + 1 + r.nextInt(users - 1)) % users;
                queue.add(new Pending(ts, seq++, state("rv-b-" + i, author, subject, SENTIMENTS[r.nextInt(SENTIMENTS.length)], ts, false, 0)));
            }
            List<String> a = files.get("a-reviews");
            List<String> b = files.get("b-reviews");
            while (!queue.isEmpty()) {
                Pending p = queue.poll();
                (p.emitAt <= T0 + SPAN_A ? a : b).add(p.line);
            }
            List<String> c = files.get("c-reviews");
            for (String id : onePerPartition("rv-end-", partitions, s -> s)) {
                c.add(state(id, users - 1, users - 2, "neutral", T_END, false, 0));
            }
        }
    }

    // ---- members (SPEC §4.1) ----------------------------------------------------------------------

    static void members(Map<String, List<String>> files, Path out, int events, String baseUrl, int partitions) throws IOException {
        int audiences = events >= 50_000 ? 4 : 2;
        int count = Math.max(500, Math.min(5000, events / 3));
        List<String> served = new ArrayList<>();
        List<String> a = files.get("a-members");
        for (int i = 1; i <= audiences; i++) {
            served.add("list-" + i + "\t" + (100 + i) + "\t" + count);
            a.add(request("fs-import-" + i, "aud-" + i, "list-" + i, baseUrl, i % 3, T0 + i * DAY));
        }
        served.add("list-1b\t200\t" + count / 2);
        List<String> b = files.get("b-members");
        b.add(request("fs-import-1b", "aud-1", "list-1b", baseUrl, 0, B_START));
        b.add(a.get(0)); // a producer's retry of a request already imported
        // The members pipeline keeps nothing in event time, but its pipeline_status row shows a
        // watermark: one (empty) import in every partition at T_END makes that one alike too.
        served.add("list-empty\t300\t0");
        int k = 0;
        for (String job : onePerPartition("fs-import-end-", partitions, j -> j)) {
            files.get("c-members").add(request(job, "aud-end-" + k++, "list-empty", baseUrl, 0, T_END));
        }
        Files.write(out.resolve("audiences.tsv"), served, StandardCharsets.UTF_8);
    }

    static String request(String job, String audience, String list, String baseUrl, int priority, long ts) {
        return "{\"job_id\":" + json(job) + ",\"audience_id\":" + json(audience) + ",\"list_name\":" + json("Fault suite " + list)
                + ",\"source\":{\"url\":" + json(baseUrl + "/api/v2/audiences/" + list + "/members") + ",\"credential\":\"fault-suite\"}"
                + ",\"priority\":" + priority + ",\"ts\":" + ts + "}";
    }
}
