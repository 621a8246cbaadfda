package io.tally.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.connectors.testing.KafkaBrokerExtension;
import io.tally.connectors.testing.PostgresExtension;
import io.tally.pipeline.app.JobFingerprint;
import io.tally.pipeline.app.LocalRunner;
import io.tally.pipeline.app.LocalRunner.LocalJob;
import io.tally.pipeline.testing.Db;
import io.tally.pipeline.testing.JobRunner;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tally run} when things go wrong (SPEC §1.6 "Failures are visible", §5.2 "Resuming is
 * safe"): a job that keeps failing says why once per failure and a bounded run gives up with exit 1
 * after 10 restarts, while the other pipelines finish; state of another job is never resumed.
 */
class RunFailuresAndResumeTest {
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @TempDir Path dir;

    @Test
    void aFailingPipelineIsReportedOnEveryRestartAndABoundedRunGivesUpAfterTen() throws Exception {
        String suffix = "fail" + System.nanoTime();
        List<String> args = commonArgs(suffix, "chat,reviews");
        args.addAll(List.of("--state-dir", dir.resolve("state").toString()));
        produce("chat", "/demo/chat-messages.jsonl", args);
        produce("reviews", "/demo/reviews.jsonl", args);
        assertThat(CliRunner.tally("migrate", "--jdbc-url", PG.jdbcUrl()).exit()).isZero();
        // Not a data error (SQLSTATE P0001): the sink cannot route it around, so the chat
        // pipeline fails on every attempt — the situation a restart loop used to hide.
        Db.execute(
                PG.jdbcUrl(),
                "CREATE OR REPLACE FUNCTION refuse_user_stats() RETURNS trigger AS $$"
                        + " BEGIN RAISE EXCEPTION 'user_stats is closed for the test'; END $$"
                        + " LANGUAGE plpgsql");
        Db.execute(
                PG.jdbcUrl(),
                "CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON user_stats"
                        + " FOR EACH ROW EXECUTE FUNCTION refuse_user_stats()");
        try {
            List<String> run = new ArrayList<>(List.of("run", "--bounded"));
            run.addAll(args);
            // Short back-off through the pass-through Flink settings, so ten restarts take
            // seconds here; the default is 1 s doubling to 1 min.
            run.addAll(
                    List.of(
                            "--flink-conf",
                            "restart-strategy.exponential-delay.initial-backoff=20ms",
                            "--flink-conf",
                            "restart-strategy.exponential-delay.max-backoff=100ms"));
            CliRunner.Result r = CliRunner.tally(run.toArray(String[]::new));

            assertThat(r.exit()).as(r.err()).isEqualTo(1);
            List<String> failures =
                    r.err().lines().filter(l -> l.startsWith("tally: failure ")).toList();
            // Ten restarts, then the eleventh failure ends the run; every one says why (the last
            // ones may go unprinted: the embedded cluster stops with its job, the final line
            // below still names the cause).
            assertThat(failures)
                    .hasSizeBetween(5, LocalRunner.BOUNDED_MAX_RESTARTS + 1)
                    .allMatch(l -> l.contains("user_stats is closed for the test"));
            assertThat(failures.get(0)).startsWith("tally: failure 1 in ");
            assertThat(failures.get(1)).startsWith("tally: failure 2 in ");
            assertThat(r.err().strip().lines().reduce((a, b) -> b).orElseThrow())
                    .startsWith("tally: job failed after 10 restart(s): ")
                    .contains("user_stats is closed for the test");
            // The reviews pipeline is its own failover region: it finished its rows meanwhile.
            assertThat(Db.count(PG.jdbcUrl(), "SELECT count(*) FROM leaderboard_scores"))
                    .isPositive();
        } finally {
            Db.execute(PG.jdbcUrl(), "DROP TRIGGER refuse ON user_stats");
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(300)
    void stateOfAnotherJobIsNotResumedAndFreshMovesItAside() throws Exception {
        String suffix = "resume" + System.nanoTime();
        Path stateDir = dir.resolve("state");
        List<String> chatOnly = commonArgs(suffix, "chat");
        chatOnly.addAll(List.of("--state-dir", stateDir.toString()));
        produce("chat", "/demo/chat-messages.jsonl", chatOnly);

        // An unbounded chat-only run, stopped after its first checkpoint: what Ctrl-C leaves.
        var config =
                JobRunner.config(
                        KAFKA.bootstrapServers(),
                        PG.jdbcUrl(),
                        suffix,
                        Map.of(
                                "bounded",
                                "false",
                                "state-dir",
                                stateDir.toString(),
                                "checkpoint-interval",
                                "200ms",
                                "topic-reviews",
                                "reviews-" + suffix,
                                "topic-members",
                                "members-" + suffix,
                                "topic-alerts",
                                "alerts-" + suffix));
        assertThat(CliRunner.tally("migrate", "--jdbc-url", PG.jdbcUrl()).exit()).isZero();
        LocalJob job = LocalRunner.start(config, false);
        try {
            awaitCheckpoint(stateDir.resolve("checkpoints"), Duration.ofSeconds(60));
        } finally {
            job.client().cancel().get();
        }
        assertThat(stateDir.resolve(JobFingerprint.FILE)).exists();

        List<String> withReviews = commonArgs(suffix, "chat,reviews");
        withReviews.addAll(List.of("--state-dir", stateDir.toString()));
        // Unbounded, as a resuming run is: the refusal comes before anything connects.
        List<String> run = new ArrayList<>(List.of("run"));
        run.addAll(withReviews);
        CliRunner.Result refused = CliRunner.tally(run.toArray(String[]::new));
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err().strip().lines()).hasSize(1);
        assertThat(refused.err())
                .startsWith("tally: will not resume the state in ")
                .contains("pipelines chat → chat,reviews")
                .contains("--fresh");

        List<String> otherBroker = new ArrayList<>(List.of("run"));
        otherBroker.addAll(chatOnly);
        otherBroker.set(otherBroker.indexOf(KAFKA.bootstrapServers()), "localhost:" + port());
        CliRunner.Result broker = CliRunner.tally(otherBroker.toArray(String[]::new));
        assertThat(broker.exit()).isEqualTo(2);
        assertThat(broker.err()).contains("bootstrap servers 127.0.0.1:");

        CliRunner.Result badPath =
                CliRunner.tally(
                        Stream.concat(
                                        Stream.of(
                                                "run",
                                                "--from-checkpoint",
                                                dir.resolve("nothing").toString()),
                                        withReviews.stream())
                                .toArray(String[]::new));
        assertThat(badPath.exit()).isEqualTo(2);
        assertThat(badPath.err()).contains("not a checkpoint or savepoint");

        run.add("--bounded");
        run.add("--fresh");
        CliRunner.Result fresh = CliRunner.tally(run.toArray(String[]::new));
        assertThat(fresh.exit()).as(fresh.err()).isZero();
        assertThat(fresh.err()).contains("previous state moved aside to ");
        try (Stream<Path> aside = Files.list(stateDir.resolve("aside"))) {
            Path moved = aside.findFirst().orElseThrow();
            assertThat(moved.resolve("checkpoints")).isDirectory();
            assertThat(moved.resolve(JobFingerprint.FILE)).exists();
        }
        // The fresh run read the topic from the start: every demo user is counted.
        assertThat(Db.count(PG.jdbcUrl(), "SELECT count(*) FROM user_stats")).isPositive();
        // A bounded run leaves no state to resume (restoring a finished bounded source hangs).
        try (Stream<Path> left = Files.walk(stateDir.resolve("bounded-checkpoints"))) {
            assertThat(left.filter(p -> p.getFileName().toString().equals("_metadata"))).isEmpty();
        }
        // …so a second bounded run with other options recomputes instead of refusing or hanging.
        CliRunner.Result again = CliRunner.tally(run.toArray(String[]::new));
        assertThat(again.exit()).as(again.err()).isZero();
    }

    /** A port on the same host that is not this broker's, as a second broker's address. */
    private static int port() {
        String bootstrap = KAFKA.bootstrapServers();
        return Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1)) + 1;
    }

    private List<String> commonArgs(String suffix, String pipelines) {
        return new ArrayList<>(
                List.of(
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--jdbc-url",
                        PG.jdbcUrl(),
                        "--pipelines",
                        pipelines,
                        "--from",
                        "earliest",
                        "--parallelism",
                        "2",
                        "--idleness",
                        "1s",
                        "--flush-interval",
                        "200ms",
                        "--group-id",
                        "test-" + suffix,
                        "--topic-chat",
                        "chat-" + suffix,
                        "--topic-reviews",
                        "reviews-" + suffix,
                        "--topic-members",
                        "members-" + suffix,
                        "--topic-alerts",
                        "alerts-" + suffix,
                        "--topic-dead-letters",
                        "dead-" + suffix));
    }

    private void produce(String what, String resource, List<String> args) throws Exception {
        Path file = dir.resolve(what + ".jsonl");
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        List<String> produce = new ArrayList<>(List.of("produce", what, "--file", file.toString()));
        for (String flag : List.of("--bootstrap-servers", "--topic-chat", "--topic-reviews")) {
            produce.add(flag);
            produce.add(args.get(args.indexOf(flag) + 1));
        }
        CliRunner.Result r = CliRunner.tally(produce.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
    }

    private static void awaitCheckpoint(Path checkpoints, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(checkpoints)) {
                try (Stream<Path> files = Files.walk(checkpoints, 3)) {
                    if (files.anyMatch(p -> p.getFileName().toString().equals("_metadata"))) {
                        return;
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no checkpoint under " + checkpoints + " within " + timeout);
    }
}
