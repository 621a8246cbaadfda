package io.tally.pipeline.reviews;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.connectors.testing.KafkaBrokerExtension;
import io.tally.connectors.testing.PostgresExtension;
import io.tally.pipeline.cli.CliRunner;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.testing.Db;
import io.tally.pipeline.testing.FlinkTestCluster;
import io.tally.pipeline.testing.JobRunner;
import io.tally.pipeline.testing.R4rBatchOracle;
import io.tally.pipeline.testing.ReviewStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reviews pipeline end to end at parallelism 2 (SPEC §3): a generated review stream — edits,
 * archives and unarchives, repeats, out-of-order delivery, Ethos alias shapes, brand-new
 * high-activity accounts, accounts ageing past the multiplier thresholds, bad records — compared
 * row by row with an independent batch computation of §3.2 evaluated at each row's own {@code
 * last_analyzed}; alerts are not duplicated by a replay; the export prints the high-risk users.
 */
class ReviewsPipelineTest {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create();
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void leaderboardMatchesTheBatchOracleAndAlertsAreNotDuplicated() throws Exception {
        long end = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
        long span = Duration.ofDays(180).toMillis();
        ReviewStream stream = ReviewStream.generate(4242, 40, 900, end - span, span);
        String suffix = "r4r" + System.nanoTime();
        TallyConfig config =
                JobRunner.config(
                        KAFKA.bootstrapServers(),
                        PG.jdbcUrl(),
                        suffix,
                        Map.of(
                                "pipelines", "reviews",
                                "topic-reviews", "reviews-" + suffix,
                                "topic-alerts", "alerts-" + suffix));
        KAFKA.createTopics(4, config.reviewsTopic, config.deadLetterTopic, config.alertsTopic);
        for (String line : stream.lines) {
            KAFKA.produce(
                    config.reviewsTopic,
                    ReviewStream.keyOf(line),
                    line.getBytes(StandardCharsets.UTF_8));
        }
        JobRunner.runBounded(config);

        R4rBatchOracle oracle = new R4rBatchOracle(stream.states);
        String url = PG.jdbcUrl();
        List<List<String>> rows =
                Db.rows(
                        url,
                        "SELECT userkey, username, name, reviews_given, reviews_received,"
                                + " reciprocal_reviews, farming_score, risk_level, quick_reciprocations,"
                                + " avg_reciprocal_time, (extract(epoch from last_analyzed)*1000)::bigint,"
                                + " high_risk_r4rs, analysis_version"
                                + " FROM leaderboard_entries ORDER BY userkey COLLATE \"C\"");
        // Every userkey of a valid state has a row; keys seen only in bad records have none.
        assertThat(rows).extracting(r -> r.get(0)).containsExactlyElementsOf(oracle.userkeys());
        assertThat(rows)
                .extracting(r -> r.get(0))
                .doesNotContainAnyElementsOf(stream.badOnlyUserkeys);

        Map<String, Integer> scores = new HashMap<>();
        rows.forEach(r -> scores.put(r.get(0), Integer.parseInt(r.get(6))));
        Set<String> levels = new HashSet<>();
        boolean timerMoved = false;
        for (List<String> row : rows) {
            String user = row.get(0);
            long asOf = Long.parseLong(row.get(10));
            assertThat(asOf).as(user).isGreaterThanOrEqualTo(oracle.lastEventTime(user));
            timerMoved |= asOf > oracle.lastEventTime(user);
            assertThat(row.subList(0, 10))
                    .as(user + " at " + Instant.ofEpochMilli(asOf))
                    .isEqualTo(oracle.rowAt(user, asOf));
            assertThat(Integer.parseInt(row.get(11)))
                    .as(user + " high_risk_r4rs")
                    .isEqualTo(oracle.highRiskR4rs(user, scores, 70));
            assertThat(row.get(12)).isEqualTo("tally-1");
            levels.add(row.get(7));
        }
        assertThat(levels).contains("low", "moderate", "high");
        assertThat(timerMoved)
                .as("some row was re-evaluated by a multiplier timer (SPEC §3.4)")
                .isTrue();

        // Every bad line is dead-lettered.
        var dead =
                KAFKA.consume(
                        config.deadLetterTopic, stream.badLines.size(), Duration.ofSeconds(30));
        assertThat(dead).hasSize(stream.badLines.size());
        Set<String> reasons = new HashSet<>();
        for (var d : dead) {
            reasons.add(MAPPER.readTree(d.value()).get("reason").asText());
        }
        assertThat(reasons)
                .contains("self-review", "missing-field", "bad-value", "not-json", "not-object");

        // Alerts: every risk change is published (transactionally); the table keeps one row per
        // (userkey, at, to_level) - several changes at one asOf (e.g. an archive and its undo)
        // collapse there, as SPEC §3.5 keys it.
        long alerts = Db.count(url, "SELECT count(*) FROM r4r_alerts");
        assertThat(alerts)
                .isGreaterThanOrEqualTo(
                        Db.count(
                                url,
                                "SELECT count(*) FROM leaderboard_scores WHERE risk_level <> 'low'"));
        var published = KAFKA.consumeAll(config.alertsTopic, Duration.ofSeconds(3));
        Set<List<String>> publishedKeys = new HashSet<>();
        for (var p : published) {
            var a = MAPPER.readTree(p.value());
            assertThat(a.fieldNames())
                    .toIterable()
                    .containsExactly("userkey", "username", "from", "to", "score", "at");
            assertThat(a.get("from").asText()).isNotEqualTo(a.get("to").asText());
            publishedKeys.add(
                    List.of(
                            a.get("userkey").asText(),
                            "" + Instant.parse(a.get("at").asText()).toEpochMilli(),
                            a.get("to").asText()));
        }
        assertThat(publishedKeys)
                .containsExactlyInAnyOrderElementsOf(
                        new HashSet<>(
                                Db.rows(
                                        url,
                                        "SELECT userkey, (extract(epoch from at)*1000)::bigint::text,"
                                                + " to_level FROM r4r_alerts")));

        // A replay of the same input (new consumer group, same tables): every alert of the first
        // run is still there exactly once (SPEC §3.5 keys the table on (userkey, at, to_level)),
        // and every row again equals the oracle at its own last_analyzed. (An independent second
        // run may evaluate at other instants — asOf depends on how far the watermark had moved
        // when an event arrived, SPEC §1.4 — so it may add alerts at other instants; within one
        // run, recovery restores asOf and the timers from the checkpoint.)
        Set<List<String>> firstRun =
                new HashSet<>(
                        Db.rows(
                                url,
                                "SELECT userkey, (extract(epoch from at)*1000)::bigint::text,"
                                        + " to_level, from_level, score::text FROM r4r_alerts"));
        JobRunner.runBounded(config.with(Map.of("group-id", "replay-" + suffix)));
        List<List<String>> afterReplay =
                Db.rows(
                        url,
                        "SELECT userkey, (extract(epoch from at)*1000)::bigint::text,"
                                + " to_level, from_level, score::text FROM r4r_alerts");
        assertThat(afterReplay).containsAll(firstRun).doesNotHaveDuplicates();
        for (List<String> row :
                Db.rows(
                        url,
                        "SELECT userkey, username, name, reviews_given, reviews_received,"
                                + " reciprocal_reviews, farming_score, risk_level, quick_reciprocations,"
                                + " avg_reciprocal_time, (extract(epoch from last_analyzed)*1000)::bigint"
                                + " FROM leaderboard_entries")) {
            long asOf = Long.parseLong(row.get(10));
            assertThat(row.subList(0, 10)).isEqualTo(oracle.rowAt(row.get(0), asOf));
        }

        // SPEC §3.6: the export lists the high-risk users, highest score first.
        CliRunner.Result csv =
                CliRunner.tally("export", "leaderboard", "--risk", "high", "--jdbc-url", url);
        assertThat(csv.exit()).as(csv.err()).isZero();
        List<String> lines = csv.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("Status,Username,Userkey,R4R_Score,Processed_At");
        List<List<String>> high =
                Db.rows(
                        url,
                        "SELECT userkey FROM leaderboard_entries WHERE risk_level = 'high' ORDER BY farming_score DESC, userkey");
        assertThat(high).isNotEmpty();
        assertThat(lines.subList(1, lines.size()))
                .extracting(l -> l.split(",")[2])
                .containsExactlyElementsOf(high.stream().map(r -> r.get(0)).toList());
        assertThat(lines.subList(1, lines.size()))
                .allSatisfy(l -> assertThat(l).startsWith("SUCCESS,"));

        CliRunner.Result json =
                CliRunner.tally(
                        "export",
                        "leaderboard",
                        "--format",
                        "json",
                        "--jdbc-url",
                        url,
                        "--limit",
                        "5");
        var doc = MAPPER.readTree(json.out());
        assertThat(doc.get("ok").asBoolean()).isTrue();
        assertThat(doc.get("entries")).hasSize(5);
        assertThat(doc.get("stats").get("totalEntries").asLong()).isEqualTo(rows.size());
        assertThat(doc.get("pagination").get("total").asLong()).isEqualTo(rows.size());
    }
}
