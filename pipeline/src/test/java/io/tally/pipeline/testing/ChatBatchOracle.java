package io.tally.pipeline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A batch recomputation of every chat cache table (SPEC §2.2–§2.9, §2.12) from the distinct
 * messages, written straight from the SPEC and apart from the streaming code, so that it can catch
 * the streaming code's bugs. It shares nothing with {@code io.tally.pipeline.chat}: every rule
 * (user key, exclusions, word count, emoji, caps, URLs, mentions, calendar, rounding, streaks,
 * achievements) is re-implemented here in the simplest form, clarity over speed.
 *
 * <p>Rows are {@code List<String>} cells as PostgreSQL's JDBC {@code getString} returns them (SQL
 * NULL = Java null; integers plain; DATE {@code 2026-11-01}; NUMERIC(p,1) with exactly one
 * decimal), sorted like the {@code ORDER BY} documented on each method. {@code COLLATE "C"} is byte
 * order of UTF-8, i.e. Unicode code point order, which {@link #C_ORDER} implements.
 */
public final class ChatBatchOracle {

    // ---------------------------------------------------------------------------------------------
    // The rules, re-implemented from the SPEC text
    // ---------------------------------------------------------------------------------------------

    /**
     * The JavaScript {@code \s} set, spelled out (SPEC §2.3 step 2): space, \t \n \v \f \r, U+00A0,
     * U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF.
     */
    static final String JS_SPACE_CLASS =
            " \\t\\n\\x0B\\f\\r\\x{A0}\\x{1680}\\x{2000}-\\x{200A}"
                    + "\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}";

    /** §2.3 step 2: {@code http://}, {@code https://} or {@code www.} + ≥ 1 non-whitespace. */
    static final Pattern URL =
            Pattern.compile("(?:http://|https://|www\\.)[^" + JS_SPACE_CLASS + "]+");

    /** §2.3 step 3 and §2.8: {@code @} followed by one or more of {@code [A-Za-z0-9_-]}. */
    static final Pattern MENTION = Pattern.compile("@[A-Za-z0-9_-]+");

    static boolean isJsSpace(int cp) {
        return cp == ' '
                || cp == '\t'
                || cp == '\n'
                || cp == 0x0B
                || cp == '\f'
                || cp == '\r'
                || cp == 0xA0
                || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028
                || cp == 0x2029
                || cp == 0x202F
                || cp == 0x205F
                || cp == 0x3000
                || cp == 0xFEFF;
    }

    /** The emoji ranges of §2.3 step 4 (deleted before tokenising for the word count). */
    static boolean isWordCountEmoji(int cp) {
        return (cp >= 0x1F600 && cp <= 0x1F64F)
                || (cp >= 0x1F300 && cp <= 0x1F5FF)
                || (cp >= 0x1F680 && cp <= 0x1F6FF)
                || (cp >= 0x1F1E0 && cp <= 0x1F1FF)
                || (cp >= 0x2600 && cp <= 0x26FF)
                || (cp >= 0x2700 && cp <= 0x27BF);
    }

    /** §2.8 emoji = the §2.3 ranges plus U+1F900–1F9FF, U+1FA00–1FA6F, U+1FA70–1FAFF. */
    static boolean isContentEmoji(int cp) {
        return isWordCountEmoji(cp)
                || (cp >= 0x1F900 && cp <= 0x1F9FF)
                || (cp >= 0x1FA00 && cp <= 0x1FA6F)
                || (cp >= 0x1FA70 && cp <= 0x1FAFF);
    }

    /** §2.2: ASCII A–Z lower-cased, every other character kept. */
    static String userKey(String username) {
        StringBuilder b = new StringBuilder();
        for (char c : username.toCharArray()) {
            b.append(c >= 'A' && c <= 'Z' ? (char) (c - 'A' + 'a') : c);
        }
        return b.toString();
    }

    /** §2.3 step 5: a token character is one of {@code [A-Za-z0-9_']}. */
    static boolean isTokenChar(int cp) {
        return (cp >= 'A' && cp <= 'Z')
                || (cp >= 'a' && cp <= 'z')
                || (cp >= '0' && cp <= '9')
                || cp == '_'
                || cp == '\'';
    }

    /**
     * §2.3 step 5: maximal runs of token characters, leading and trailing {@code '} stripped, empty
     * runs dropped; walks code points.
     */
    static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        int[] cps = s.codePoints().toArray();
        for (int i = 0; i <= cps.length; i++) {
            if (i < cps.length && isTokenChar(cps[i])) {
                run.appendCodePoint(cps[i]);
                continue;
            }
            String t = run.toString();
            run.setLength(0);
            int from = 0;
            int to = t.length();
            while (from < to && t.charAt(from) == '\'') {
                from++;
            }
            while (to > from && t.charAt(to - 1) == '\'') {
                to--;
            }
            if (from < to) {
                out.add(t.substring(from, to));
            }
        }
        return out;
    }

    /** SPEC §2.3, steps 1–6 in order. */
    static int wordCount(String text) {
        if (text.codePoints().allMatch(ChatBatchOracle::isJsSpace)) {
            return 0; // step 1 (also covers the empty text)
        }
        String s = URL.matcher(text).replaceAll("URL"); // step 2
        s = MENTION.matcher(s).replaceAll("MENTION"); // step 3
        StringBuilder noEmoji = new StringBuilder(); // step 4
        s.codePoints().filter(cp -> !isWordCountEmoji(cp)).forEach(noEmoji::appendCodePoint);
        int n = 0;
        for (String t : tokens(noEmoji.toString())) { // step 5
            boolean allDigits = t.chars().allMatch(c -> c >= '0' && c <= '9');
            if (t.contains("'") // step 6
                    || allDigits
                    || t.length() > 1
                    || t.equals("a")
                    || t.equals("A")
                    || t.equals("i")
                    || t.equals("I")) {
                n++;
            }
        }
        return n;
    }

    static int count(Pattern p, String text) {
        Matcher m = p.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** §2.8: more than 5 ASCII letters and more than 80 % of them upper-case. */
    static boolean isCaps(String text) {
        int letters = 0;
        int upper = 0;
        for (char c : text.toCharArray()) {
            if (c >= 'A' && c <= 'Z') {
                letters++;
                upper++;
            } else if (c >= 'a' && c <= 'z') {
                letters++;
            }
        }
        // upper / letters > 0.8, in exact integer arithmetic.
        return letters > 5 && 5 * upper > 4 * letters;
    }

    /** §2.8 vocabulary tokens: step-5 tokens of the raw text, ASCII lower-cased. */
    static List<String> vocabularyTokens(String text) {
        List<String> out = new ArrayList<>();
        for (String t : tokens(text)) {
            out.add(userKey(t)); // the same ASCII-only lower-casing
        }
        return out;
    }

    /** §2.12: floor(10·x + 0.5), i.e. round1(x) in tenths. */
    static long tenths(double x) {
        return (long) Math.floor(10 * x + 0.5);
    }

    /** round1(x) as the text of a NUMERIC(p,1) cell. */
    static String round1(double x) {
        long t = tenths(x);
        return (t / 10) + "." + (t % 10);
    }

    /** §2.12 integer rounding: floor(x + 0.5). */
    static long roundInt(double x) {
        return (long) Math.floor(x + 0.5);
    }

    /** {@code COLLATE "C"}: UTF-8 byte order, which is code point order. */
    static final Comparator<String> C_ORDER =
            (a, b) -> Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());

    // ---------------------------------------------------------------------------------------------
    // Per-message facts
    // ---------------------------------------------------------------------------------------------

    /** Everything the tables need from one message. */
    record Facts(
            ChatStream.Message m,
            String key,
            String room,
            int words,
            int codePoints,
            int utf16Length,
            int emojis,
            int urls,
            int mentions,
            boolean caps,
            int questions,
            int exclamations,
            List<String> vocabulary,
            LocalDate date,
            int hour) {}

    Facts facts(ChatStream.Message m) {
        String text = m.text();
        ZonedDateTime local = Instant.ofEpochMilli(m.ts()).atZone(zone);
        return new Facts(
                m,
                userKey(m.username()),
                m.room() == null ? "default" : m.room(),
                wordCount(text),
                text.codePointCount(0, text.length()),
                text.length(),
                (int) text.codePoints().filter(ChatBatchOracle::isContentEmoji).count(),
                count(URL, text),
                count(MENTION, text),
                isCaps(text),
                (int) text.chars().filter(c -> c == '?').count(),
                (int) text.chars().filter(c -> c == '!').count(),
                vocabularyTokens(text),
                local.toLocalDate(),
                local.getHour());
    }

    // ---------------------------------------------------------------------------------------------
    // Construction
    // ---------------------------------------------------------------------------------------------

    private final ZoneId zone;
    private final int retentionDays;
    private final Set<String> excludedUserKeys;

    /** User key → that user's messages in the given order; keys in C order. */
    private final Map<String, List<Facts>> byUser = new TreeMap<>(C_ORDER);

    /**
     * @param messagesInProcessingOrder each distinct message once (its first delivery); no table
     *     depends on the order any more (achievements are judged in (ts, id) order, SPEC §2.9)
     * @param excludedUserKeys the configured {@code excluded-users}, compared on the user key
     */
    public ChatBatchOracle(
            List<ChatStream.Message> messagesInProcessingOrder,
            ZoneId zone,
            int retentionDays,
            Set<String> excludedUserKeys) {
        this.zone = zone;
        this.retentionDays = retentionDays;
        this.excludedUserKeys = Set.copyOf(excludedUserKeys);
        Set<String> ids = new HashSet<>();
        for (ChatStream.Message m : messagesInProcessingOrder) {
            if (!ids.add(m.id())) {
                throw new IllegalArgumentException("duplicate message id " + m.id());
            }
            Facts f = facts(m);
            byUser.computeIfAbsent(f.key(), k -> new ArrayList<>()).add(f);
        }
    }

    /**
     * The distinct messages of produced JSON lines in first-delivery order (repeats of an id
     * dropped), e.g. {@link ChatStream#lines} when they are produced in list order.
     */
    public static List<ChatStream.Message> firstDeliveries(List<String> lines) {
        ObjectMapper mapper = new ObjectMapper();
        Map<String, ChatStream.Message> out = new LinkedHashMap<>();
        for (String line : lines) {
            JsonNode n;
            try {
                n = mapper.readTree(line);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
            String id = n.get("id").asText();
            out.putIfAbsent(
                    id,
                    new ChatStream.Message(
                            id,
                            n.hasNonNull("room") ? n.get("room").asText() : null,
                            n.get("username").asText(),
                            n.get("text").asText(),
                            n.get("ts").asLong()));
        }
        return new ArrayList<>(out.values());
    }

    /** §2.2: the configured bot keys, or a username that starts with [ and ends with ]. */
    boolean isExcluded(String key) {
        return excludedUserKeys.contains(key) || (key.startsWith("[") && key.endsWith("]"));
    }

    private static List<String> row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c == null ? null : c.toString());
        }
        return Collections.unmodifiableList(r);
    }

    // ---------------------------------------------------------------------------------------------
    // §2.4 user_stats
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code SELECT username, message_count, total_words, first_seen, last_seen, version FROM
     * user_stats ORDER BY username COLLATE "C"} — every sender, version = message_count.
     */
    public List<List<String>> userStats() {
        List<List<String>> rows = new ArrayList<>();
        byUser.forEach(
                (key, msgs) -> {
                    long words = 0;
                    long first = Long.MAX_VALUE;
                    long last = Long.MIN_VALUE;
                    for (Facts f : msgs) {
                        words += f.words();
                        first = Math.min(first, f.m().ts());
                        last = Math.max(last, f.m().ts());
                    }
                    rows.add(row(key, msgs.size(), words, first, last, msgs.size()));
                });
        return rows;
    }

    // ---------------------------------------------------------------------------------------------
    // §2.5 user_daily_activity
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code SELECT username, date, message_count, word_count, first_message_time,
     * last_message_time, avg_message_length, version FROM user_daily_activity ORDER BY username
     * COLLATE "C", date} — non-excluded senders, version = message_count, no retention applied.
     */
    public List<List<String>> dailyActivity() {
        List<List<String>> rows = new ArrayList<>();
        byUser.forEach(
                (key, msgs) -> {
                    if (isExcluded(key)) {
                        return;
                    }
                    Map<LocalDate, List<Facts>> byDay = new TreeMap<>();
                    for (Facts f : msgs) {
                        byDay.computeIfAbsent(f.date(), d -> new ArrayList<>()).add(f);
                    }
                    byDay.forEach(
                            (date, day) -> {
                                long words = 0;
                                long cps = 0;
                                long first = Long.MAX_VALUE;
                                long last = Long.MIN_VALUE;
                                for (Facts f : day) {
                                    words += f.words();
                                    cps += f.codePoints();
                                    first = Math.min(first, f.m().ts());
                                    last = Math.max(last, f.m().ts());
                                }
                                rows.add(
                                        row(
                                                key,
                                                date,
                                                day.size(),
                                                words,
                                                first,
                                                last,
                                                round1((double) cps / day.size()),
                                                day.size()));
                            });
                });
        return rows;
    }

    // ---------------------------------------------------------------------------------------------
    // §2.6 user_chat_streaks
    // ---------------------------------------------------------------------------------------------

    /** Sorted ({@code COLLATE "C"}) keys of the users that have a streak row (non-excluded). */
    public List<String> streakUsers() {
        List<String> out = new ArrayList<>();
        for (String key : byUser.keySet()) {
            if (!isExcluded(key)) {
                out.add(key);
            }
        }
        return out;
    }

    /** The largest {@code ts} of the user's messages (any sender). */
    public long lastEventTime(String userKey) {
        return byUser.get(userKey).stream().mapToLong(f -> f.m().ts()).max().orElseThrow();
    }

    /** The longest run of strictly consecutive days in the set (0 when empty). */
    static int longestRun(NavigableSet<LocalDate> days) {
        int best = 0;
        int run = 0;
        LocalDate prev = null;
        for (LocalDate d : days) {
            run = prev != null && prev.plusDays(1).equals(d) ? run + 1 : 1;
            best = Math.max(best, run);
            prev = d;
        }
        return best;
    }

    /**
     * The row {@code SELECT username, current_streak, best_streak, last_active_date,
     * streak_start_date, total_active_days, best_streak_all_time, total_active_days_all_time FROM
     * user_chat_streaks WHERE username = userKey} evaluated at {@code asOfMillis} over all the
     * user's messages; null when the user has no row (unknown or excluded).
     */
    public List<String> streakAt(String userKey, long asOfMillis) {
        List<Facts> msgs = byUser.get(userKey);
        if (msgs == null || isExcluded(userKey)) {
            return null;
        }
        TreeSet<LocalDate> days = new TreeSet<>();
        msgs.forEach(f -> days.add(f.date()));
        LocalDate today = Instant.ofEpochMilli(asOfMillis).atZone(zone).toLocalDate();
        LocalDate last = days.last();
        int current = 0;
        if (!last.isBefore(today.minusDays(1))) {
            while (days.contains(last.minusDays(current))) {
                current++;
            }
        }
        LocalDate start = current == 0 ? null : last.minusDays(current - 1);
        NavigableSet<LocalDate> window = days.tailSet(today.minusDays(retentionDays), true);
        int best = Math.max(longestRun(window), current);
        return row(
                userKey, current, best, last, start, window.size(), longestRun(days), days.size());
    }

    // ---------------------------------------------------------------------------------------------
    // §2.7 user_active_hours and user_activity_summary
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code SELECT username, room_id, hour, message_count, word_count, avg_message_length FROM
     * user_active_hours ORDER BY username COLLATE "C", room_id COLLATE "C", hour} — non-excluded
     * senders; avg = code points, rounded half-up to an integer.
     */
    public List<List<String>> activeHours() {
        List<List<String>> rows = new ArrayList<>();
        byUser.forEach(
                (key, msgs) -> {
                    if (isExcluded(key)) {
                        return;
                    }
                    Map<String, Map<Integer, List<Facts>>> byRoom = new TreeMap<>(C_ORDER);
                    for (Facts f : msgs) {
                        byRoom.computeIfAbsent(f.room(), r -> new TreeMap<>())
                                .computeIfAbsent(f.hour(), h -> new ArrayList<>())
                                .add(f);
                    }
                    byRoom.forEach(
                            (room, hours) ->
                                    hours.forEach(
                                            (hour, in) -> {
                                                long words = 0;
                                                long cps = 0;
                                                for (Facts f : in) {
                                                    words += f.words();
                                                    cps += f.codePoints();
                                                }
                                                rows.add(
                                                        row(
                                                                key,
                                                                room,
                                                                hour,
                                                                in.size(),
                                                                words,
                                                                roundInt(
                                                                        (double) cps / in.size())));
                                            }));
                });
        return rows;
    }

    /** The §2.7 summary of 24 hourly counts. */
    record Summary(
            int mostActive,
            int leastActive,
            long morning,
            long afternoon,
            long evening,
            long night,
            long nightOwlTenths,
            long earlyBirdTenths,
            long consistencyTenths) {}

    static Summary summarize(long[] c) {
        long total = 0;
        for (long x : c) {
            total += x;
        }
        int most = 0;
        for (int h = 0; h < 24; h++) {
            if (c[h] > c[most]) {
                most = h;
            }
        }
        int least = -1;
        int nonZeroHours = 0;
        for (int h = 0; h < 24; h++) {
            if (c[h] > 0) {
                nonZeroHours++;
                if (least < 0 || c[h] < c[least]) {
                    least = h;
                }
            }
        }
        if (least < 0 || nonZeroHours == 1) {
            least = 0; // reference behaviour: 0 when a single hour holds all messages
        }
        long night = 0;
        long morning = 0;
        long afternoon = 0;
        long evening = 0;
        for (int h = 0; h < 24; h++) {
            if (h <= 5) {
                night += c[h];
            } else if (h <= 11) {
                morning += c[h];
            } else if (h <= 17) {
                afternoon += c[h];
            } else {
                evening += c[h];
            }
        }
        long nightOwl = 0;
        long earlyBird = 0;
        long consistency = 0;
        if (total > 0) {
            nightOwl = tenths(100.0 * night / total);
            earlyBird = tenths(100.0 * morning / total);
            double mean = total / 24.0;
            double squares = 0;
            for (int h = 0; h < 24; h++) {
                squares += (c[h] - mean) * (c[h] - mean);
            }
            double sigma = Math.sqrt(squares / 24); // population standard deviation
            consistency = tenths(Math.max(0, 100 - 100 * sigma / mean));
        }
        return new Summary(
                most, least, morning, afternoon, evening, night, nightOwl, earlyBird, consistency);
    }

    private static String tenthsText(long t) {
        return (t / 10) + "." + (t % 10);
    }

    /**
     * {@code SELECT username, most_active_hour, least_active_hour, morning_messages,
     * afternoon_messages, evening_messages, night_messages, night_owl_score, early_bird_score,
     * consistency_score FROM user_activity_summary ORDER BY username COLLATE "C"} — non-excluded.
     */
    public List<List<String>> activitySummary() {
        List<List<String>> rows = new ArrayList<>();
        byUser.forEach(
                (key, msgs) -> {
                    if (isExcluded(key)) {
                        return;
                    }
                    long[] c = new long[24];
                    msgs.forEach(f -> c[f.hour()]++);
                    Summary s = summarize(c);
                    rows.add(
                            row(
                                    key,
                                    s.mostActive(),
                                    s.leastActive(),
                                    s.morning(),
                                    s.afternoon(),
                                    s.evening(),
                                    s.night(),
                                    tenthsText(s.nightOwlTenths()),
                                    tenthsText(s.earlyBirdTenths()),
                                    tenthsText(s.consistencyTenths())));
                });
        return rows;
    }

    // ---------------------------------------------------------------------------------------------
    // §2.8 message_analysis_cache and user_vocabulary
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code SELECT username, total_messages, total_words, avg_message_length,
     * avg_words_per_message, emoji_count, emoji_usage_rate, caps_count, caps_usage_rate,
     * question_count, exclamation_count, url_count, mention_count, longest_message,
     * shortest_message, vocabulary_size FROM message_analysis_cache ORDER BY username COLLATE "C"}
     * — non-excluded senders.
     */
    public List<List<String>> messageAnalysis() {
        List<List<String>> rows = new ArrayList<>();
        byUser.forEach(
                (key, msgs) -> {
                    if (isExcluded(key)) {
                        return;
                    }
                    long total = msgs.size();
                    long words = 0;
                    long length = 0;
                    long emojis = 0;
                    long caps = 0;
                    long questions = 0;
                    long exclamations = 0;
                    long urls = 0;
                    long mentions = 0;
                    long longest = 0;
                    long shortest = Long.MAX_VALUE;
                    Set<String> vocabulary = new HashSet<>();
                    for (Facts f : msgs) {
                        words += f.words();
                        length += f.utf16Length();
                        emojis += f.emojis();
                        caps += f.caps() ? 1 : 0;
                        questions += f.questions();
                        exclamations += f.exclamations();
                        urls += f.urls();
                        mentions += f.mentions();
                        if (f.utf16Length() > 0) {
                            longest = Math.max(longest, f.utf16Length());
                            shortest = Math.min(shortest, f.utf16Length());
                        }
                        vocabulary.addAll(f.vocabulary());
                    }
                    rows.add(
                            row(
                                    key,
                                    total,
                                    words,
                                    roundInt((double) length / total),
                                    round1((double) words / total),
                                    emojis,
                                    round1(100.0 * emojis / total),
                                    caps,
                                    round1(100.0 * caps / total),
                                    questions,
                                    exclamations,
                                    urls,
                                    mentions,
                                    longest,
                                    shortest == Long.MAX_VALUE ? 0 : shortest,
                                    vocabulary.size()));
                });
        return rows;
    }

    /**
     * {@code SELECT username, word, first_used FROM user_vocabulary ORDER BY username COLLATE "C",
     * word COLLATE "C"} — non-excluded senders; the first 1000 distinct tokens of at most 100
     * characters in (ts, message id as a Java string, position) order, first_used = ts of the
     * message that first used the word.
     */
    public List<List<String>> vocabulary() {
        List<List<String>> rows = new ArrayList<>();
        byUser.forEach(
                (key, msgs) -> {
                    if (isExcluded(key)) {
                        return;
                    }
                    List<Facts> ordered = new ArrayList<>(msgs);
                    ordered.sort(
                            Comparator.comparingLong((Facts f) -> f.m().ts())
                                    .thenComparing(f -> f.m().id()));
                    Map<String, Long> firstUsed = new LinkedHashMap<>();
                    for (Facts f : ordered) {
                        for (String w : f.vocabulary()) {
                            // §2.8: only tokens of at most 100 characters get a row.
                            if (firstUsed.size() < 1000 && w.length() <= 100) {
                                firstUsed.putIfAbsent(w, f.m().ts());
                            }
                        }
                    }
                    Map<String, Long> sorted = new TreeMap<>(C_ORDER);
                    sorted.putAll(firstUsed);
                    sorted.forEach((w, ts) -> rows.add(row(key, w, ts)));
                });
        return rows;
    }

    // ---------------------------------------------------------------------------------------------
    // §2.9 achievements
    // ---------------------------------------------------------------------------------------------

    static final List<String> LEVELS = List.of("bronze", "silver", "gold", "diamond");

    /** type → bronze/silver/gold/diamond thresholds (the §2.9 table). */
    static final Map<String, long[]> THRESHOLDS = new TreeMap<>();

    static {
        THRESHOLDS.put("message_count", new long[] {100, 1000, 10000, 50000});
        THRESHOLDS.put("word_count", new long[] {1000, 10000, 100000, 1000000});
        THRESHOLDS.put("streak_days", new long[] {7, 30, 100, 365});
        THRESHOLDS.put("active_days", new long[] {10, 50, 200, 500});
        THRESHOLDS.put("night_owl", new long[] {50, 250, 1000, 5000});
        THRESHOLDS.put("early_bird", new long[] {50, 250, 1000, 5000});
        THRESHOLDS.put("emoji_user", new long[] {100, 500, 2000, 10000});
        THRESHOLDS.put("caps_lock", new long[] {20, 100, 500, 2000});
        THRESHOLDS.put("question_asker", new long[] {50, 250, 1000, 5000});
        THRESHOLDS.put("link_sharer", new long[] {25, 100, 500, 2000});
        THRESHOLDS.put("vocabulary", new long[] {500, 2000, 5000, 10000});
        THRESHOLDS.put("longest_msg", new long[] {100, 250, 500, 1000});
    }

    /** The types that apply to a user (§2.9): all for non-excluded users, else two. */
    List<String> applicableTypes(String key) {
        List<String> types = new ArrayList<>();
        for (String type : THRESHOLDS.keySet()) {
            if (!isExcluded(key) || type.equals("message_count") || type.equals("word_count")) {
                types.add(type);
            }
        }
        return types; // sorted: THRESHOLDS is a TreeMap of ASCII names
    }

    /** One user's awards (type → level → achieved_at) and final metric values. */
    record Awards(Map<String, Map<String, Long>> achievedAt, Map<String, Long> finalValues) {}

    /**
     * Walks the user's messages in (ts, id) order (SPEC §2.9: as if they had arrived sorted, ids
     * compared as Java strings); after each message evaluates every metric and awards each tier the
     * first time its condition holds, at that message's ts.
     */
    Awards awards(String key) {
        List<String> types = applicableTypes(key);
        Map<String, Map<String, Long>> achieved = new TreeMap<>();
        types.forEach(t -> achieved.put(t, new LinkedHashMap<>()));
        Map<String, Long> value = new TreeMap<>();

        long messages = 0;
        long words = 0;
        TreeSet<LocalDate> days = new TreeSet<>();
        long[] hourly = new long[24];
        long emojis = 0;
        long caps = 0;
        long questions = 0;
        long urls = 0;
        Set<String> vocabulary = new HashSet<>();
        long longest = 0;
        List<Facts> sorted = new ArrayList<>(byUser.get(key));
        sorted.sort(
                Comparator.comparingLong((Facts f) -> f.m().ts()).thenComparing(f -> f.m().id()));
        for (Facts f : sorted) {
            messages++;
            words += f.words();
            days.add(f.date());
            hourly[f.hour()]++;
            emojis += f.emojis();
            caps += f.caps() ? 1 : 0;
            questions += f.questions();
            urls += f.urls();
            vocabulary.addAll(f.vocabulary());
            longest = Math.max(longest, f.utf16Length());
            Summary s = summarize(hourly);

            value.put("message_count", messages);
            value.put("word_count", words);
            value.put("streak_days", (long) longestRun(days));
            value.put("active_days", (long) days.size());
            value.put("night_owl", s.night());
            value.put("early_bird", s.morning());
            value.put("emoji_user", emojis);
            value.put("caps_lock", caps);
            value.put("question_asker", questions);
            value.put("link_sharer", urls);
            value.put("vocabulary", (long) vocabulary.size());
            value.put("longest_msg", longest);
            for (String type : types) {
                // night_owl / early_bird: also the stored (round1) score > 30.
                boolean extra =
                        switch (type) {
                            case "night_owl" -> s.nightOwlTenths() > 300;
                            case "early_bird" -> s.earlyBirdTenths() > 300;
                            default -> true;
                        };
                long[] thresholds = THRESHOLDS.get(type);
                for (int i = 0; i < 4; i++) {
                    if (extra && value.get(type) >= thresholds[i]) {
                        achieved.get(type).putIfAbsent(LEVELS.get(i), f.m().ts());
                    }
                }
            }
        }
        value.keySet().retainAll(types);
        return new Awards(achieved, value);
    }

    /**
     * {@code SELECT username, achievement_type, achievement_level, (extract(epoch from
     * achieved_at)*1000)::bigint, details FROM chat_achievements ORDER BY username COLLATE "C",
     * achievement_type, achievement_level} — details is always null here (compare it loosely);
     * levels sort as text: bronze, diamond, gold, silver.
     */
    public List<List<String>> achievements() {
        List<List<String>> rows = new ArrayList<>();
        for (String key : byUser.keySet()) {
            awards(key)
                    .achievedAt()
                    .forEach(
                            (type, levels) ->
                                    new TreeMap<>(levels)
                                            .forEach(
                                                    (level, at) ->
                                                            rows.add(
                                                                    row(
                                                                            key, type, level, at,
                                                                            null))));
        }
        return rows;
    }

    /**
     * {@code SELECT username, achievement_type, current_value, next_tier, next_threshold,
     * progress_percent FROM achievement_progress ORDER BY username COLLATE "C", achievement_type}.
     */
    public List<List<String>> achievementProgress() {
        List<List<String>> rows = new ArrayList<>();
        for (String key : byUser.keySet()) {
            Awards a = awards(key);
            for (String type : applicableTypes(key)) {
                long v = a.finalValues().get(type);
                Set<String> have = new LinkedHashSet<>(a.achievedAt().get(type).keySet());
                String next = null;
                long threshold = 0;
                for (int i = 0; i < 4 && next == null; i++) {
                    if (!have.contains(LEVELS.get(i))) {
                        next = LEVELS.get(i);
                        threshold = THRESHOLDS.get(type)[i];
                    }
                }
                if (next == null) {
                    rows.add(row(key, type, v, null, null, "100.0"));
                } else {
                    long t = Math.min(1000, tenths(100.0 * v / threshold));
                    rows.add(row(key, type, v, next, threshold, tenthsText(t)));
                }
            }
        }
        return rows;
    }
}
