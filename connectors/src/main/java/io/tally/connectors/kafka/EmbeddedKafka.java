package io.tally.connectors.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (KRaft, combined broker and controller) running inside this JVM, for
 * {@code tally demo} and the tests (STACK.md, "A real Kafka broker without Docker").
 *
 * <p>It needs {@code kafka_2.13} on the classpath, which the connectors declare {@code provided}:
 * the launcher and the tests have it, a job jar never does.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** Formatting, start-up and topic creation each take seconds; a minute means it is stuck. */
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static final String HOST = "127.0.0.1";

    private final KafkaRaftServer server;
    private final Path logDir;
    private final String bootstrapServers;
    private final Admin admin;
    private boolean closed;

    private EmbeddedKafka(
            KafkaRaftServer server, Path logDir, String bootstrapServers, Admin admin) {
        this.server = server;
        this.logDir = logDir;
        this.bootstrapServers = bootstrapServers;
        this.admin = admin;
    }

    /** Starts a broker on a free port, keeping its data in a fresh directory under the parent. */
    public static EmbeddedKafka start(Path logDirParent) throws IOException {
        return start(logDirParent, 0);
    }

    /**
     * Starts a broker whose clients connect to {@code 127.0.0.1:port} ({@code 0}: any free port),
     * keeping its data in a fresh directory under {@code logDirParent}. Returns once the broker
     * answers requests.
     *
     * @throws IOException if the port is taken, or the broker does not come up within a minute
     */
    public static EmbeddedKafka start(Path logDirParent, int port) throws IOException {
        long started = System.nanoTime();
        int brokerPort = port == 0 ? freePort() : requireFree(port);
        int controllerPort = freePort();
        Files.createDirectories(logDirParent);
        Path logDir = Files.createTempDirectory(logDirParent.toAbsolutePath(), "kafka-");
        Properties props = serverProperties(logDir.resolve("data"), brokerPort, controllerPort);
        String bootstrap = HOST + ":" + brokerPort;

        KafkaRaftServer server = null;
        Admin admin = null;
        try {
            format(props, logDir.resolve("server.properties"));
            server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
            admin = Admin.create(adminProperties(bootstrap));
            awaitReady(admin, bootstrap);
        } catch (IOException | RuntimeException e) {
            stopQuietly(server, admin);
            deleteRecursively(logDir);
            throw e;
        }
        LOG.info(
                "Started an in-process Kafka broker on {} in {} ms (data in {})",
                bootstrap,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                logDir);
        return new EmbeddedKafka(server, logDir, bootstrap, admin);
    }

    /** {@code host:port} for the clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * Creates the topics that do not exist yet, each with {@code partitions} partitions, and waits
     * until every partition has a leader, so producers and consumers can use them at once. A topic
     * that already exists is left as it is, whatever its partition count.
     */
    public void createTopics(int partitions, String... names) {
        List<NewTopic> topics = new ArrayList<>();
        for (String name : names) {
            topics.add(new NewTopic(name, partitions, (short) 1));
        }
        for (Map.Entry<String, KafkaFuture<Void>> created :
                admin.createTopics(topics).values().entrySet()) {
            try {
                created.getValue().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException(
                            "could not create topic " + created.getKey(), e.getCause());
                }
            } catch (Exception e) {
                throw failure("could not create topic " + created.getKey(), e);
            }
        }
        awaitLeaders(List.of(names));
    }

    /** Stops the broker and deletes its data. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopQuietly(server, admin);
        deleteRecursively(logDir);
        LOG.info("Stopped the in-process Kafka broker on {}", bootstrapServers);
    }

    private static Properties serverProperties(Path dataDir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
        p.setProperty(
                "listeners",
                "PLAINTEXT://"
                        + HOST
                        + ":"
                        + brokerPort
                        + ",CONTROLLER://"
                        + HOST
                        + ":"
                        + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", dataDir.toString());
        // One broker: every internal topic must fit on it, or group commits, transactions and
        // share groups fail with "not enough replicas". One partition each because the defaults
        // (50) make the first group or transaction wait for 50 partitions to be created.
        for (String internal :
                List.of(
                        "offsets.topic",
                        "transaction.state.log",
                        "share.coordinator.state.topic")) {
            p.setProperty(internal + ".replication.factor", "1");
            p.setProperty(internal + ".num.partitions", "1");
        }
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        // Flink's exactly-once KafkaSink asks for a one-hour transaction timeout by default; the
        // broker's default cap is 15 minutes and would reject its producers.
        p.setProperty("transaction.max.timeout.ms", String.valueOf(Duration.ofHours(1).toMillis()));
        // Consumers in a fresh group get their partitions at once instead of after 3 s.
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // The log cleaner (needed for the compacted offsets topic) would reserve 128 MiB of heap
        // for a broker that shares its JVM with Flink and holds a few test topics.
        p.setProperty("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        return p;
    }

    /** Writes the cluster id and bootstrap metadata into the empty data directory. */
    private static void format(Properties props, Path propsFile) throws IOException {
        try (OutputStream out = Files.newOutputStream(propsFile)) {
            props.store(out, "in-process Kafka broker (EmbeddedKafka)");
        }
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            code =
                    StorageTool.execute(
                            new String[] {
                                "format",
                                "-t",
                                Uuid.randomUuid().toString(),
                                "-c",
                                propsFile.toString()
                            },
                            out);
        }
        if (code != 0) {
            throw new IOException(
                    "formatting Kafka storage failed (code "
                            + code
                            + "): "
                            + captured.toString(StandardCharsets.UTF_8));
        }
    }

    private static Properties adminProperties(String bootstrap) {
        Properties p = new Properties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(AdminClientConfig.CLIENT_ID_CONFIG, "tally-embedded-kafka");
        p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        return p;
    }

    /**
     * {@code startup()} returns before the broker has registered with its controller and been
     * unfenced; until then metadata lists no broker and topic creation fails for lack of replicas.
     */
    private static void awaitReady(Admin admin, String bootstrap) throws IOException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for Kafka on " + bootstrap, e);
            }
            sleep(100);
        }
        throw new IOException(
                "the in-process Kafka broker on "
                        + bootstrap
                        + " did not accept requests within "
                        + TIMEOUT.toSeconds()
                        + " s",
                last);
    }

    /**
     * Topic creation completes on the controller; the broker learns of the new partitions a moment
     * later, and a producer arriving first would see "unknown topic or partition". Even with a
     * leader in the metadata, the broker may not yet serve the partition as its leader: a producer
     * then gets NOT_LEADER_OR_FOLLOWER and, after its retry, an out-of-order sequence that drops
     * records (seen with a reviews-only demo). So each partition must also answer a ListOffsets
     * request, which only its serving leader does.
     */
    private void awaitLeaders(List<String> names) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> described =
                        admin.describeTopics(names)
                                .allTopicNames()
                                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (described.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .map(TopicPartitionInfo::leader)
                        .allMatch(leader -> leader != null && !leader.isEmpty())) {
                    Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
                    described.forEach(
                            (topic, d) ->
                                    d.partitions()
                                            .forEach(
                                                    p ->
                                                            partitions.put(
                                                                    new TopicPartition(
                                                                            topic, p.partition()),
                                                                    OffsetSpec.latest())));
                    admin.listOffsets(partitions)
                            .all()
                            .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                }
            } catch (ExecutionException e) {
                // Not yet in the broker's metadata, or not yet served; retry until the deadline.
            } catch (Exception e) {
                throw failure("could not describe topics " + names, e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "topics "
                                + names
                                + " have no leader after "
                                + TIMEOUT.toSeconds()
                                + " s on "
                                + bootstrapServers);
            }
            sleep(50);
        }
    }

    private static void stopQuietly(KafkaRaftServer server, Admin admin) {
        if (admin != null) {
            try {
                admin.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("Could not close the Kafka admin client: {}", e.toString());
            }
        }
        if (server != null) {
            try {
                server.shutdown();
                server.awaitShutdown();
            } catch (RuntimeException e) {
                LOG.warn("Could not stop the in-process Kafka broker cleanly: {}", e.toString());
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Could not delete the Kafka data in {}: {}", dir, e.toString());
        }
    }

    private static int requireFree(int port) throws IOException {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
            return port;
        } catch (IOException e) {
            throw new IOException(HOST + ":" + port + " is in use; cannot start Kafka there", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }

    private static IllegalStateException failure(String message, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new IllegalStateException(message + ": " + e, e);
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers + ", " + logDir + "]";
    }
}
