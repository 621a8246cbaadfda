package io.tally.pipeline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A generated stream for the {@code reviews} topic (SPEC §3.1): review states of many users, with
 * non-ASCII labels, renames, the Ethos alias shape (epoch seconds, epoch ms, ISO with offsets),
 * reciprocal pairs created quickly and slowly (including exactly 1 797 119 and 1 797 120 ms apart),
 * several reviews from one author to one subject, ties on {@code ts} broken by string id order,
 * edits that flip a sentiment, archive then unarchive, exact repeats, two rings of brand-new very
 * active accounts (one at the end of the span, one 20 days before it, so §3.4 timers fire), old
 * accounts whose activity spans more than 90 days, and a handful of bad lines that must be
 * dead-lettered. Deterministic per seed.
 *
 * <p>{@link #lines} is the production order; every state of one id appears in order (produce them
 * keyed by {@link #keyOf}, so one partition per id). {@link #states} are the valid states in the
 * same order (an exactly repeated line appears twice there too), which is what {@link
 * R4rBatchOracle} takes.
 */
public final class ReviewStream {

    /** One valid review state, as §3.1 defines it after the aliases are resolved. */
    public record ReviewState(
            String id,
            String authorKey,
            String authorUsername,
            String authorName,
            String subjectKey,
            String subjectUsername,
            String subjectName,
            String sentiment,
            long ts,
            boolean archived) {}

    /** What is produced, in order: valid states and bad lines. */
    public final List<String> lines = new ArrayList<>();

    /** The valid states, in the order of their lines. */
    public final List<ReviewState> states = new ArrayList<>();

    /** The bad lines (also in {@link #lines}): each must be dead-lettered and never count. */
    public final List<String> badLines = new ArrayList<>();

    /**
     * Userkeys that appear only in bad lines: they must have no {@code leaderboard_entries} row.
     */
    public final Set<String> badOnlyUserkeys = new LinkedHashSet<>();

    static final long SECOND = 1_000L;
    static final long MINUTE = 60_000L;
    static final long HOUR = 3_600_000L;
    static final long DAY = 86_400_000L;
    static final long QUICK_MS = 1_797_120L;

    static final String[] USERNAMES = {
        "alice",
        "bob",
        "Chloé",
        "李雷",
        "mika_99",
        "Zoë-Ann",
        "renée",
        "Ωmega",
        "dazza",
        "ethos_fan",
        "fox🦊",
        "sam",
        "ALICE",
        "Ølaf",
        "محمد",
        "юля"
    };
    static final String[] NAMES = {
        "Alice Smith",
        "Bob",
        "Chloé Dupont",
        "李雷",
        "Mika",
        "Zoë-Ann O'Neil",
        "Renée \"René\" Roy",
        "Ωmega Ωne",
        "Dazza",
        "Ethos Fan",
        "Fox 🦊",
        "Sam \\ Slash",
        "",
        "Ølaf Østergård",
        "محمد علي",
        "Юлия"
    };
    static final String[] SENTIMENTS = {"positive", "neutral", "negative"};

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DateTimeFormatter OFFSET_ISO =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX");

    /** A user; labels change at {@code renameAt} (Long.MAX_VALUE: never). */
    private record User(
            String key,
            String username,
            String name,
            String username2,
            String name2,
            long renameAt) {
        String usernameAt(long ts) {
            return ts >= renameAt ? username2 : username;
        }

        String nameAt(long ts) {
            return ts >= renameAt ? name2 : name;
        }
    }

    /** A review's creation, with the labels its states carry. */
    private record Creation(
            String id,
            String authorKey,
            String authorUsername,
            String authorName,
            String subjectKey,
            String subjectUsername,
            String subjectName,
            String sentiment,
            long ts,
            boolean scripted) {
        ReviewState state(String sentiment, boolean archived) {
            return new ReviewState(
                    id,
                    authorKey,
                    authorUsername,
                    authorName,
                    subjectKey,
                    subjectUsername,
                    subjectName,
                    sentiment,
                    ts,
                    archived);
        }
    }

    /** A line with its production position (sorted by {@code pos}, then by {@code seq}). */
    private record Placed(double pos, int seq, String line, ReviewState state) {}

    private final Random r;
    private final long start;
    private final long end;
    private final List<Creation> creations = new ArrayList<>();
    private final List<List<ReviewState>> scriptedStates = new ArrayList<>();
    private final Set<String> chainedIds = new HashSet<>();
    private final Set<String> usedKeys = new HashSet<>();
    private int nextId = 1;

    private ReviewStream(Random r, long start, long end) {
        this.r = r;
        this.start = start;
        this.end = end;
    }

    /**
     * @param users at least 20 users
     * @param reviews about this many distinct review ids (at least 200; rings and scripted cases
     *     come first, random traffic fills the rest)
     * @param startMillis epoch ms of the earliest review
     * @param spanMillis at least 30 days (more than 92 days for the old accounts; 180 days is a
     *     good choice); {@code startMillis + spanMillis} must not be after the wall clock
     */
    public static ReviewStream generate(
            long seed, int users, int reviews, long startMillis, long spanMillis) {
        if (users < 20) {
            throw new IllegalArgumentException("need at least 20 users, got " + users);
        }
        if (reviews < 200) {
            throw new IllegalArgumentException("need at least 200 reviews, got " + reviews);
        }
        if (spanMillis < 30 * DAY) {
            throw new IllegalArgumentException("need a span of at least 30 days");
        }
        if (startMillis + spanMillis > System.currentTimeMillis()) {
            throw new IllegalArgumentException("the span must end in the past (max-future, §1.6)");
        }
        // Deterministic per seed: re-draw (from seeds derived from it) in the practically
        // impossible case that some user's mean reciprocal time lies exactly on a half-cent of an
        // hour, where exact and double-precision rounding differ (see R4rBatchOracle#avgCents).
        for (int attempt = 0; ; attempt++) {
            Random r = new Random(seed + attempt * 0x9E3779B97F4A7C15L);
            ReviewStream s = new ReviewStream(r, startMillis, startMillis + spanMillis);
            s.build(users, reviews);
            R4rBatchOracle o = new R4rBatchOracle(s.states);
            if (o.userkeys().stream().noneMatch(o::avgOnHalfCent)) {
                return s;
            }
        }
    }

    /** The Kafka key of a line: its {@code id} when it is a JSON object with a string id. */
    public static String keyOf(String line) {
        try {
            JsonNode n = MAPPER.readTree(line);
            if (n != null && n.isObject() && n.path("id").isTextual()) {
                return n.get("id").asText();
            }
            return null;
        } catch (Exception e) {
            return null;
        }
    }

    // ---------------------------------------------------------------------------------------------

    private void build(int userCount, int reviewCount) {
        List<User> all = new ArrayList<>();
        for (int i = 0; i < userCount; i++) {
            all.add(user(i));
        }
        List<User> ringA = all.subList(0, 5);
        List<User> ringB = all.subList(5, 9);
        User tieA = all.get(9);
        User tieB = all.get(10);
        User tieC = all.get(11);
        List<User> regular = new ArrayList<>(all.subList(12, userCount));

        // Two userkeys that differ only in case are two different users (§3.1: exact strings).
        regular.set(
                0, withKey(regular.get(0), "address:0xAbCdEf0123456789abcdef0123456789AbCdEf01"));
        regular.set(
                1, withKey(regular.get(1), "address:0xabcdef0123456789abcdef0123456789abcdef01"));
        regular.set(2, withKey(regular.get(2), "profileId:" + (1 + r.nextInt(99_999))));
        add(regular.get(0), regular.get(1), "positive", start + r.nextLong(end - start), false);

        // Ring A: brand-new accounts at the very end, ~24 events each within ~1.5 days: rpd > 10
        // and ageDays < 30 at their last event (the 1.4 multiplier), almost all quick.
        ring(ringA, end - 36 * HOUR, 24 * HOUR, 3);
        // Ring B: new accounts 20 days before the end: rpd falls through 10, 5, 2 while later
        // events move the watermark on (§3.4 timers).
        ring(ringB, end - 20 * DAY, DAY, 2);

        scriptedTies(tieA, tieB, tieC);
        scriptedStates(regular);

        // Quick boundary, both sides of it (§3.2: strictly below 1 797 120 ms).
        for (long diff : new long[] {QUICK_MS - 1, QUICK_MS, 0, QUICK_MS + 1}) {
            User a = pick(regular);
            User b = pickOther(regular, a);
            long t = maybeWhole(start + r.nextLong(end - start - 2 * DAY));
            add(a, b, "positive", t, true);
            add(b, a, "positive", t + diff, true);
        }

        // Old accounts: activity spanning more than 90 days.
        if (end - start > 92 * DAY) {
            for (int i = 0; i < 3; i++) {
                User old = regular.get(3 + i);
                User other = pickOther(regular, old);
                add(old, other, "positive", start + r.nextLong(6 * HOUR), true);
                add(pickOther(regular, old), old, "positive", end - r.nextLong(6 * HOUR), true);
                add(old, other, "positive", end - 2 * DAY + r.nextLong(DAY), true);
            }
        }

        // Random traffic among the regular users.
        while (creations.size() < reviewCount) {
            int kind = r.nextInt(100);
            User a = pick(regular);
            User b = pickOther(regular, a);
            long t = maybeWhole(start + r.nextLong(end - start));
            if (kind < 35) {
                // A reciprocal pair, quick or slow.
                long d;
                int speed = r.nextInt(10);
                if (speed < 4) {
                    d = r.nextLong(QUICK_MS);
                } else if (speed < 5) {
                    d = QUICK_MS - 1 + r.nextInt(3);
                } else {
                    d = HOUR + r.nextLong(20 * DAY);
                }
                long t2 = t + d <= end ? t + d : t - d;
                add(a, b, sentiment(85), t, false);
                add(b, a, sentiment(85), t2, false);
            } else if (kind < 42) {
                // Several reviews from one author to the same subject.
                int n = 2 + r.nextInt(3);
                for (int i = 0; i < n; i++) {
                    add(a, b, sentiment(80), maybeWhole(start + r.nextLong(end - start)), false);
                }
            } else {
                add(a, b, sentiment(65), t, false);
            }
        }

        List<Placed> placed = new ArrayList<>();
        int seq = 0;
        for (Creation c : creations) {
            if (chainedIds.contains(c.id())) {
                continue; // its scripted chain is placed below
            }
            List<ReviewState> chain =
                    c.scripted() ? List.of(c.state(c.sentiment(), false)) : randomChain(c);
            seq = place(placed, seq, c.ts(), chain);
        }
        for (List<ReviewState> chain : scriptedStates) {
            seq = place(placed, seq, chain.get(0).ts(), chain);
        }
        for (String bad : badLines(regular)) {
            badLines.add(bad);
            placed.add(new Placed(r.nextDouble(), seq++, bad, null));
        }
        placed.sort(Comparator.comparingDouble(Placed::pos).thenComparingInt(Placed::seq));
        for (Placed p : placed) {
            lines.add(p.line());
            if (p.state() != null) {
                states.add(p.state());
            }
        }
    }

    /** Places the states of one id in order, mostly in time order, some of them late. */
    private int place(List<Placed> placed, int seq, long ts, List<ReviewState> chain) {
        double pos = (double) (ts - start) / (end - start) + r.nextGaussian() * 0.01;
        if (r.nextInt(10) == 0) {
            pos += r.nextDouble() * 0.3; // a late producer
        }
        for (int i = 0; i < chain.size(); i++) {
            if (i > 0) {
                pos += r.nextDouble() * 0.2;
            }
            ReviewState s = chain.get(i);
            String line = render(s);
            placed.add(new Placed(pos, seq++, line, s));
            if (r.nextInt(25) == 0) {
                placed.add(new Placed(pos, seq++, line, s)); // at-least-once: the exact line again
            }
        }
        return seq;
    }

    /** The states of a random review: creation, maybe edits, archive, unarchive. */
    private List<ReviewState> randomChain(Creation c) {
        List<ReviewState> chain = new ArrayList<>();
        String sentiment = c.sentiment();
        boolean archived = false;
        chain.add(c.state(sentiment, false));
        int extra = r.nextInt(100) < 20 ? 1 + r.nextInt(3) : 0;
        for (int i = 0; i < extra; i++) {
            if (r.nextInt(3) == 0) {
                archived = !archived;
            } else {
                sentiment = otherSentiment(sentiment);
            }
            chain.add(c.state(sentiment, archived));
        }
        return chain;
    }

    /** Scripted id chains: an edit flip and back, archive then unarchive, archived for good. */
    private void scriptedStates(List<User> regular) {
        for (int k = 0; k < 4; k++) {
            User a = pick(regular);
            User b = pickOther(regular, a);
            long t = maybeWhole(start + r.nextLong(end - start - DAY));
            Creation g = add(a, b, "positive", t, true);
            Creation m = add(b, a, "positive", t + 10 * MINUTE, true);
            List<ReviewState> chain = new ArrayList<>();
            chain.add(g.state("positive", false));
            switch (k) {
                case 0 -> {
                    chain.add(g.state("negative", false));
                    chain.add(g.state("positive", false));
                }
                case 1 -> {
                    chain.add(g.state("positive", true));
                    chain.add(g.state("positive", false));
                }
                case 2 -> chain.add(g.state("positive", true));
                default -> chain.add(g.state("neutral", false));
            }
            scriptedStates.add(chain);
            chainedIds.add(g.id());
        }
    }

    /**
     * Ties on ts (§3.2, §3.3): ids {@code …-9} and {@code …-10} at the same instant; as strings
     * {@code -9} is the larger, numerically it is not.
     */
    private void scriptedTies(User a, User b, User c) {
        long t1 = end - 10 * DAY + r.nextLong(HOUR);
        // a → b positive; b → a twice at one instant: "-9" negative (the match), "-10" positive.
        // a's review is therefore not reciprocal; b's "-10" is (its match is a's review).
        addScripted(
                new Creation(
                        nextId(),
                        a.key(),
                        a.usernameAt(t1),
                        a.nameAt(t1),
                        b.key(),
                        b.usernameAt(t1),
                        b.nameAt(t1),
                        "positive",
                        t1,
                        true));
        long t2 = t1 + 5 * MINUTE;
        String tie = "review-tie" + r.nextInt(1000);
        addScripted(
                new Creation(
                        tie + "-10",
                        b.key(),
                        b.usernameAt(t2),
                        b.nameAt(t2),
                        a.key(),
                        a.usernameAt(t2),
                        a.nameAt(t2),
                        "positive",
                        t2,
                        true));
        addScripted(
                new Creation(
                        tie + "-9",
                        b.key(),
                        b.usernameAt(t2),
                        b.nameAt(t2),
                        a.key(),
                        a.usernameAt(t2),
                        a.nameAt(t2),
                        "negative",
                        t2,
                        true));
        // Labels: c's two latest reviews share one instant and carry different labels for c; the
        // string-larger id ("-9", created first here) must win.
        long t3 = end - 2 * DAY + r.nextLong(HOUR);
        String lbl = "review-lbl" + r.nextInt(1000);
        addScripted(
                new Creation(
                        lbl + "-9",
                        c.key(),
                        "ciarán",
                        "Ciarán Ó Briain",
                        a.key(),
                        a.usernameAt(t3),
                        a.nameAt(t3),
                        "positive",
                        t3,
                        true));
        addScripted(
                new Creation(
                        lbl + "-10",
                        b.key(),
                        b.usernameAt(t3),
                        b.nameAt(t3),
                        c.key(),
                        "ciarán_nua",
                        "Ciarán Nua",
                        "positive",
                        t3,
                        true));
        // c also reviews earlier under its older label.
        long t0 = end - 30 * DAY;
        addScripted(
                new Creation(
                        nextId(),
                        c.key(),
                        "ciarán_old",
                        "Ciarán (old)",
                        b.key(),
                        b.usernameAt(t0),
                        b.nameAt(t0),
                        "positive",
                        t0,
                        true));
    }

    private void addScripted(Creation c) {
        creations.add(c);
    }

    /** Every pair of the ring reviews each other, positive, in {@code rounds} quick exchanges. */
    private void ring(List<User> members, long t0, long window, int rounds) {
        for (int i = 0; i < members.size(); i++) {
            for (int j = i + 1; j < members.size(); j++) {
                for (int k = 0; k < rounds; k++) {
                    long t = maybeWhole(t0 + r.nextLong(window));
                    long d = r.nextLong(QUICK_MS - MINUTE);
                    add(members.get(i), members.get(j), "positive", t, false);
                    add(
                            members.get(j),
                            members.get(i),
                            r.nextInt(10) == 0 ? "neutral" : "positive",
                            t + d,
                            false);
                }
            }
        }
    }

    /** Half the time, whole seconds (so the alias shape can carry it as epoch seconds). */
    private long maybeWhole(long ts) {
        return r.nextBoolean() ? ts - Math.floorMod(ts, SECOND) : ts;
    }

    private Creation add(User a, User b, String sentiment, long ts, boolean scripted) {
        if (ts < start) {
            ts = start;
        }
        if (ts > end) {
            ts = end;
        }
        Creation c =
                new Creation(
                        nextId(),
                        a.key(),
                        a.usernameAt(ts),
                        a.nameAt(ts),
                        b.key(),
                        b.usernameAt(ts),
                        b.nameAt(ts),
                        sentiment,
                        ts,
                        scripted);
        creations.add(c);
        return c;
    }

    private String nextId() {
        return "review-" + nextId++;
    }

    private User user(int i) {
        String key;
        do {
            int digits = 6 + r.nextInt(14);
            StringBuilder b = new StringBuilder("service:x.com:").append(1 + r.nextInt(9));
            for (int d = 1; d < digits; d++) {
                b.append(r.nextInt(10));
            }
            key = b.toString();
        } while (!usedKeys.add(key));
        int l1 = r.nextInt(USERNAMES.length);
        int l2 = r.nextInt(USERNAMES.length);
        long renameAt = r.nextInt(10) < 3 ? start + r.nextLong(end - start) : Long.MAX_VALUE;
        return new User(
                key,
                USERNAMES[l1] + (i % 3 == 0 ? "" : "_" + i),
                NAMES[l1],
                USERNAMES[l2] + "_renamed" + i,
                NAMES[l2] + " (new)",
                renameAt);
    }

    private User withKey(User u, String key) {
        usedKeys.add(key);
        return new User(key, u.username(), u.name(), u.username2(), u.name2(), u.renameAt());
    }

    private User pick(List<User> us) {
        return us.get(r.nextInt(us.size()));
    }

    private User pickOther(List<User> us, User not) {
        User u;
        do {
            u = pick(us);
        } while (u.key().equals(not.key()));
        return u;
    }

    private String sentiment(int positivePercent) {
        int x = r.nextInt(100);
        if (x < positivePercent) {
            return "positive";
        }
        return x < positivePercent + (100 - positivePercent) / 2 ? "neutral" : "negative";
    }

    private String otherSentiment(String s) {
        String o;
        do {
            o = SENTIMENTS[r.nextInt(3)];
        } while (o.equals(s));
        return o;
    }

    // ---- rendering ------------------------------------------------------------------------------

    private static ObjectNode person(String userkey, String username, String name) {
        ObjectNode p = MAPPER.createObjectNode();
        p.put("userkey", userkey);
        p.put("username", username);
        p.put("name", name);
        return p;
    }

    static String iso(long ts) {
        return Instant.ofEpochMilli(ts).toString();
    }

    static String isoOffset(long ts, ZoneOffset offset) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(ts), offset).format(OFFSET_ISO);
    }

    /** One JSON line for a state, in the canonical or the Ethos alias shape (§3.1, §1.2). */
    private String render(ReviewState s) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", s.id());
        n.set("author", person(s.authorKey(), s.authorUsername(), s.authorName()));
        n.set("subject", person(s.subjectKey(), s.subjectUsername(), s.subjectName()));
        int shape = r.nextInt(100);
        if (shape < 70) {
            n.put("sentiment", s.sentiment());
            int t = r.nextInt(100);
            if (t < 70) {
                n.put("ts", iso(s.ts()));
            } else if (t < 85) {
                ZoneOffset off =
                        r.nextBoolean()
                                ? ZoneOffset.ofHours(10)
                                : ZoneOffset.ofHoursMinutes(-5, -30);
                n.put("ts", isoOffset(s.ts(), off));
            } else {
                n.put("ts", s.ts()); // canonical integer: always epoch ms
            }
            if (r.nextInt(10) == 0) {
                // Alias fields too, disagreeing: the canonical ones win (§3.1).
                n.putObject("data").put("score", otherSentiment(s.sentiment()));
                n.put("timestamp", iso(s.ts() - HOUR));
            }
        } else {
            if (r.nextInt(5) == 0) {
                n.putNull("sentiment"); // null counts as absent (§3.1)
            }
            if (r.nextBoolean()) {
                n.putObject("data").put("score", s.sentiment());
            } else {
                n.putObject("content").put("rating", s.sentiment());
            }
            if (r.nextInt(5) == 0) {
                n.putNull("ts");
            }
            String field = r.nextBoolean() ? "timestamp" : "createdAt";
            int t = r.nextInt(3);
            if (t == 0 && s.ts() % SECOND == 0) {
                n.put(field, s.ts() / SECOND); // below 10^11: epoch seconds
            } else if (t <= 1) {
                n.put(field, s.ts()); // epoch ms
            } else {
                n.put(field, iso(s.ts()));
            }
        }
        if (s.archived()) {
            n.put("archived", true);
        } else if (r.nextInt(5) != 0) {
            n.put("archived", false);
        } // else: absent, defaults to false
        return n.toString();
    }

    /** The bad lines (§1.6): none of them may count; their own userkeys must have no row. */
    private List<String> badLines(List<User> regular) {
        String k1 = badKey();
        String k2 = badKey();
        String k3 = badKey();
        String k4 = badKey();
        String k5 = badKey();
        String k6 = badKey();
        String k7 = badKey();
        String ts = iso(end - DAY);
        List<String> out = new ArrayList<>();
        out.add(badLine("review-bad-self", k1, k1, "positive", ts)); // self-review
        ObjectNode noSubject = MAPPER.createObjectNode();
        noSubject.put("id", "review-bad-nosubject");
        noSubject.set("author", person(k2, "ghost", "Ghost"));
        noSubject.put("sentiment", "positive");
        noSubject.put("ts", ts);
        out.add(noSubject.toString()); // missing-field
        out.add(badLine("review-bad-great", k3, k4, "great", ts)); // bad-value
        // An invalid edit of an existing valid review: the earlier valid state stays.
        Creation victim = null;
        for (Creation c : creations) {
            if (!c.scripted()) {
                victim = c;
                break;
            }
        }
        ObjectNode great = MAPPER.createObjectNode();
        great.put("id", victim.id());
        great.set("author", person(victim.authorKey(), victim.authorUsername(), "Hacked"));
        great.set("subject", person(victim.subjectKey(), victim.subjectUsername(), "Hacked"));
        great.put("sentiment", "great");
        great.put("ts", iso(victim.ts()));
        out.add(great.toString());
        out.add("{\"id\": \"review-bad-json\", \"author\": {\"userkey\": "); // not-json
        out.add("this is not json");
        out.add("[\"review-bad-array\", 1]"); // not-object
        out.add(badLine("review-bad-future", k5, k6, "positive", "2999-01-01T00:00:00Z"));
        out.add(badLine("review-bad-ts", k7, k5, "neutral", "yesterday"));
        return out;
    }

    private String badKey() {
        String key;
        do {
            key = "service:x.com:99" + (100_000_000L + r.nextInt(900_000_000));
        } while (!usedKeys.add(key));
        badOnlyUserkeys.add(key);
        return key;
    }

    private static String badLine(String id, String a, String b, String sentiment, String ts) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", id);
        n.set("author", person(a, "bad", "Bad"));
        n.set("subject", person(b, "bad2", "Bad 2"));
        n.put("sentiment", sentiment);
        n.put("ts", ts);
        return n.toString();
    }
}
