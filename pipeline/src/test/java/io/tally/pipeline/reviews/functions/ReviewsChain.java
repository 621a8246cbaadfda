package io.tally.pipeline.reviews.functions;

import io.tally.pipeline.reviews.ReviewFixtures;
import io.tally.pipeline.reviews.records.LeaderboardRow;
import io.tally.pipeline.reviews.records.PairContribution;
import io.tally.pipeline.reviews.records.R4rAlert;
import io.tally.pipeline.reviews.records.Review;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * The reviews pipeline's two keyed operators in test harnesses, {@link PairFunction} feeding {@link
 * UserScoreFunction} the way the job does: every contribution and every watermark the first emits
 * goes on to the second, in order. Snapshots both, so a test can crash and restore the chain.
 */
final class ReviewsChain implements AutoCloseable {
    /** A checkpoint of the chain: one state per operator. */
    record Checkpoint(OperatorSubtaskState pairs, OperatorSubtaskState scores) {}

    private final KeyedOneInputStreamOperatorTestHarness<String, Review, PairContribution> pairs;
    private final KeyedOneInputStreamOperatorTestHarness<String, PairContribution, LeaderboardRow>
            scores;
    private long checkpointId;

    ReviewsChain(Checkpoint restore) throws Exception {
        pairs =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new PairFunction(false)),
                        Review::pairKey,
                        Types.STRING);
        scores =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new UserScoreFunction()),
                        c -> c.userKey,
                        Types.STRING);
        if (restore != null) {
            pairs.initializeState(restore.pairs());
            scores.initializeState(restore.scores());
        }
        pairs.open();
        scores.open();
    }

    ReviewsChain() throws Exception {
        this(null);
    }

    void send(Review r) throws Exception {
        pairs.processElement(r, r.ts);
        forward();
    }

    void watermark(long time) throws Exception {
        pairs.processWatermark(new Watermark(time));
        forward();
    }

    /**
     * Advances the pair operator's watermark only: the score operator's stays where it was, as when
     * another pair subtask lags behind this one (its watermark is the minimum of its inputs'). The
     * contributions emitted are forwarded.
     */
    void watermarkOfThisPairSubtaskOnly(long time) throws Exception {
        pairs.processWatermark(new Watermark(time));
        forward(false);
    }

    private void forward() throws Exception {
        forward(true);
    }

    @SuppressWarnings("unchecked")
    private void forward(boolean watermarks) throws Exception {
        Object next;
        while ((next = pairs.getOutput().poll()) != null) {
            if (next instanceof StreamRecord<?> record) {
                scores.processElement((StreamRecord<PairContribution>) record);
            } else if (next instanceof Watermark w && watermarks) {
                scores.processWatermark(w);
            }
        }
    }

    /** Every operator's state, as an aligned checkpoint takes it: nothing is in flight here. */
    Checkpoint checkpoint() throws Exception {
        checkpointId++;
        return new Checkpoint(
                pairs.snapshot(checkpointId, checkpointId),
                scores.snapshot(checkpointId, checkpointId));
    }

    /** The alerts so far, as {@code user from→to score @minutes after t0}. */
    List<String> alerts(long t0) {
        var out = scores.getSideOutput(UserScoreFunction.ALERTS);
        if (out == null) {
            return List.of();
        }
        return out.stream().map(StreamRecord::getValue).map(a -> line(a, t0)).toList();
    }

    static String line(R4rAlert a, long t0) {
        return ReviewFixtures.shortName(a.userkey)
                + " "
                + a.from
                + "→"
                + a.to
                + " "
                + a.score
                + " @"
                + (a.at - t0) / 60_000L;
    }

    @Override
    public void close() throws Exception {
        pairs.close();
        scores.close();
    }
}
