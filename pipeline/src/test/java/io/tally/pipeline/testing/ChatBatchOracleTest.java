package io.tally.pipeline.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.testing.ChatStream.Message;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The oracle itself, checked on tiny hand-computed cases (SPEC §2.2–§2.9, §2.12). */
class ChatBatchOracleTest {
    static final ZoneId UTC = ZoneOffset.UTC;
    static final ZoneId SYDNEY = ZoneId.of("Australia/Sydney");
    static final long DAY = 86_400_000L;

    static long ms(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    static List<String> row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c == null ? null : c.toString());
        }
        return r;
    }

    static Message msg(String id, String user, String text, long ts) {
        return new Message(id, null, user, text, ts);
    }

    static ChatBatchOracle utc(List<Message> messages) {
        return new ChatBatchOracle(messages, UTC, 90, Set.of("dazza"));
    }

    // ---- §2.3 word count, §2.8 per-message features ---------------------------------------------

    @Test
    void wordCountHoldsOnEverySpecExample() {
        assertThat(ChatBatchOracle.wordCount("hello world")).isEqualTo(2);
        assertThat(ChatBatchOracle.wordCount("one-two-three")).isEqualTo(3);
        assertThat(ChatBatchOracle.wordCount("I have 123 apples and 456 oranges")).isEqualTo(7);
        assertThat(ChatBatchOracle.wordCount("https://example.com https://test.com two urls here"))
                .isEqualTo(5);
        assertThat(ChatBatchOracle.wordCount("@hyphen-user @under_score check this")).isEqualTo(4);
        assertThat(ChatBatchOracle.wordCount("café naïve")).isEqualTo(3);
        assertThat(ChatBatchOracle.wordCount("x y z")).isEqualTo(0);
        assertThat(ChatBatchOracle.wordCount("don't")).isEqualTo(1);
        assertThat(ChatBatchOracle.wordCount("5")).isEqualTo(1);
        assertThat(ChatBatchOracle.wordCount("hi😀there")).isEqualTo(1);
        assertThat(ChatBatchOracle.wordCount("test@email.com")).isEqualTo(2);
        assertThat(
                        ChatBatchOracle.wordCount(
                                "<a href=\"https://x.io/a\" target=\"_blank\" rel=\"noopener"
                                        + " noreferrer\">https://x.io/a</a>"))
                .isEqualTo(9);
        assertThat(ChatBatchOracle.wordCount("&gt; quote")).isEqualTo(2);
    }

    @Test
    void wordCountEdgeCases() {
        assertThat(ChatBatchOracle.wordCount("")).isEqualTo(0);
        assertThat(ChatBatchOracle.wordCount(" \t\u00A0\u2003\u3000\uFEFF")).isEqualTo(0);
        // The JavaScript whitespace set ends a URL: U+00A0 and U+202F do, U+0085 does not.
        assertThat(ChatBatchOracle.wordCount("www.x.com\u00A0next")).isEqualTo(2);
        assertThat(ChatBatchOracle.wordCount("www.x.com\u202Fnext")).isEqualTo(2);
        assertThat(ChatBatchOracle.wordCount("www.x.com\u0085next")).isEqualTo(1);
        // URLs are case-sensitive; "http://" needs at least one more non-space character.
        assertThat(ChatBatchOracle.wordCount("HTTPS://x.io")).isEqualTo(2); // HTTPS, io
        assertThat(ChatBatchOracle.wordCount("http:// here")).isEqualTo(2);
        // Only the §2.3 ranges are deleted; U+1F923 (🤣) splits like any other character.
        assertThat(ChatBatchOracle.wordCount("hi🤣there")).isEqualTo(2);
        assertThat(ChatBatchOracle.wordCount("gm ☀️")).isEqualTo(1);
        // Apostrophes: stripped at the ends, count when inside.
        assertThat(ChatBatchOracle.wordCount("'quoted' x' o'' '' rock'n'roll")).isEqualTo(2);
        assertThat(ChatBatchOracle.wordCount("a I b")).isEqualTo(2);
        assertThat(ChatBatchOracle.wordCount("7 _ __")).isEqualTo(2);
        // The replacement tokens join with adjacent characters.
        assertThat(ChatBatchOracle.wordCount("see:https://x.io/a,b")).isEqualTo(2);
        assertThat(ChatBatchOracle.wordCount("hey@bob!")).isEqualTo(1);
    }

    @Test
    void contentFeaturesOnTheRawText() {
        String link =
                "<a href=\"https://x.io/a\" target=\"_blank\" rel=\"noopener noreferrer\">"
                        + "https://x.io/a</a>";
        assertThat(ChatBatchOracle.count(ChatBatchOracle.URL, link)).isEqualTo(2);
        assertThat(ChatBatchOracle.count(ChatBatchOracle.URL, "www.a.b and http://c")).isEqualTo(2);
        assertThat(ChatBatchOracle.count(ChatBatchOracle.MENTION, "test@email.com")).isEqualTo(1);
        assertThat(ChatBatchOracle.count(ChatBatchOracle.MENTION, "@a-b @ @_ x@y https://t/@u"))
                .isEqualTo(4);

        ChatBatchOracle o = utc(List.of());
        assertThat(o.facts(msg("1", "u", "gm ☀️", 0)).emojis()).isEqualTo(1);
        assertThat(o.facts(msg("1", "u", "😀👍🤣🥰🫠🪐", 0)).emojis()).isEqualTo(6);
        assertThat(o.facts(msg("1", "u", "❤ ✨ \u2B50", 0)).emojis()).isEqualTo(2);

        assertThat(ChatBatchOracle.isCaps("WHY IS EVERYTHING ON FIRE")).isTrue();
        assertThat(ChatBatchOracle.isCaps("HELLO")).isFalse(); // 5 letters: not more than 5
        assertThat(ChatBatchOracle.isCaps("HELLOx")).isTrue(); // 5/6 = 83 %
        assertThat(ChatBatchOracle.isCaps("ABCDEFGHij")).isFalse(); // exactly 80 %
        assertThat(ChatBatchOracle.isCaps("ÉÉÉÉÉÉÉ ABC")).isFalse(); // only ASCII letters count

        ChatBatchOracle.Facts f =
                o.facts(msg("1", "u", "Don't 'QUOTE' hi😀there?! ok?? https://x.io", 0));
        assertThat(f.questions()).isEqualTo(3);
        assertThat(f.exclamations()).isEqualTo(1);
        assertThat(f.vocabulary())
                .containsExactly("don't", "quote", "hi", "there", "ok", "https", "x", "io");
        assertThat(o.facts(msg("1", "u", "hi😀", 0)).utf16Length()).isEqualTo(4);
        assertThat(o.facts(msg("1", "u", "hi😀", 0)).codePoints()).isEqualTo(3);
    }

    @Test
    void userKeysAndExclusions() {
        assertThat(ChatBatchOracle.userKey("ZoË-Ann_Ä")).isEqualTo("zoË-ann_Ä");
        ChatBatchOracle o = utc(List.of());
        assertThat(o.isExcluded("dazza")).isTrue();
        assertThat(o.isExcluded("[server]")).isTrue();
        assertThat(o.isExcluded("[]")).isTrue();
        assertThat(o.isExcluded("[x")).isFalse();
        assertThat(o.isExcluded("x]")).isFalse();
        assertThat(o.isExcluded("dazza2")).isFalse();
    }

    @Test
    void rounding() {
        assertThat(ChatBatchOracle.round1(0.25)).isEqualTo("0.3");
        assertThat(ChatBatchOracle.round1(100.0 / 3)).isEqualTo("33.3");
        assertThat(ChatBatchOracle.round1(200.0 / 3)).isEqualTo("66.7");
        assertThat(ChatBatchOracle.round1(0)).isEqualTo("0.0");
        assertThat(ChatBatchOracle.round1(100)).isEqualTo("100.0");
        assertThat(ChatBatchOracle.roundInt(2.5)).isEqualTo(3);
        assertThat(ChatBatchOracle.roundInt(2.49)).isEqualTo(2);
    }

    // ---- a small chat: §2.4, §2.5, §2.7, §2.8
    // -----------------------------------------------------

    static final long A1 = ms("2026-11-01T23:30:00Z");
    static final long A2 = ms("2026-11-02T08:00:00Z");
    static final long A3 = ms("2026-11-02T08:10:00Z");
    static final long S1 = ms("2026-11-01T10:00:00Z");
    static final long D1 = ms("2026-11-03T00:00:00Z");

    static final List<Message> SMALL =
            List.of(
                    new Message("r:1", "r", "Alice", "hello world", A1),
                    new Message("x:2", null, "alice", "WHY IS THIS ON FIRE?!", A2),
                    new Message("g:3", "g", "ALICE", "hi😀there @bob https://x.io", A3),
                    new Message("r:4", "r", "[server]", "restart now", S1),
                    new Message("r:5", "r", "Dazza", "I am a bot", D1));

    @Test
    void smallChatUserStats() {
        assertThat(utc(SMALL).userStats())
                .containsExactly(
                        row("[server]", 1, 2, S1, S1, 1),
                        row("alice", 3, 10, A1, A3, 3),
                        row("dazza", 1, 4, D1, D1, 1));
    }

    @Test
    void smallChatDailyActivity() {
        assertThat(utc(SMALL).dailyActivity())
                .containsExactly(
                        row("alice", "2026-11-01", 1, 2, A1, A1, "11.0", 1),
                        row("alice", "2026-11-02", 2, 8, A2, A3, "23.5", 2));
        // In Sydney (+11 in November) 23:30Z on the 1st is the 2nd, 08:00Z is still the 2nd.
        assertThat(new ChatBatchOracle(SMALL, SYDNEY, 90, Set.of("dazza")).dailyActivity())
                .containsExactly(row("alice", "2026-11-02", 3, 10, A1, A3, "19.3", 3));
    }

    @Test
    void smallChatActiveHoursAndSummary() {
        ChatBatchOracle o = utc(SMALL);
        assertThat(o.activeHours())
                .containsExactly(
                        row("alice", "default", 8, 1, 5, 21),
                        row("alice", "g", 8, 1, 3, 26),
                        row("alice", "r", 23, 1, 2, 11));
        assertThat(o.activitySummary())
                .containsExactly(row("alice", 8, 23, 2, 0, 1, 0, "0.0", "66.7", "0.0"));
    }

    @Test
    void smallChatMessageAnalysisAndVocabulary() {
        ChatBatchOracle o = utc(SMALL);
        assertThat(o.messageAnalysis())
                .containsExactly(
                        row(
                                "alice", 3, 10, 20, "3.3", 1, "33.3", 1, "33.3", 1, 1, 1, 1, 27, 11,
                                13));
        assertThat(o.vocabulary())
                .containsExactly(
                        row("alice", "bob", A3),
                        row("alice", "fire", A2),
                        row("alice", "hello", A1),
                        row("alice", "hi", A3),
                        row("alice", "https", A3),
                        row("alice", "io", A3),
                        row("alice", "is", A2),
                        row("alice", "on", A2),
                        row("alice", "there", A3),
                        row("alice", "this", A2),
                        row("alice", "why", A2),
                        row("alice", "world", A1),
                        row("alice", "x", A3));
    }

    @Test
    void smallChatStreakAndProgress() {
        ChatBatchOracle o = utc(SMALL);
        assertThat(o.streakUsers()).containsExactly("alice");
        assertThat(o.lastEventTime("alice")).isEqualTo(A3);
        assertThat(o.streakAt("alice", A3))
                .isEqualTo(row("alice", 2, 2, "2026-11-02", "2026-11-01", 2, 2, 2));
        assertThat(o.streakAt("dazza", A3)).isNull();
        assertThat(o.achievements()).isEmpty();
        assertThat(o.achievementProgress())
                .containsExactly(
                        row("[server]", "message_count", 1, "bronze", 100, "1.0"),
                        row("[server]", "word_count", 2, "bronze", 1000, "0.2"),
                        row("alice", "active_days", 2, "bronze", 10, "20.0"),
                        row("alice", "caps_lock", 1, "bronze", 20, "5.0"),
                        row("alice", "early_bird", 2, "bronze", 50, "4.0"),
                        row("alice", "emoji_user", 1, "bronze", 100, "1.0"),
                        row("alice", "link_sharer", 1, "bronze", 25, "4.0"),
                        row("alice", "longest_msg", 27, "bronze", 100, "27.0"),
                        row("alice", "message_count", 3, "bronze", 100, "3.0"),
                        row("alice", "night_owl", 0, "bronze", 50, "0.0"),
                        row("alice", "question_asker", 1, "bronze", 50, "2.0"),
                        row("alice", "streak_days", 2, "bronze", 7, "28.6"),
                        row("alice", "vocabulary", 13, "bronze", 500, "2.6"),
                        row("alice", "word_count", 10, "bronze", 1000, "1.0"),
                        row("dazza", "message_count", 1, "bronze", 100, "1.0"),
                        row("dazza", "word_count", 4, "bronze", 1000, "0.4"));
    }

    @Test
    void halfUpAveragesOfCodePoints() {
        List<Message> m =
                List.of(
                        msg("1", "h", "a", ms("2026-01-01T10:00:00Z")),
                        msg("2", "h", "a😀", ms("2026-01-01T10:05:00Z")));
        ChatBatchOracle o = utc(m);
        assertThat(o.dailyActivity())
                .containsExactly(
                        row("h", "2026-01-01", 2, 2, m.get(0).ts(), m.get(1).ts(), "1.5", 2));
        assertThat(o.activeHours()).containsExactly(row("h", "default", 10, 2, 2, 2));
        // UTF-16: (1 + 3) / 2 = 2; rate 100 · 1 / 2 = 50.0.
        assertThat(o.messageAnalysis().get(0).subList(1, 8))
                .isEqualTo(row(2, 2, 2, "1.0", 1, "50.0", 0));
    }

    @Test
    void emptyMessagesCountButHaveNoLength() {
        List<Message> m =
                List.of(
                        msg("1", "e", "", 1000),
                        msg("2", "e", "   ", 2000),
                        msg("3", "e", "", 3000));
        List<String> r = utc(m).messageAnalysis().get(0);
        // total 3, words 0, avg length round(3/3) = 1, longest = shortest = 3 ("   "), vocabulary 0
        assertThat(r).isEqualTo(row("e", 3, 0, 1, "0.0", 0, "0.0", 0, "0.0", 0, 0, 0, 0, 3, 3, 0));
        assertThat(utc(List.of(msg("1", "f", "", 5))).messageAnalysis().get(0).subList(13, 16))
                .isEqualTo(row(0, 0, 0));
    }

    @Test
    void hoursAndDaysFollowDaylightSaving() {
        // Sydney: 2026-10-04 02:00 AEST (16:00Z on the 3rd) jumps to 03:00 AEDT.
        List<Message> m =
                List.of(
                        msg("1", "d", "hello there", ms("2026-10-03T15:30:00Z")), // 01:30 +10
                        msg("2", "d", "hello there", ms("2026-10-03T16:30:00Z")), // 03:30 +11
                        msg("3", "d", "hello there", ms("2026-10-04T13:30:00Z"))); // 00:30 +11
        ChatBatchOracle o = new ChatBatchOracle(m, SYDNEY, 90, Set.of());
        assertThat(o.activeHours()).extracting(r -> r.get(2)).containsExactly("0", "1", "3");
        assertThat(o.dailyActivity())
                .extracting(r -> r.get(1) + "=" + r.get(2))
                .containsExactly("2026-10-04=2", "2026-10-05=1");
    }

    // ---- §2.7 summary
    // -----------------------------------------------------------------------------

    static List<Message> atHours(String user, int... hours) {
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < hours.length; i++) {
            long ts = ms("2026-01-01T00:00:00Z") + hours[i] * 3_600_000L + i * 1000L;
            out.add(msg(user + i, user, "hey", ts));
        }
        return out;
    }

    @Test
    void summaryOfHourlyCounts() {
        int[] everyHourPlusMidnight = new int[25];
        for (int h = 0; h < 24; h++) {
            everyHourPlusMidnight[h] = h;
        }
        // counts: c0 = 2, the rest 1; T = 25, μ = 25/24, σ = √23/24, σ/μ = √23/25 = 0.19183
        assertThat(utc(atHours("even", everyHourPlusMidnight)).activitySummary())
                .containsExactly(row("even", 0, 1, 6, 6, 6, 7, "28.0", "24.0", "80.8"));
        int[] allDay = new int[24];
        for (int h = 0; h < 24; h++) {
            allDay[h] = h;
        }
        assertThat(utc(atHours("flat", allDay)).activitySummary())
                .containsExactly(row("flat", 0, 0, 6, 6, 6, 6, "25.0", "25.0", "100.0"));
        // A single hour holds everything: least_active_hour is 0 (reference behaviour).
        assertThat(utc(atHours("one", 5, 5, 5)).activitySummary())
                .containsExactly(row("one", 5, 0, 0, 0, 0, 3, "100.0", "0.0", "0.0"));
        // Ties go to the lowest hour.
        assertThat(utc(atHours("tie", 9, 3, 7, 3)).activitySummary().get(0).subList(1, 3))
                .isEqualTo(row(3, 7));
        assertThat(utc(atHours("tie", 9, 9, 3, 3, 20)).activitySummary().get(0).subList(1, 3))
                .isEqualTo(row(3, 20));
    }

    // ---- §2.8 vocabulary order and cap
    // -----------------------------------------------------------

    @Test
    void vocabularyFollowsTsThenIdThenPositionNotProcessingOrder() {
        List<Message> m =
                List.of(
                        msg("v:2", "v", "Banana apple", 2000),
                        msg("v:1", "v", "APPLE", 1000),
                        msg("a", "v", "cherry banana", 2000));
        assertThat(utc(m).vocabulary())
                .containsExactly(
                        row("v", "apple", 1000),
                        row("v", "banana", 2000),
                        row("v", "cherry", 2000));
    }

    @Test
    void vocabularyKeepsTheFirst1000DistinctWords() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 998; i++) {
            many.append(String.format("w%03d ", i));
        }
        // Processed in reverse ts order; (ts, id, position) order is m0, "a" (yes no maybe), "b".
        List<Message> m =
                List.of(
                        msg("b", "cap", "zeta", 2000),
                        msg("a", "cap", "yes no maybe no", 2000),
                        msg("m0", "cap", many.toString(), 1000));
        ChatBatchOracle o = utc(m);
        List<List<String>> v = o.vocabulary();
        assertThat(v).hasSize(1000);
        assertThat(v.get(0)).isEqualTo(row("cap", "no", 2000));
        assertThat(v.get(1)).isEqualTo(row("cap", "w000", 1000));
        assertThat(v.get(999)).isEqualTo(row("cap", "yes", 2000));
        assertThat(v).extracting(r -> r.get(1)).doesNotContain("maybe", "zeta");
        assertThat(o.messageAnalysis().get(0).get(15)).isEqualTo("1002");
    }

    // ---- §2.6 streaks
    // ----------------------------------------------------------------------------

    static final List<Message> SAM =
            List.of(
                    msg("1", "Sam", "hi", ms("2026-11-01T12:00:00Z")),
                    msg("2", "Sam", "hi", ms("2026-11-02T12:00:00Z")),
                    msg("3", "Sam", "hi", ms("2026-11-03T12:00:00Z")),
                    msg("5", "Sam", "hi", ms("2026-11-05T12:00:00Z")),
                    msg("6", "Sam", "hi", ms("2026-11-06T12:00:00Z")));

    @Test
    void streaksAtAnInstant() {
        ChatBatchOracle o = new ChatBatchOracle(SAM, UTC, 90, Set.of());
        assertThat(o.streakAt("sam", ms("2026-11-06T12:00:00Z")))
                .isEqualTo(row("sam", 2, 3, "2026-11-06", "2026-11-05", 5, 3, 5));
        // A run ending yesterday is still current.
        assertThat(o.streakAt("sam", ms("2026-11-07T23:59:59.999Z")))
                .isEqualTo(row("sam", 2, 3, "2026-11-06", "2026-11-05", 5, 3, 5));
        assertThat(o.streakAt("sam", ms("2026-11-08T00:00:00Z")))
                .isEqualTo(row("sam", 0, 3, "2026-11-06", null, 5, 3, 5));
    }

    @Test
    void streakWindowIsCutAtTodayMinusRetention() {
        ChatBatchOracle three = new ChatBatchOracle(SAM, UTC, 3, Set.of());
        // window ≥ 11-03: {3, 5, 6}
        assertThat(three.streakAt("sam", ms("2026-11-06T12:00:00Z")))
                .isEqualTo(row("sam", 2, 2, "2026-11-06", "2026-11-05", 3, 3, 5));
        // window ≥ 11-04: {5, 6}
        assertThat(three.streakAt("sam", ms("2026-11-07T12:00:00Z")))
                .isEqualTo(row("sam", 2, 2, "2026-11-06", "2026-11-05", 2, 3, 5));
        // window ≥ 11-07 is empty, but best_streak is never less than current_streak
        ChatBatchOracle zero = new ChatBatchOracle(SAM, UTC, 0, Set.of());
        assertThat(zero.streakAt("sam", ms("2026-11-07T12:00:00Z")))
                .isEqualTo(row("sam", 2, 2, "2026-11-06", "2026-11-05", 0, 3, 5));
    }

    @Test
    void streakDaysAreInTheZone() {
        List<Message> m =
                List.of(
                        msg("1", "syd", "hi", ms("2026-11-05T12:30:00Z")), // 23:30 on the 5th
                        msg("2", "syd", "hi", ms("2026-11-05T13:30:00Z"))); // 00:30 on the 6th
        assertThat(
                        new ChatBatchOracle(m, SYDNEY, 90, Set.of())
                                .streakAt("syd", ms("2026-11-05T13:30:00Z")))
                .isEqualTo(row("syd", 2, 2, "2026-11-06", "2026-11-05", 2, 2, 2));
        assertThat(new ChatBatchOracle(m, UTC, 90, Set.of()).streakAt("syd", m.get(1).ts()))
                .isEqualTo(row("syd", 1, 1, "2026-11-05", "2026-11-05", 1, 1, 1));
    }

    // ---- §2.9 achievements
    // -----------------------------------------------------------------------

    static List<Message> daily(String user, String text, int count, String firstIso) {
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(msg(user + ":" + i, user, text, ms(firstIso) + i * DAY));
        }
        return out;
    }

    @Test
    void achievementsOfAHundredDailyNightQuestions() {
        List<Message> m = daily("bob", "ok?", 100, "2026-01-01T01:00:00Z");
        ChatBatchOracle o = utc(m);
        long t0 = m.get(0).ts();
        assertThat(o.achievements())
                .containsExactly(
                        row("bob", "active_days", "bronze", t0 + 9 * DAY, null),
                        row("bob", "active_days", "silver", t0 + 49 * DAY, null),
                        row("bob", "message_count", "bronze", t0 + 99 * DAY, null),
                        row("bob", "night_owl", "bronze", t0 + 49 * DAY, null),
                        row("bob", "question_asker", "bronze", t0 + 49 * DAY, null),
                        row("bob", "streak_days", "bronze", t0 + 6 * DAY, null),
                        row("bob", "streak_days", "gold", t0 + 99 * DAY, null),
                        row("bob", "streak_days", "silver", t0 + 29 * DAY, null));
        assertThat(o.achievementProgress())
                .containsExactly(
                        row("bob", "active_days", 100, "gold", 200, "50.0"),
                        row("bob", "caps_lock", 0, "bronze", 20, "0.0"),
                        row("bob", "early_bird", 0, "bronze", 50, "0.0"),
                        row("bob", "emoji_user", 0, "bronze", 100, "0.0"),
                        row("bob", "link_sharer", 0, "bronze", 25, "0.0"),
                        row("bob", "longest_msg", 3, "bronze", 100, "3.0"),
                        row("bob", "message_count", 100, "silver", 1000, "10.0"),
                        row("bob", "night_owl", 100, "silver", 250, "40.0"),
                        row("bob", "question_asker", 100, "silver", 250, "40.0"),
                        row("bob", "streak_days", 100, "diamond", 365, "27.4"),
                        row("bob", "vocabulary", 1, "bronze", 500, "0.2"),
                        row("bob", "word_count", 100, "bronze", 1000, "10.0"));
    }

    /** 140 afternoon messages, then {@code night} messages at 02:xx the next day, in ts order. */
    static List<Message> owl(int night) {
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < 140; i++) {
            out.add(msg("a" + i, "owl", "hey", ms("2026-01-01T12:00:00Z") + i * 60_000L));
        }
        for (int i = 0; i < night; i++) {
            out.add(msg("n" + i, "owl", "hey", ms("2026-01-02T02:00:00Z") + i * 10_000L));
        }
        return out;
    }

    static List<String> progress(ChatBatchOracle o, String type) {
        return o.achievementProgress().stream()
                .filter(r -> r.get(1).equals(type))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void nightOwlNeedsTheStoredScoreAboveThirty() {
        // After 60 night messages the score is 100 · 60 / 200 = 30.0: not above 30.
        ChatBatchOracle sixty = utc(owl(60));
        assertThat(sixty.achievements()).extracting(r -> r.get(1)).doesNotContain("night_owl");
        assertThat(progress(sixty, "night_owl"))
                .isEqualTo(row("owl", "night_owl", 60, "bronze", 50, "100.0"));
        // The 61st: 6100 / 201 = 30.3.
        List<Message> m = owl(61);
        ChatBatchOracle o = utc(m);
        assertThat(o.achievements())
                .filteredOn(r -> r.get(1).equals("night_owl"))
                .containsExactly(row("owl", "night_owl", "bronze", m.get(200).ts(), null));
        assertThat(progress(o, "night_owl"))
                .isEqualTo(row("owl", "night_owl", 61, "silver", 250, "24.4"));
        // SPEC §2.9: judged in (ts, id) order, so arriving night-first changes nothing (in
        // arrival order the 50th night message would already have qualified).
        List<Message> reversed = new ArrayList<>(m);
        Collections.reverse(reversed);
        assertThat(utc(reversed).achievements())
                .filteredOn(r -> r.get(1).equals("night_owl"))
                .containsExactly(row("owl", "night_owl", "bronze", m.get(200).ts(), null));
        assertThat(utc(reversed).achievements())
                .filteredOn(r -> r.get(1).equals("early_bird"))
                .isEmpty();
    }

    @Test
    void allTiersAtOnceAndDiamondProgress() {
        Message essay = msg("1", "essay", "x".repeat(1000), 777);
        ChatBatchOracle o = utc(List.of(essay));
        assertThat(o.achievements())
                .containsExactly(
                        row("essay", "longest_msg", "bronze", 777, null),
                        row("essay", "longest_msg", "diamond", 777, null),
                        row("essay", "longest_msg", "gold", 777, null),
                        row("essay", "longest_msg", "silver", 777, null));
        assertThat(progress(o, "longest_msg"))
                .isEqualTo(row("essay", "longest_msg", 1000, null, null, "100.0"));
    }

    @Test
    void excludedSendersOnlyGetMessageAndWordCountAchievements() {
        List<Message> m =
                new ArrayList<>(
                        daily("Dazza", "hi there!! 😀 https://x.io?", 100, "2026-01-01T01:00:00Z"));
        ChatBatchOracle o = utc(m);
        assertThat(o.achievements())
                .containsExactly(row("dazza", "message_count", "bronze", m.get(99).ts(), null));
        assertThat(o.achievementProgress())
                .containsExactly(
                        row("dazza", "message_count", 100, "silver", 1000, "10.0"),
                        row("dazza", "word_count", 300, "bronze", 1000, "30.0"));
        assertThat(o.dailyActivity()).isEmpty();
        assertThat(o.activeHours()).isEmpty();
        assertThat(o.activitySummary()).isEmpty();
        assertThat(o.messageAnalysis()).isEmpty();
        assertThat(o.vocabulary()).isEmpty();
        assertThat(o.streakUsers()).isEmpty();
        assertThat(o.userStats()).hasSize(1);
    }

    @Test
    void streakAchievementUsesTheLongestRunSoFar() {
        // 7 days, a gap, then 3 days: bronze on day 7; the later shorter run changes nothing.
        List<Message> m = new ArrayList<>(daily("r", "yo", 7, "2026-03-01T12:00:00Z"));
        m.addAll(
                daily("r", "yo", 3, "2026-03-10T12:00:00Z").stream()
                        .map(x -> msg("late" + x.id(), x.username(), x.text(), x.ts()))
                        .toList());
        ChatBatchOracle o = utc(m);
        assertThat(o.achievements())
                .filteredOn(r -> r.get(1).equals("streak_days"))
                .containsExactly(row("r", "streak_days", "bronze", m.get(6).ts(), null));
        assertThat(o.achievements())
                .filteredOn(r -> r.get(1).equals("active_days"))
                .containsExactly(row("r", "active_days", "bronze", m.get(9).ts(), null));
        assertThat(progress(o, "streak_days"))
                .isEqualTo(row("r", "streak_days", 7, "silver", 30, "23.3"));
    }

    // ---- input helpers
    // ---------------------------------------------------------------------------

    @Test
    void firstDeliveriesDropRepeatsAndDefaultNothing() {
        List<String> lines =
                Arrays.asList(
                        "{\"id\":\"b\",\"room\":\"r\",\"username\":\"B\",\"text\":\"x\",\"ts\":2}",
                        "{\"id\":\"a\",\"username\":\"A\",\"text\":\"\",\"ts\":1}",
                        "{\"id\":\"b\",\"room\":\"r\",\"username\":\"B\",\"text\":\"x\",\"ts\":2}");
        assertThat(ChatBatchOracle.firstDeliveries(lines))
                .containsExactly(
                        new Message("b", "r", "B", "x", 2), new Message("a", null, "A", "", 1));
    }

    @Test
    void generatedStreamAgreesWithTheTwoTableOracle() {
        ChatStream s = ChatStream.generate(7, 500, 5, ms("2026-10-01T00:00:00Z"));
        List<Message> first = ChatBatchOracle.firstDeliveries(s.lines);
        assertThat(first).containsExactlyInAnyOrderElementsOf(s.messages);
        ChatBatchOracle o = new ChatBatchOracle(first, SYDNEY, 90, Set.of("dazza"));
        assertThat(o.userStats()).isEqualTo(ChatOracle.userStats(s.messages));
        assertThat(o.dailyActivity())
                .isEqualTo(ChatOracle.dailyActivity(s.messages, SYDNEY, Set.of("dazza")));
        assertThat(o.userStats()).extracting(r -> r.get(0)).contains("[server]", "dazza", "chloé");
        for (List<List<String>> table :
                List.of(
                        o.activeHours(),
                        o.activitySummary(),
                        o.messageAnalysis(),
                        o.vocabulary())) {
            assertThat(table).isNotEmpty();
            assertThat(table).extracting(r -> r.get(0)).doesNotContain("[server]");
        }
    }
}
