package io.tally.pipeline.reviews.functions;

import io.tally.pipeline.reviews.logic.PairReviews;
import io.tally.pipeline.reviews.records.PairContribution;
import io.tally.pipeline.reviews.records.PairContribution.CountsIn;
import io.tally.pipeline.reviews.records.PairRow;
import io.tally.pipeline.reviews.records.Review;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by the unordered pair of users a review is between: the latest state of every review
 * between the two (SPEC §3.1: a later state of an id replaces earlier ones; a repeat changes
 * nothing), and from them the reciprocity of each user towards the other (SPEC §3.2). Pairing only
 * ever looks at the reviews between two users, so this state scales with the number of pairs and no
 * operator holds a user's whole history.
 *
 * <p>Each user gets two kinds of contribution. A {@link CountsIn#CURRENT current} one on every
 * review state, from all the pair's reviews: the leaderboard's sum. A {@link CountsIn#SETTLED
 * settled} one when the watermark passes a review's ts T (an event-time timer at T), from the
 * reviews with {@code ts ≤ T} only: the sum alerts are judged on (see {@link UserScoreFunction}).
 * The current contributions depend on the order the pair's reviews arrived in (they come from
 * different partitions); the settled ones do not, for input within the out-of-orderness bound. A
 * review state that arrives behind the watermark, or behind what the pair has already settled (a
 * replay after a restore, whose watermark starts again at {@code Long.MIN_VALUE}), is late: it gets
 * its settled contribution at once, from the reviews up to that time, stamped with it. At the end
 * of a bounded input the final watermark fires every timer: the settled contributions are events,
 * so they are all sent.
 *
 * <p>A review's author and subject are fixed for its id; a state naming other users would be a
 * different review.
 */
public final class PairFunction extends KeyedProcessFunction<String, Review, PairContribution> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<PairRow> PAIRS =
            new OutputTag<>("r4r-pairs", Types.POJO(PairRow.class));

    private final boolean v1Batch;

    private transient MapState<String, Review> reviews;
    private transient ValueState<Long> version;
    // The time the last settled contributions counted up to (null: none sent yet).
    private transient ValueState<Long> settledUpTo;

    /**
     * @param v1Batch pair under the older batch rules (any sentiment, quick ≤ 24 h, SPEC §3.3)
     */
    public PairFunction(boolean v1Batch) {
        this.v1Batch = v1Batch;
    }

    @Override
    public void open(OpenContext context) {
        reviews =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "reviews", Types.STRING, Types.POJO(Review.class)));
        version = getRuntimeContext().getState(new ValueStateDescriptor<>("version", Types.LONG));
        settledUpTo =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("settled-up-to", Types.LONG));
    }

    @Override
    public void processElement(Review r, Context ctx, Collector<PairContribution> out)
            throws Exception {
        reviews.put(r.id, r);
        long v = version.value() == null ? 1 : version.value() + 1;
        version.update(v);
        for (PairReviews.Share share :
                PairReviews.shares(
                        reviews.values(), r.authorKey, r.subjectKey, Long.MAX_VALUE, v1Batch)) {
            out.collect(contribution(share, CountsIn.CURRENT, r.ts));
            PairRow p = new PairRow();
            p.userkey = share.user();
            p.counterpart = share.counterpart();
            p.reciprocalGiven = share.inputs().reciprocal();
            p.version = v;
            ctx.output(PAIRS, p);
        }
        long watermark = ctx.timerService().currentWatermark();
        Long settled = settledUpTo.value();
        // Late: behind the watermark, or behind what this pair has already settled. The second is
        // what tells a restored job (its watermark starts again at Long.MIN_VALUE) that a replayed
        // late state is late: on a timer at r.ts it would settle the pair back to its reviews up
        // to r.ts, dropping the later ones from the user's settled sum (issue 9).
        long passed = settled == null ? watermark : Math.max(watermark, settled);
        if (r.ts > passed) {
            // Settled when the watermark passes r.ts (one timer per ts; Flink keeps one).
            ctx.timerService().registerEventTimeTimer(r.ts);
        } else {
            // What has been passed changed now. The contribution counts every review up to it, so
            // it is stamped with that time, not r.ts: downstream, where the watermark may still be
            // behind this one (another subtask lags), it must not be applied before the settled
            // contributions of the reviews between r.ts and here, or the sum would jump ahead and
            // fall back, each a spurious alert (issue 9).
            settle(r.authorKey, r.subjectKey, passed, out);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PairContribution> out)
            throws Exception {
        Review any = reviews.values().iterator().next();
        Long settled = settledUpTo.value();
        settle(
                any.authorKey,
                any.subjectKey,
                settled == null ? timestamp : Math.max(timestamp, settled),
                out);
    }

    /**
     * Sends both users' settled contributions, the reviews with ts ≤ {@code upTo}, at event time
     * {@code upTo}; a pair never settles back to an earlier time.
     */
    private void settle(String a, String b, long upTo, Collector<PairContribution> out)
            throws Exception {
        settledUpTo.update(upTo);
        for (PairReviews.Share share : PairReviews.shares(reviews.values(), a, b, upTo, v1Batch)) {
            out.collect(contribution(share, CountsIn.SETTLED, upTo));
        }
    }

    private static PairContribution contribution(
            PairReviews.Share share, CountsIn countsIn, long eventTime) {
        PairContribution c = new PairContribution();
        c.countsIn = countsIn;
        c.userKey = share.user();
        c.counterpartKey = share.counterpart();
        c.given = share.inputs().given();
        c.received = share.inputs().received();
        c.reciprocal = share.inputs().reciprocal();
        c.quick = share.inputs().quick();
        c.reciprocalDiffMillisSum = share.inputs().reciprocalDiffMillisSum();
        c.earliest = share.inputs().earliestMillis();
        Review label = share.label();
        if (label != null) {
            c.labelTs = label.ts;
            c.labelReviewId = label.id;
            boolean asAuthor = label.authorKey.equals(share.user());
            c.username = asAuthor ? label.authorUsername : label.subjectUsername;
            c.name = asAuthor ? label.authorName : label.subjectName;
        }
        c.eventTime = eventTime;
        return c;
    }
}
