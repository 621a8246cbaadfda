package io.tally.pipeline.testing;

import io.tally.pipeline.testing.ReviewStream.ReviewState;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A batch recomputation of the R4R leaderboard (SPEC §3.2, §3.3) from the valid review states,
 * written straight from the SPEC text and apart from the streaming code ({@code
 * io.tally.pipeline.reviews} is not used), so that it can catch the streaming code's bugs. Clarity
 * over speed: every evaluation scans every review.
 *
 * <p>Input: the valid review states in production order (for each id, its states in partition
 * order; bad records already removed). The latest state of an id replaces the earlier ones (§3.1).
 *
 * <p>Rows are {@code List<String>} cells as PostgreSQL's JDBC {@code getString} returns them for
 * {@code SELECT userkey, username, name, reviews_given, reviews_received, reciprocal_reviews,
 * farming_score, risk_level, quick_reciprocations, avg_reciprocal_time FROM leaderboard_entries}:
 * integers plain, {@code avg_reciprocal_time} NUMERIC(10,2) with exactly two decimals ({@code
 * 0.00}, {@code 1.25}, {@code 12.30}), SQL NULL = Java null (only for a label the state did not
 * carry).
 */
public final class R4rBatchOracle {

    /** §3.2: "quick" is |ts(g) − ts(m(g))| strictly below 1 797 120 ms (0.0208 days). */
    public static final long QUICK_MS = 1_797_120L;

    static final long DAY_MS = 86_400_000L;
    static final long HOUR_MS = 3_600_000L;

    /** Every intermediate value of one §3.2 evaluation, for tests and for diagnosing a mismatch. */
    public record Evaluation(
            String userkey,
            long asOf,
            int given,
            int received,
            int reciprocal,
            int quick,
            long sumReciprocalMs,
            double base,
            double volume,
            double ageDays,
            double rpd,
            double age,
            double ratio,
            double penalty,
            int score,
            String risk,
            long avgCents) {
        /** avg_reciprocal_time in hours, e.g. 1.25. */
        public double avgHours() {
            return avgCents / 100.0;
        }
    }

    /** The reciprocal given reviews of u (independent of asOf). */
    private record Reciprocity(int c, int q, long sumMs, TreeSet<String> subjects) {}

    /** All states, in list order (labels and "appears in any valid state" use every state). */
    private final List<ReviewState> all;

    /** id → its latest state (§3.1: the latest state of an id replaces earlier ones). */
    private final Map<String, ReviewState> latest = new LinkedHashMap<>();

    /** userkey → the state whose labels name it (largest ts; ties: larger id; then the later). */
    private final Map<String, Label> labels = new HashMap<>();

    private record Label(long ts, String id, String username, String name) {}

    public R4rBatchOracle(List<ReviewState> statesInOrder) {
        this.all = List.copyOf(statesInOrder);
        for (ReviewState s : all) {
            latest.put(s.id(), s);
            label(s.authorKey(), new Label(s.ts(), s.id(), s.authorUsername(), s.authorName()));
            label(s.subjectKey(), new Label(s.ts(), s.id(), s.subjectUsername(), s.subjectName()));
        }
    }

    private void label(String userkey, Label candidate) {
        Label best = labels.get(userkey);
        // §3.3: largest ts; ties: larger review id (as strings, like §3.2); the same id twice (an
        // edit, same ts): the later state in partition order.
        if (best == null
                || candidate.ts() > best.ts()
                || (candidate.ts() == best.ts() && candidate.id().compareTo(best.id()) >= 0)) {
            labels.put(userkey, candidate);
        }
    }

    /** Every userkey of any valid state (author or subject, archived or not), Java String order. */
    public List<String> userkeys() {
        TreeSet<String> keys = new TreeSet<>();
        for (ReviewState s : all) {
            keys.add(s.authorKey());
            keys.add(s.subjectKey());
        }
        return new ArrayList<>(keys);
    }

    /** The largest {@code ts} among the states naming the userkey in either role. */
    public long lastEventTime(String userkey) {
        long max = Long.MIN_VALUE;
        for (ReviewState s : all) {
            if (s.authorKey().equals(userkey) || s.subjectKey().equals(userkey)) {
                max = Math.max(max, s.ts());
            }
        }
        if (max == Long.MIN_VALUE) {
            throw new IllegalArgumentException("no valid review state names " + userkey);
        }
        return max;
    }

    /** The §3.3 row cells at {@code asOf} (see the class comment for the columns and format). */
    public List<String> rowAt(String userkey, long asOfMillis) {
        Evaluation e = evaluate(userkey, asOfMillis);
        Label l = labels.get(userkey);
        return Collections.unmodifiableList(
                Arrays.asList(
                        userkey,
                        l.username(),
                        l.name(),
                        Integer.toString(e.given()),
                        Integer.toString(e.received()),
                        Integer.toString(e.reciprocal()),
                        Integer.toString(e.score()),
                        e.risk(),
                        Integer.toString(e.quick()),
                        numeric2(e.avgCents())));
    }

    /** §3.2 risk level at {@code asOf}. */
    public String riskAt(String userkey, long asOfMillis) {
        return evaluate(userkey, asOfMillis).risk();
    }

    /** §3.2 score at {@code asOf}. */
    public int scoreAt(String userkey, long asOfMillis) {
        return evaluate(userkey, asOfMillis).score();
    }

    /** The active (latest, not archived) reviews u gave. */
    List<ReviewState> given(String userkey) {
        List<ReviewState> out = new ArrayList<>();
        for (ReviewState s : latest.values()) {
            if (!s.archived() && s.authorKey().equals(userkey)) {
                out.add(s);
            }
        }
        return out;
    }

    /** The active (latest, not archived) reviews u received. */
    List<ReviewState> received(String userkey) {
        List<ReviewState> out = new ArrayList<>();
        for (ReviewState s : latest.values()) {
            if (!s.archived() && s.subjectKey().equals(userkey)) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * §3.2 m(g): the newest review in R whose author is g's subject (ties on ts: the larger review
     * id, compared as strings); null if none.
     */
    static ReviewState match(ReviewState g, List<ReviewState> r) {
        ReviewState m = null;
        for (ReviewState x : r) {
            if (!x.authorKey().equals(g.subjectKey())) {
                continue;
            }
            if (m == null
                    || x.ts() > m.ts()
                    || (x.ts() == m.ts() && x.id().compareTo(m.id()) > 0)) {
                m = x;
            }
        }
        return m;
    }

    static boolean isReciprocal(ReviewState g, ReviewState m) {
        return m != null && "positive".equals(g.sentiment()) && "positive".equals(m.sentiment());
    }

    /** §3.2 for user u at {@code asOf}, every step in double precision left to right. */
    public Evaluation evaluate(String userkey, long asOf) {
        if (!labels.containsKey(userkey)) {
            throw new IllegalArgumentException("no valid review state names " + userkey);
        }
        long last = lastEventTime(userkey);
        if (asOf < last) {
            throw new IllegalArgumentException(
                    "asOf " + asOf + " is before " + userkey + "'s last event time " + last);
        }
        List<ReviewState> g = given(userkey);
        List<ReviewState> r = received(userkey);
        if (r.isEmpty()) {
            // §3.2: |R| = 0 → score 0, risk low, every derived field 0 (|G| is still counted).
            return new Evaluation(
                    userkey, asOf, g.size(), 0, 0, 0, 0L, 0, 0, 0, 0, 0, 0, 0, 0, "low", 0L);
        }
        Reciprocity rec = reciprocity(g, r);
        int c = rec.c();
        int q = rec.q();
        long sumMs = rec.sumMs();
        int nG = g.size();
        int nR = r.size();

        double base = Math.min(100.0 * c / nR, 65.0);

        double volume;
        if (c >= 50) {
            volume = 1.2;
        } else if (c >= 20) {
            volume = 1.15;
        } else if (c >= 10) {
            volume = 1.05;
        } else {
            volume = 1.0;
        }

        long earliest = Long.MAX_VALUE;
        for (ReviewState x : g) {
            earliest = Math.min(earliest, x.ts());
        }
        for (ReviewState x : r) {
            earliest = Math.min(earliest, x.ts());
        }
        double ageDays = (double) (asOf - earliest) / 86_400_000.0;
        double rpd = (double) (nG + nR) / Math.max(ageDays, 1.0);
        double age;
        if (rpd > 10 && ageDays < 30) {
            age = 1.4;
        } else if (rpd > 5 && ageDays < 60) {
            age = 1.25;
        } else if (rpd > 2 && ageDays < 90) {
            age = 1.1;
        } else {
            age = 1.0;
        }

        double ratio = c == 0 ? 0.0 : (double) q / c;
        double penalty;
        if (ratio >= 0.8 && q >= 3) {
            penalty = 10 + 5 * ratio;
        } else if (ratio >= 0.6 && q >= 3) {
            penalty = 8 + 4 * ratio;
        } else if (ratio >= 0.4 && q >= 2) {
            penalty = 5 + 3 * ratio;
        } else if (ratio >= 0.2 && q >= 2) {
            penalty = 2 + 2 * ratio;
        } else {
            penalty = 0.0;
        }

        // Java evaluates this left to right: ((base · volume) · age + penalty) + 0.5.
        double raw = base * volume * age + penalty + 0.5;
        int score = (int) Math.min(Math.floor(raw), 100.0);
        String risk = score >= 70 ? "high" : score >= 40 ? "moderate" : "low";

        return new Evaluation(
                userkey,
                asOf,
                nG,
                nR,
                c,
                q,
                sumMs,
                base,
                volume,
                ageDays,
                rpd,
                age,
                ratio,
                penalty,
                score,
                risk,
                avgCents(sumMs, c));
    }

    /**
     * §3.2 avg_reciprocal_time in hundredths of an hour: floor(100·h + 0.5) with h = sumMs / C / 3
     * 600 000 taken EXACTLY (integer arithmetic), i.e. true half-up. Decision: the SPEC mandates
     * double precision for the score only; in doubles an exact half-cent can round down (0.145 h =
     * 522 000 ms gives 0.14), so {@link #avgOnHalfCent} flags that case and the generator never
     * produces it.
     */
    static long avgCents(long sumMs, int c) {
        if (c == 0) {
            return 0;
        }
        // floor(sumMs / (36 000·C) + 1/2) = floor((2·sumMs + 36 000·C) / (72 000·C))
        return Math.floorDiv(Math.addExact(Math.multiplyExact(2, sumMs), 36_000L * c), 72_000L * c);
    }

    /**
     * True when u's exact mean lies on a half-cent of an hour (…5 in the third decimal), where a
     * double-precision implementation may round down instead of up. Independent of asOf.
     */
    public boolean avgOnHalfCent(String userkey) {
        List<ReviewState> r = received(userkey);
        if (r.isEmpty()) {
            return false;
        }
        Reciprocity rec = reciprocity(given(userkey), r);
        long unit = 36_000L * rec.c();
        return rec.c() > 0 && Math.floorMod(rec.sumMs(), unit) == unit / 2;
    }

    private static Reciprocity reciprocity(List<ReviewState> g, List<ReviewState> r) {
        int c = 0;
        int q = 0;
        long sumMs = 0;
        TreeSet<String> subjects = new TreeSet<>();
        for (ReviewState gi : g) {
            ReviewState m = match(gi, r);
            if (isReciprocal(gi, m)) {
                c++;
                long diff = Math.abs(gi.ts() - m.ts());
                sumMs += diff;
                if (diff < QUICK_MS) {
                    q++;
                }
                subjects.add(gi.subjectKey());
            }
        }
        return new Reciprocity(c, q, sumMs, subjects);
    }

    /**
     * §3.2 high_risk_r4rs: the number of distinct subjects v of u's reciprocal given reviews whose
     * current score ({@code scoreByUserkey}, e.g. read back from {@code farming_score}) is ≥ {@code
     * threshold}. Reciprocity depends only on the latest states, not on {@code asOf}. A subject
     * missing from the map is an error (every subject has a row, §3.3).
     */
    public int highRiskR4rs(String userkey, Map<String, Integer> scoreByUserkey, int threshold) {
        List<ReviewState> r = received(userkey);
        if (r.isEmpty()) {
            return 0;
        }
        int n = 0;
        for (String v : reciprocity(given(userkey), r).subjects()) {
            Integer score = scoreByUserkey.get(v);
            if (score == null) {
                throw new IllegalArgumentException("no score given for subject " + v);
            }
            if (score >= threshold) {
                n++;
            }
        }
        return n;
    }

    /** A NUMERIC(10,2) cell as {@code getString} shows it: always two decimals (0.00, 12.30). */
    static String numeric2(long hundredths) {
        return BigDecimal.valueOf(hundredths, 2).toPlainString();
    }
}
