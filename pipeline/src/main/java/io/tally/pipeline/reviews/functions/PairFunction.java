package io.tally.pipeline.reviews.functions;

import io.tally.pipeline.reviews.logic.R4rInputs;
import io.tally.pipeline.reviews.logic.R4rV1Batch;
import io.tally.pipeline.reviews.logic.Reciprocity;
import io.tally.pipeline.reviews.logic.ReviewRef;
import io.tally.pipeline.reviews.records.PairContribution;
import io.tally.pipeline.reviews.records.PairRow;
import io.tally.pipeline.reviews.records.Review;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    }

    @Override
    public void processElement(Review r, Context ctx, Collector<PairContribution> out)
            throws Exception {
        reviews.put(r.id, r);
        long v = version.value() == null ? 1 : version.value() + 1;
        version.update(v);
        String a = r.authorKey;
        String b = r.subjectKey;
        List<ReviewRef> aToB = new ArrayList<>();
        List<ReviewRef> bToA = new ArrayList<>();
        Review labelA = null;
        Review labelB = null;
        for (Map.Entry<String, Review> e : reviews.entries()) {
            Review x = e.getValue();
            labelA = newer(labelA, x);
            labelB = newer(labelB, x);
            if (x.archived) {
                continue;
            }
            ReviewRef ref = new ReviewRef(x.id, x.ts, x.isPositive());
            (x.authorKey.equals(a) ? aToB : bToA).add(ref);
        }
        emit(a, b, pair(aToB, bToA), labelA, r.ts, v, ctx, out);
        emit(b, a, pair(bToA, aToB), labelB, r.ts, v, ctx, out);
    }

    private R4rInputs pair(List<ReviewRef> given, List<ReviewRef> received) {
        return v1Batch ? R4rV1Batch.forUser(given, received) : Reciprocity.forUser(given, received);
    }

    private static void emit(
            String user,
            String counterpart,
            R4rInputs in,
            Review label,
            long eventTime,
            long version,
            Context ctx,
            Collector<PairContribution> out) {
        PairContribution c = new PairContribution();
        c.userKey = user;
        c.counterpartKey = counterpart;
        c.given = in.given();
        c.received = in.received();
        c.reciprocal = in.reciprocal();
        c.quick = in.quick();
        c.reciprocalDiffMillisSum = in.reciprocalDiffMillisSum();
        c.earliest = in.earliestMillis();
        c.labelTs = label.ts;
        c.labelReviewId = label.id;
        boolean asAuthor = label.authorKey.equals(user);
        c.username = asAuthor ? label.authorUsername : label.subjectUsername;
        c.name = asAuthor ? label.authorName : label.subjectName;
        c.eventTime = eventTime;
        out.collect(c);

        PairRow p = new PairRow();
        p.userkey = user;
        p.counterpart = counterpart;
        p.reciprocalGiven = in.reciprocal();
        p.version = version;
        ctx.output(PAIRS, p);
    }

    /** SPEC §3.3: labels come from the state with the largest ts (ties: larger review id). */
    static Review newer(Review current, Review candidate) {
        if (current == null
                || candidate.ts > current.ts
                || (candidate.ts == current.ts && candidate.id.compareTo(current.id) > 0)) {
            return candidate;
        }
        return current;
    }
}
