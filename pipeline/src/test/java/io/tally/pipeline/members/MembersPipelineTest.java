package io.tally.pipeline.members;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.connectors.kafka.DeadLetter;
import io.tally.connectors.kafka.TopicSerializer;
import io.tally.connectors.members.LocalMembersApi;
import io.tally.connectors.members.MembersPage.Member;
import io.tally.connectors.postgres.UpsertTable;
import io.tally.connectors.testing.KafkaBrokerExtension;
import io.tally.connectors.testing.PostgresExtension;
import io.tally.pipeline.app.KafkaSources;
import io.tally.pipeline.app.Preflight;
import io.tally.pipeline.app.ProductionSinks;
import io.tally.pipeline.app.TallyJob;
import io.tally.pipeline.config.ConfigLoader;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.members.records.ImportJobRow;
import io.tally.pipeline.runtime.TallySinks;
import io.tally.pipeline.testing.Db;
import io.tally.pipeline.testing.FlinkTestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The members pipeline end to end (SPEC §4) at parallelism 2 against a real local members API:
 * several concurrent jobs with priorities and overlapping, case-variant and invalid emails;
 * injected page failures that recover; one that exhausts the attempts; an unknown credential; and a
 * job restarted from a checkpoint mid-import — compared with an independent computation.
 */
class MembersPipelineTest {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create();
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    static final String SECRET = "s3cr3t-token-value";
    static final ObjectMapper MAPPER = new ObjectMapper();
    static LocalMembersApi api;

    @TempDir static Path dir;

    @BeforeAll
    static void startApi() throws Exception {
        api = LocalMembersApi.start(0);
        api.requireSecret(SECRET);
    }

    @AfterAll
    static void stopApi() {
        api.close();
    }

    static TallyConfig config(String suffix) throws Exception {
        Path secret = dir.resolve("whop-" + suffix);
        Files.writeString(secret, SECRET + "\n");
        Path yaml = dir.resolve("tally-" + suffix + ".yaml");
        Files.writeString(
                yaml,
                "credentials:\n  whop-main:\n    file: "
                        + secret
                        + "\n    allowed-urls: [\""
                        + api.baseUrl()
                        + "/api/v2/\"]\n"
                        + "members:\n  max-concurrent-jobs: 2\n  requests-per-second: 200\n");
        Map<String, String> flags = new HashMap<>();
        flags.put("bootstrap-servers", KAFKA.bootstrapServers());
        flags.put("jdbc-url", PG.jdbcUrl());
        flags.put("pipelines", "members");
        flags.put("from", "earliest");
        flags.put("bounded", "true");
        flags.put("checkpoint-interval", "300ms");
        flags.put("flush-interval", "100ms");
        flags.put("idleness", "1s");
        flags.put("group-id", "test-" + suffix);
        flags.put("topic-members", "imports-" + suffix);
        flags.put("topic-dead-letters", "dead-" + suffix);
        return ConfigLoader.load(flags, Map.of(), yaml);
    }

    static String request(
            String jobId, String audience, String url, String credential, int priority, long ts) {
        var n = MAPPER.createObjectNode();
        n.put("job_id", jobId);
        n.put("audience_id", audience);
        n.put("list_name", "List " + jobId);
        var source = n.putObject("source");
        source.put("url", url);
        source.put("credential", credential);
        n.put("priority", priority);
        n.put("ts", ts);
        return n.toString();
    }

    /** SPEC §4.3, independently: the distinct valid emails (lower-cased, ROOT) of the members. */
    static Set<String> distinctEmails(List<Member> members) {
        Set<String> out = new TreeSet<>();
        for (Member m : members) {
            if (m.email() != null && !m.email().isEmpty() && m.email().contains("@")) {
                out.add(m.email().toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    static long invalid(List<Member> members) {
        return members.stream()
                .filter(m -> m.email() == null || m.email().isEmpty() || !m.email().contains("@"))
                .count();
    }

    static void run(TallyConfig config, TallySinks sinks) throws Exception {
        Preflight.migrate(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TallyJob.configure(env, config);
        io.tally.pipeline.app.LocalRunner.applyEmbeddedDefaults(env, config);
        TallyJob.define(env, config, new KafkaSources(config), sinks);
        env.execute("members-test");
    }

    @Test
    void concurrentJobsRetriesFailuresAndDedupe() throws Exception {
        String suffix = "m" + System.nanoTime();
        TallyConfig config = config(suffix);
        KAFKA.createTopics(2, config.membersTopic, config.deadLetterTopic);

        List<Member> a1 = LocalMembersApi.generate(1, 230, 0.15, 0.05);
        List<Member> a2 = LocalMembersApi.generate(2, 180, 0.10, 0.05);
        List<Member> b = LocalMembersApi.generate(3, 120, 0.20, 0.10);
        String urlA1 = api.baseUrl() + api.addAudience("a1-" + suffix, a1);
        String urlA2 = api.baseUrl() + api.addAudience("a2-" + suffix, a2);
        String urlB = api.baseUrl() + api.addAudience("b-" + suffix, b);
        String urlBroken = api.baseUrl() + api.addAudience("broken-" + suffix, b);
        api.failPage("a1-" + suffix, 2, 2, 503); // recovers within the page retries
        api.failPage("b-" + suffix, 2, 1, 429);
        api.malformPage("a2-" + suffix, 3, 1);
        api.failAlways("broken-" + suffix, 2, 502); // exhausts 4 attempts

        long ts = System.currentTimeMillis() - 60_000;
        List<String> requests =
                List.of(
                        request("job-a1", "aud-A", urlA1, "whop-main", 0, ts),
                        request("job-a2", "aud-A", urlA2, "whop-main", 5, ts + 1),
                        request("job-b", "aud-B", urlB, "whop-main", 1, ts + 2),
                        request("job-broken", "aud-C", urlBroken, "whop-main", 9, ts + 3),
                        request("job-nocred", "aud-D", urlB, "no-such-credential", 0, ts + 4),
                        request("job-a1", "aud-A", urlA1, "whop-main", 0, ts), // a repeat
                        "{\"job_id\":\"bad\",\"ts\":1}");
        for (String r : requests) {
            KAFKA.produce(config.membersTopic, null, r.getBytes(StandardCharsets.UTF_8));
        }
        run(config, new ProductionSinks(config));

        String url = PG.jdbcUrl();
        Map<String, List<String>> jobs = new HashMap<>();
        for (List<String> r :
                Db.rows(
                        url,
                        "SELECT job_id, status, attempts, pages_fetched, total_pages, members_seen, invalid, error FROM import_jobs")) {
            jobs.put(r.get(0), r);
        }
        assertThat(jobs).containsOnlyKeys("job-a1", "job-a2", "job-b", "job-broken", "job-nocred");
        assertThat(jobs.get("job-a1").subList(1, 7))
                .containsExactly("completed", "1", "5", "5", "230", "" + invalid(a1));
        assertThat(jobs.get("job-a2").subList(1, 7))
                .containsExactly("completed", "1", "4", "4", "180", "" + invalid(a2));
        assertThat(jobs.get("job-b").subList(1, 7))
                .containsExactly("completed", "1", "3", "3", "120", "" + invalid(b));
        assertThat(jobs.get("job-broken").get(1)).isEqualTo("failed");
        assertThat(jobs.get("job-broken").get(2)).isEqualTo("4");
        assertThat(jobs.get("job-broken").get(3))
                .isEqualTo("1"); // page 1 applied once, never again
        assertThat(jobs.get("job-broken").get(7)).contains("502").doesNotContain(SECRET);
        assertThat(jobs.get("job-nocred").get(1)).isEqualTo("failed");
        assertThat(jobs.get("job-nocred").get(7))
                .contains("no-such-credential")
                .contains("TALLY_CREDENTIAL_NO_SUCH_CREDENTIAL");

        // Contacts: exactly the distinct valid emails per audience, whichever job saw them first.
        Set<String> audA = new TreeSet<>(distinctEmails(a1));
        audA.addAll(distinctEmails(a2));
        assertThat(
                        Db.rows(
                                url,
                                "SELECT email FROM email_contacts WHERE audience_id = 'aud-A' ORDER BY email COLLATE \"C\""))
                .extracting(r -> r.get(0))
                .containsExactlyElementsOf(audA);
        assertThat(
                        Db.rows(
                                url,
                                "SELECT email FROM email_contacts WHERE audience_id = 'aud-B' ORDER BY email COLLATE \"C\""))
                .extracting(r -> r.get(0))
                .containsExactlyElementsOf(distinctEmails(b));
        assertThat(
                        Db.rows(
                                url,
                                "SELECT audience_id, member_count FROM email_audiences ORDER BY audience_id"))
                .contains(
                        List.of("aud-A", "" + audA.size()),
                        List.of("aud-B", "" + distinctEmails(b).size()));
        assertThat(
                        Db.count(
                                url,
                                "SELECT sum(contacts_new) FROM import_jobs WHERE audience_id = 'aud-A'"))
                .isEqualTo(audA.size());
        assertThat(
                        Db.count(
                                url,
                                "SELECT sum(contacts_new + duplicates + invalid) FROM import_jobs WHERE job_id IN ('job-a1','job-a2')"))
                .isEqualTo(230 + 180);

        // Daily stats: three completed, two failed, all today.
        assertThat(
                        Db.rows(
                                url,
                                "SELECT total_jobs, completed_jobs, failed_jobs, total_members_processed FROM import_stats_daily"))
                .containsExactly(List.of("5", "3", "2", "" + (230 + 180 + 120)));

        // The secret never reaches a table or a dead letter.
        assertThat(
                        Db.count(
                                url,
                                "SELECT count(*) FROM import_jobs WHERE error LIKE '%"
                                        + SECRET
                                        + "%'"))
                .isZero();
        var dead = KAFKA.consume(config.deadLetterTopic, 1, Duration.ofSeconds(20));
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8))
                .contains("missing-field")
                .doesNotContain(SECRET);

        // Two worker slots, one job per audience at a time: job-a1 and job-b take the slots as they
        // arrive (job-a2 waits for aud-A); of the jobs that then wait, the higher priority starts
        // first (SPEC §4.2): job-broken (9) before job-a2 (5).
        List<LocalMembersApi.Request> log = api.requests();
        assertThat(log)
                .allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer " + SECRET));
        assertThat(indexOfFirst(log, "broken-" + suffix))
                .isLessThan(indexOfFirst(log, "a2-" + suffix));
        assertThat(indexOfFirst(log, "a1-" + suffix)).isLessThan(indexOfFirst(log, "a2-" + suffix));
        // A page applied is never fetched again: every page answered with data exactly once
        // (a2's page 3 also got one malformed 200 answer, which was retried).
        Map<String, Map<Integer, Integer>> expected =
                Map.of(
                        "a1-" + suffix, Map.of(1, 1, 2, 1, 3, 1, 4, 1, 5, 1),
                        "a2-" + suffix, Map.of(1, 1, 2, 1, 3, 2, 4, 1),
                        "b-" + suffix, Map.of(1, 1, 2, 1, 3, 1));
        for (var e : expected.entrySet()) {
            Map<Integer, Integer> ok = new HashMap<>();
            log.stream()
                    .filter(r -> r.audience().equals(e.getKey()) && r.status() == 200)
                    .forEach(r -> ok.merge(r.page(), 1, Integer::sum));
            assertThat(ok).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    static int indexOfFirst(List<LocalMembersApi.Request> log, String audience) {
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).audience().equals(audience)) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    static final AtomicBoolean SAW_PROGRESS = new AtomicBoolean();
    static final AtomicBoolean ARMED = new AtomicBoolean();
    static final AtomicLong ARM_AT_CHECKPOINT = new AtomicLong(Long.MAX_VALUE);
    static final AtomicBoolean CRASHED = new AtomicBoolean();

    /** Fails once, on the first job row after a checkpoint that covers at least 4 applied pages. */
    /**
     * Crashes once, after a checkpoint that holds page 4 applied completed: only a checkpoint whose
     * barrier came after the row with 4 pages counts (a row seen before a completion notice may
     * still have been behind that checkpoint's barrier).
     */
    static final class CrashAfterProgress
            implements MapFunction<ImportJobRow, ImportJobRow>,
                    CheckpointListener,
                    CheckpointedFunction {
        @Override
        public ImportJobRow map(ImportJobRow r) {
            if (r.pagesFetched >= 4) {
                SAW_PROGRESS.set(true);
            }
            if (ARMED.get() && CRASHED.compareAndSet(false, true)) {
                throw new IllegalStateException(
                        "injected crash mid-import at page " + r.pagesFetched);
            }
            return r;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            if (SAW_PROGRESS.get()) {
                ARM_AT_CHECKPOINT.accumulateAndGet(context.getCheckpointId(), Math::min);
            }
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {}

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (checkpointId >= ARM_AT_CHECKPOINT.get()) {
                ARMED.set(true);
            }
        }
    }

    @Test
    void aJobRestartedFromACheckpointResumesAfterItsLastAppliedPage() throws Exception {
        String suffix = "c" + System.nanoTime();
        TallyConfig config = config(suffix);
        KAFKA.createTopics(1, config.membersTopic, config.deadLetterTopic);
        List<Member> members = LocalMembersApi.generate(9, 1000, 0.1, 0.05); // 20 pages
        String audience = "slow-" + suffix;
        String url = api.baseUrl() + api.addAudience(audience, members);
        for (int p = 1; p <= 20; p++) {
            api.slowPage(audience, p, Duration.ofMillis(200));
        }
        KAFKA.produce(
                config.membersTopic,
                "job-slow",
                request("job-slow", "aud-S", url, "whop-main", 0, System.currentTimeMillis() - 1000)
                        .getBytes(StandardCharsets.UTF_8));

        ProductionSinks real = new ProductionSinks(config);
        TallySinks crashing =
                new TallySinks() {
                    @Override
                    @SuppressWarnings("unchecked")
                    public <T> void upsert(DataStream<T> rows, UpsertTable<T> table, String uid) {
                        if (table.name().equals("import_jobs")) {
                            DataStream<ImportJobRow> jobs =
                                    ((DataStream<ImportJobRow>) rows)
                                            .map(new CrashAfterProgress())
                                            .returns(Types.POJO(ImportJobRow.class))
                                            .setParallelism(1)
                                            .name("Inject one crash");
                            real.upsert(jobs, (UpsertTable<ImportJobRow>) table, uid);
                        } else {
                            real.upsert(rows, table, uid);
                        }
                    }

                    @Override
                    public <T> void publish(
                            DataStream<T> records,
                            String topic,
                            TopicSerializer.Encoder<T> key,
                            TopicSerializer.Encoder<T> value,
                            String uid) {
                        real.publish(records, topic, key, value, uid);
                    }

                    @Override
                    public void deadLetters(DataStream<DeadLetter> deadLetters, String pipeline) {
                        real.deadLetters(deadLetters, pipeline);
                    }
                };
        // Unbounded, so checkpoints keep completing while the import runs; stopped once it is done.
        TallyConfig unbounded = config.with(Map.of("bounded", "false"));
        Preflight.migrate(unbounded);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TallyJob.configure(env, unbounded);
        io.tally.pipeline.app.LocalRunner.applyEmbeddedDefaults(env, unbounded);
        TallyJob.define(env, unbounded, new KafkaSources(unbounded), crashing);
        var job = env.executeAsync("members-crash-test");
        try {
            Db.awaitCount(
                    PG.jdbcUrl(),
                    "SELECT count(*) FROM import_jobs WHERE job_id = 'job-slow' AND status = 'completed'",
                    1,
                    Duration.ofSeconds(90));
        } finally {
            job.cancel().get();
        }

        assertThat(CRASHED).as("the crash was injected").isTrue();
        String db = PG.jdbcUrl();
        assertThat(
                        Db.rows(
                                db,
                                "SELECT status, pages_fetched, total_pages, members_seen, contacts_new + duplicates + invalid FROM import_jobs WHERE job_id = 'job-slow'"))
                .containsExactly(List.of("completed", "20", "20", "1000", "1000"));
        assertThat(
                        Db.rows(
                                db,
                                "SELECT email FROM email_contacts WHERE audience_id = 'aud-S' ORDER BY email COLLATE \"C\""))
                .extracting(r -> r.get(0))
                .containsExactlyElementsOf(distinctEmails(members));
        // The checkpoint the job restarted from had applied at least pages 1-4: those were fetched
        // once; only pages after the checkpoint were fetched again.
        Map<Integer, Integer> ok = new HashMap<>();
        api.requests().stream()
                .filter(r -> r.audience().equals(audience) && r.status() == 200)
                .forEach(r -> ok.merge(r.page(), 1, Integer::sum));
        for (int p = 1; p <= 4; p++) {
            assertThat(ok.get(p)).as("page " + p).isEqualTo(1);
        }
        assertThat(ok.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        new LinkedHashSet<>(
                                java.util.stream.IntStream.rangeClosed(1, 20).boxed().toList()));
    }
}
