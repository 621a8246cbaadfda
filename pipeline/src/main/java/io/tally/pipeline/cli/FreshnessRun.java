package io.tally.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tally.pipeline.app.LocalRunner;
import io.tally.pipeline.app.Preflight;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.runtime.UserKey;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Freshness under a steady load (issue 12): a running job, a producer sending chat messages at a
 * fixed rate, and every {@value #PROBE_EVERY_MS} ms a probe message from a sender of its own; a
 * probe's freshness is the time from its send to its {@code user_stats} row being readable.
 *
 * <p>The load runs for a warm-up first, at the same rate and with probes, then for the measured
 * duration. Probes sent during the warm-up are reported apart ({@code warmup_*}): on this 2-core
 * machine the JIT compilers compete with the job for its first 20-40 s, and a job runs for much
 * longer than that, so the steady figures are the measured ones; the warm-up's are printed so
 * nobody has to take that on trust.
 */
final class FreshnessRun {
    static final long PROBE_EVERY_MS = 100;
    private static final long POLL_EVERY_MS = 10;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private FreshnessRun() {}

    static ObjectNode run(
            PrintStream log,
            TallyConfig config,
            int rate,
            Duration warmup,
            Duration duration,
            int users)
            throws Exception {
        TallyConfig live =
                config.with(
                        Map.of(
                                TallyConfig.BOUNDED.name(), "false",
                                TallyConfig.FROM.name(), "latest",
                                TallyConfig.GROUP_ID.name(), "bench-live-" + System.nanoTime()));
        LocalRunner.LocalJob job = LocalRunner.start(live, false, LocalRunner.Resume.fresh());
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, live.bootstrapServers);
        p.setProperty(
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.setProperty(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.setProperty(ProducerConfig.LINGER_MS_CONFIG, "0");
        try (KafkaProducer<byte[], byte[]> probes = new KafkaProducer<>(p);
                Connection c = Preflight.connect(live)) {
            String run = Long.toString(System.currentTimeMillis(), 36);
            // The job is ready once a probe comes through: its sources are at the topics' ends.
            long readyStart = System.nanoTime();
            for (int i = 0; ; i++) {
                String user = "ready-" + run + "-" + i;
                send(probes, live.chatTopic, user);
                if (awaitRow(c, user, Duration.ofSeconds(2))) {
                    break;
                }
                if (System.nanoTime() - readyStart > TimeUnit.MINUTES.toNanos(3)) {
                    throw new IllegalStateException("the job did not start within 3 minutes");
                }
            }
            log.printf(
                    "  job ready after %.1f s; load %d msg/s, %s of warm-up then %s measured%n",
                    (System.nanoTime() - readyStart) / 1e9, rate, warmup, duration);

            AtomicLong loadSent = new AtomicLong();
            AtomicReference<Exception> loadError = new AtomicReference<>();
            long loadStart = System.nanoTime();
            long total = (long) rate * (warmup.toSeconds() + duration.toSeconds());
            long measuredFrom = loadStart + warmup.toNanos();
            Thread load =
                    new Thread(
                            () -> {
                                try (TopicWriter w =
                                        new TopicWriter(
                                                live.bootstrapServers,
                                                live.chatTopic,
                                                rate,
                                                "freshness load",
                                                total)) {
                                    for (long i = 0; i < total; i++) {
                                        String user = "user" + (i % users);
                                        ObjectNode m =
                                                BenchLoad.chatMessage(
                                                        "live-" + run + "-" + i,
                                                        user,
                                                        BenchLoad.text((int) i),
                                                        System.currentTimeMillis());
                                        w.send(
                                                UserKey.of(user),
                                                m.toString().getBytes(StandardCharsets.UTF_8));
                                        loadSent.incrementAndGet();
                                    }
                                    w.finish();
                                    w.checkNoFailures();
                                } catch (Exception e) {
                                    loadError.set(e);
                                }
                            },
                            "bench-freshness-load");
            load.start();

            Map<String, Long> pending = new HashMap<>();
            List<Long> millis = new ArrayList<>();
            List<Long> warmupMillis = new ArrayList<>();
            long nextProbe = System.nanoTime();
            int sentProbes = 0;
            long deadline = -1;
            while (true) {
                long now = System.nanoTime();
                if (load.isAlive() && now >= nextProbe) {
                    String user = "probe-" + run + "-" + sentProbes++;
                    pending.put(user, now);
                    send(probes, live.chatTopic, user);
                    nextProbe += TimeUnit.MILLISECONDS.toNanos(PROBE_EVERY_MS);
                }
                if (!pending.isEmpty()) {
                    for (String user : visible(c, pending.keySet())) {
                        long sentAt = pending.remove(user);
                        (sentAt < measuredFrom ? warmupMillis : millis)
                                .add((System.nanoTime() - sentAt) / 1_000_000);
                    }
                }
                if (!load.isAlive()) {
                    if (deadline < 0) {
                        deadline = System.nanoTime() + PROBE_TIMEOUT.toNanos();
                    }
                    if (pending.isEmpty() || System.nanoTime() > deadline) {
                        break;
                    }
                }
                Thread.sleep(POLL_EVERY_MS);
            }
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            if (loadError.get() != null) {
                throw loadError.get();
            }
            long[] sorted = millis.stream().mapToLong(Long::longValue).sorted().toArray();
            long[] warm = warmupMillis.stream().mapToLong(Long::longValue).sorted().toArray();
            ObjectNode out = JSON.createObjectNode();
            out.put("rate_target_per_s", rate);
            out.put("load_messages", loadSent.get());
            out.put("load_rate_per_s", Math.round(loadSent.get() / loadSeconds));
            out.put("probes", sentProbes);
            out.put("probes_seen", sorted.length + warm.length);
            out.put("probes_missing", pending.size());
            out.put("warmup_s", warmup.toSeconds());
            out.put("warmup_probes", warm.length);
            out.put("warmup_p99_ms", percentile(warm, 0.99));
            out.put("warmup_max_ms", warm.length == 0 ? -1 : warm[warm.length - 1]);
            out.put("measured_s", duration.toSeconds());
            out.put("measured_probes", sorted.length);
            out.put("p50_ms", percentile(sorted, 0.50));
            out.put("p99_ms", percentile(sorted, 0.99));
            out.put("max_ms", sorted.length == 0 ? -1 : sorted[sorted.length - 1]);
            out.put("flush_interval_ms", live.flushInterval.toMillis());
            return out;
        } finally {
            job.client().cancel().get(30, TimeUnit.SECONDS);
        }
    }

    /** The nearest-rank percentile; -1 for no samples. */
    static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String user) {
        ObjectNode m =
                BenchLoad.chatMessage(
                        "probe:" + user, user, "probe message", System.currentTimeMillis());
        producer.send(
                new ProducerRecord<>(
                        topic,
                        UserKey.of(user).getBytes(StandardCharsets.UTF_8),
                        m.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static boolean awaitRow(Connection c, String user, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!visible(c, List.of(user)).isEmpty()) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static List<String> visible(Connection c, java.util.Collection<String> users)
            throws Exception {
        List<String> found = new ArrayList<>();
        Array array = c.createArrayOf("text", users.toArray());
        try (PreparedStatement s =
                c.prepareStatement("SELECT username FROM user_stats WHERE username = ANY(?)")) {
            s.setArray(1, array);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
        }
        return found;
    }
}
