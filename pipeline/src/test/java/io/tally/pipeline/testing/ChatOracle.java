package io.tally.pipeline.testing;

import io.tally.pipeline.chat.WordCounter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An independent batch computation of SPEC §2.4 and §2.5 over distinct messages, written apart from
 * the streaming code (only the §2.3 word count, itself unit-tested against the SPEC, is shared).
 */
public final class ChatOracle {
    private ChatOracle() {}

    static String userKey(String username) {
        StringBuilder b = new StringBuilder();
        username.chars().forEach(c -> b.append((char) (c >= 'A' && c <= 'Z' ? c + 32 : c)));
        return b.toString();
    }

    static boolean excluded(String key, Set<String> bots) {
        return bots.contains(key)
                || (key.length() >= 2 && key.startsWith("[") && key.endsWith("]"));
    }

    public static List<List<String>> userStats(List<ChatStream.Message> messages) {
        Map<String, long[]> by = new TreeMap<>();
        for (ChatStream.Message m : messages) {
            long[] a =
                    by.computeIfAbsent(
                            userKey(m.username()),
                            k -> new long[] {0, 0, Long.MAX_VALUE, Long.MIN_VALUE});
            a[0]++;
            a[1] += WordCounter.count(m.text());
            a[2] = Math.min(a[2], m.ts());
            a[3] = Math.max(a[3], m.ts());
        }
        List<List<String>> rows = new ArrayList<>();
        by.forEach(
                (k, a) ->
                        rows.add(
                                List.of(k, "" + a[0], "" + a[1], "" + a[2], "" + a[3], "" + a[0])));
        return rows;
    }

    public static List<List<String>> dailyActivity(
            List<ChatStream.Message> messages, ZoneId zone, Set<String> bots) {
        Map<String, Map<LocalDate, long[]>> by = new TreeMap<>();
        for (ChatStream.Message m : messages) {
            String key = userKey(m.username());
            if (excluded(key, bots)) {
                continue;
            }
            LocalDate date = Instant.ofEpochMilli(m.ts()).atZone(zone).toLocalDate();
            long[] a =
                    by.computeIfAbsent(key, k -> new TreeMap<>())
                            .computeIfAbsent(
                                    date,
                                    d -> new long[] {0, 0, Long.MAX_VALUE, Long.MIN_VALUE, 0});
            a[0]++;
            a[1] += WordCounter.count(m.text());
            a[2] = Math.min(a[2], m.ts());
            a[3] = Math.max(a[3], m.ts());
            a[4] += m.text().codePointCount(0, m.text().length());
        }
        List<List<String>> rows = new ArrayList<>();
        by.forEach(
                (k, days) ->
                        days.forEach(
                                (d, a) ->
                                        rows.add(
                                                List.of(
                                                        k,
                                                        d.toString(),
                                                        "" + a[0],
                                                        "" + a[1],
                                                        "" + a[2],
                                                        "" + a[3],
                                                        // SPEC §2.12 round1 = floor(10x + 0.5) / 10
                                                        BigDecimal.valueOf(
                                                                        Math.floor(
                                                                                        10.0
                                                                                                        * a[
                                                                                                                4]
                                                                                                        / a[
                                                                                                                0]
                                                                                                + 0.5)
                                                                                / 10)
                                                                .setScale(
                                                                        1, RoundingMode.UNNECESSARY)
                                                                .toPlainString(),
                                                        "" + a[0]))));
        return rows;
    }
}
