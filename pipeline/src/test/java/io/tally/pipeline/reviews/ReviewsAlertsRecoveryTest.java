package io.tally.pipeline.reviews;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tally.connectors.kafka.ParsedRecord;
import io.tally.connectors.testing.KafkaBrokerExtension;
import io.tally.connectors.testing.PostgresExtension;
import io.tally.pipeline.app.KafkaSources;
import io.tally.pipeline.app.TallySources;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.reviews.records.Review;
import io.tally.pipeline.testing.Db;
import io.tally.pipeline.testing.FlinkTestCluster;
import io.tally.pipeline.testing.JobRunner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 9, SPEC §3.5 and §1.8, end to end at parallelism 2: a reviews job that fails mid-stream and
 * restarts from its last checkpoint publishes and stores exactly the alerts of a failure-free run
 * of the same input — no second row in {@code r4r_alerts}, no second message on {@code r4r-alerts},
 * and the same {@code at}, level and score for every alert. The input is out of order within the
 * out-of-orderness bound (the contract the watermark expresses), spread over four partitions, with
 * edits, rings of quick reciprocal reviews, and twenty days of event time so that multiplier
 * changes (SPEC §3.4) raise alerts too.
 */
class ReviewsAlertsRecoveryTest {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create();
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final PostgresExtension FAILURE_FREE = new PostgresExtension();
    @RegisterExtension static final PostgresExtension WITH_FAILURE = new PostgresExtension();

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final long MINUTE = 60_000L;
    static final long DAY = 86_400_000L;
    static final Duration BOUND = Duration.ofMinutes(30);

    static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
    static final AtomicBoolean FAILED = new AtomicBoolean();
    static final AtomicLong SEEN = new AtomicLong();
    static volatile long failAfter;

    /** Throws once, after a checkpoint completed and well after it. */
    static final class FailOnce
            implements MapFunction<ParsedRecord<Review>, ParsedRecord<Review>>, CheckpointListener {
        @Override
        public ParsedRecord<Review> map(ParsedRecord<Review> r) throws Exception {
            long n = SEEN.incrementAndGet();
            if (!CHECKPOINTED.get()) {
                Thread.sleep(2); // let a checkpoint complete before the input runs out
            } else if (n > failAfter && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after " + n + " records");
            }
            return r;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTED.set(true);
        }
    }

    record State(
            String id,
            String author,
            String subject,
            String sentiment,
            long ts,
            boolean archived,
            double position) {}

    /**
     * Review states over twenty days: rings of three new accounts reviewing each other quickly and
     * positively (high, then lower as the age multiplier drops), and other users reviewing at
     * random. Produced in event-time order with up to 10 minutes of jitter, and edits up to 10
     * minutes after their creation, so nothing is later than the 30-minute bound.
     */
    static List<State> generate(long start) {
        Random r = new Random(20261207);
        List<State> states = new ArrayList<>();
        int id = 0;
        for (int ring = 0; ring < 6; ring++) {
            long ringStart = start + ring * 3 * DAY + r.nextInt(1000) * MINUTE;
            for (int k = 0; k < 18; k++) {
                int a = ring * 3 + k % 3;
                int b = ring * 3 + (k + 1 + k / 3 % 2) % 3;
                long ts = ringStart + k * 20 * MINUTE + r.nextInt(10) * MINUTE;
                states.add(state(r, "r" + id++, a, b, "positive", ts));
            }
        }
        for (int i = 0; i < 900; i++) {
            int a = 18 + r.nextInt(30);
            int b = r.nextInt(48);
            if (a == b) {
                continue;
            }
            long ts = start + (long) (r.nextDouble() * 20 * DAY);
            String sentiment = r.nextInt(4) == 0 ? "negative" : "positive";
            State s = state(r, "r" + id++, a, b, sentiment, ts);
            states.add(s);
            if (r.nextInt(8) == 0) {
                // An edit or an archive, a few minutes after the creation, with its ts (SPEC §3.1).
                boolean archive = r.nextBoolean();
                states.add(
                        new State(
                                s.id(),
                                s.author(),
                                s.subject(),
                                archive ? s.sentiment() : "neutral",
                                s.ts(),
                                archive,
                                s.position() + r.nextInt(10) * MINUTE + 1));
            }
        }
        states.sort(Comparator.comparingDouble(State::position));
        return states;
    }

    static State state(Random r, String id, int author, int subject, String sentiment, long ts) {
        return new State(
                id,
                "service:x.com:" + author,
                "service:x.com:" + subject,
                sentiment,
                ts,
                false,
                ts + r.nextInt(10) * MINUTE);
    }

    static String json(State s) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", s.id());
        ObjectNode author = n.putObject("author");
        author.put("userkey", s.author());
        author.put("username", "u" + s.author().substring(s.author().lastIndexOf(':') + 1));
        ObjectNode subject = n.putObject("subject");
        subject.put("userkey", s.subject());
        subject.put("username", "u" + s.subject().substring(s.subject().lastIndexOf(':') + 1));
        n.put("sentiment", s.sentiment());
        n.put("ts", Instant.ofEpochMilli(s.ts()).toString());
        n.put("archived", s.archived());
        return n.toString();
    }

    static TallyConfig config(String suffix, String jdbcUrl) {
        return JobRunner.config(
                KAFKA.bootstrapServers(),
                jdbcUrl,
                suffix,
                Map.of(
                        "pipelines", "reviews",
                        "topic-reviews", "reviews-alerts-" + suffix,
                        "topic-alerts", "alerts-" + suffix + "-" + jdbcUrl.hashCode(),
                        "max-out-of-orderness", BOUND.toMillis() + "ms"));
    }

    static final String ALERTS =
            "SELECT userkey, (extract(epoch from at)*1000)::bigint::text, from_level, to_level,"
                    + " score::text FROM r4r_alerts ORDER BY 1, 2, 4";

    @Test
    void aJobThatFailsMidStreamWritesAndPublishesTheAlertsOfAFailureFreeRun() throws Exception {
        long start = Instant.parse("2026-09-01T00:00:00Z").toEpochMilli();
        List<State> states = generate(start);
        String suffix = "alerts" + System.nanoTime();
        TallyConfig failureFree = config(suffix, FAILURE_FREE.jdbcUrl());
        TallyConfig withFailure = config(suffix, WITH_FAILURE.jdbcUrl());
        KAFKA.createTopics(
                4,
                failureFree.reviewsTopic,
                failureFree.deadLetterTopic,
                failureFree.alertsTopic,
                withFailure.alertsTopic);
        for (State s : states) {
            KAFKA.produce(
                    failureFree.reviewsTopic, s.id(), json(s).getBytes(StandardCharsets.UTF_8));
        }

        JobRunner.runBounded(failureFree);
        List<List<String>> expected = Db.rows(FAILURE_FREE.jdbcUrl(), ALERTS);

        failAfter = states.size() * 6L / 10;
        TallySources failing =
                new KafkaSources(withFailure) {
                    @Override
                    public DataStream<ParsedRecord<Review>> reviews(
                            StreamExecutionEnvironment env) {
                        return super.reviews(env)
                                .map(new FailOnce())
                                .returns(ParsedRecord.typeInfo(Types.POJO(Review.class)))
                                .name("Inject one failure");
                    }
                };
        JobRunner.runBounded(withFailure.with(Map.of("group-id", "failing-" + suffix)), failing);
        assertThat(FAILED).as("the failure was injected").isTrue();
        assertThat(SEEN.get()).as("records were replayed").isGreaterThan(states.size());

        assertThat(Db.rows(WITH_FAILURE.jdbcUrl(), ALERTS))
                .as("r4r_alerts after a failure and restore")
                .containsExactlyElementsOf(expected);
        assertThat(published(withFailure))
                .as("r4r-alerts messages after a failure and restore, each once")
                .containsExactlyInAnyOrderElementsOf(published(failureFree));
        assertThat(published(failureFree)).hasSameSizeAs(expected);

        // Alerts of every kind: a first evaluation, a ring member rising, and levels falling at a
        // multiplier change (an instant that is no review's ts).
        Set<Long> reviewTimes = new HashSet<>();
        states.forEach(s -> reviewTimes.add(s.ts()));
        assertThat(expected).hasSizeGreaterThan(50); // 73 with this seed
        assertThat(expected).extracting(a -> a.get(3)).contains("moderate", "high", "low");
        assertThat(expected)
                .as("alerts at a multiplier change (SPEC §3.4)")
                .anySatisfy(a -> assertThat(reviewTimes).doesNotContain(Long.parseLong(a.get(1))));
    }

    /** The messages on the alerts topic (read committed), as (userkey, at, from, to, score). */
    static List<List<String>> published(TallyConfig config) throws Exception {
        List<List<String>> out = new ArrayList<>();
        for (var record : KAFKA.consumeAll(config.alertsTopic, Duration.ofSeconds(3))) {
            var a = MAPPER.readTree(record.value());
            out.add(
                    List.of(
                            a.get("userkey").asText(),
                            "" + Instant.parse(a.get("at").asText()).toEpochMilli(),
                            a.get("from").asText(),
                            a.get("to").asText(),
                            a.get("score").asText()));
        }
        return out;
    }
}
