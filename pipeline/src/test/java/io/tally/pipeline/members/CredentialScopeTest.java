package io.tally.pipeline.members;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tally.connectors.members.LocalMembersApi;
import io.tally.connectors.members.MembersPage.Member;
import io.tally.connectors.testing.KafkaBrokerExtension;
import io.tally.connectors.testing.PostgresExtension;
import io.tally.pipeline.app.KafkaSources;
import io.tally.pipeline.app.Preflight;
import io.tally.pipeline.app.ProductionSinks;
import io.tally.pipeline.app.TallyJob;
import io.tally.pipeline.config.ConfigLoader;
import io.tally.pipeline.config.TallyConfig;
import io.tally.pipeline.testing.Db;
import io.tally.pipeline.testing.FlinkTestCluster;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §4.1 "a credential goes only where it is allowed to go", end to end on a MiniCluster at
 * parallelism 2 with a real Kafka broker and PostgreSQL: import requests that name a url outside
 * their credential's allowed prefixes — over http where the prefix says https, to another port or
 * host, with user info, or for a credential with no prefixes — fail at once with an error naming
 * the prefixes, and a listener standing in for the attacker's host receives no request at all (so
 * no Authorization header); an allowed server answering 302 to the listener is not followed.
 */
class CredentialScopeTest {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create();
    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    static final String SECRET = "bearer-canary-7f3a";

    static LocalMembersApi api;

    /** The attacker's host: must see nothing. */
    static HttpServer listener;

    static final List<String> listenerSaw = new CopyOnWriteArrayList<>();

    /** An allowed host that answers every request with a redirect to the listener. */
    static HttpServer redirecting;

    static final List<String> redirectingSaw = new CopyOnWriteArrayList<>();

    @TempDir static Path dir;

    @BeforeAll
    static void start() throws IOException {
        api = LocalMembersApi.start(0);
        api.requireSecret(SECRET);
        listener = server(listenerSaw, null);
        redirecting = server(redirectingSaw, listenerUrl("/api/v2/members"));
    }

    @AfterAll
    static void stop() {
        api.close();
        listener.stop(0);
        redirecting.stop(0);
    }

    static String listenerUrl(String path) {
        return "http://127.0.0.1:" + listener.getAddress().getPort() + path;
    }

    /** Records "METHOD uri Authorization" of every request; 302 to redirectTo, else 200 {}. */
    static HttpServer server(List<String> saw, String redirectTo) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext(
                "/",
                exchange -> {
                    saw.add(
                            exchange.getRequestMethod()
                                    + " "
                                    + exchange.getRequestURI()
                                    + " "
                                    + exchange.getRequestHeaders().getFirst("Authorization"));
                    if (redirectTo != null) {
                        exchange.getResponseHeaders().add("Location", redirectTo);
                        exchange.sendResponseHeaders(302, -1);
                    } else {
                        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
                        exchange.sendResponseHeaders(200, body.length);
                        exchange.getResponseBody().write(body);
                    }
                    exchange.close();
                });
        s.start();
        return s;
    }

    static String request(
            String jobId, String audience, String url, String credential, int priority, long ts) {
        var n = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        n.put("job_id", jobId);
        n.put("audience_id", audience);
        var source = n.putObject("source");
        source.put("url", url);
        source.put("credential", credential);
        n.put("priority", priority);
        n.put("ts", ts);
        return n.toString();
    }

    static void run(TallyConfig config) throws Exception {
        Preflight.migrate(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TallyJob.configure(env, config);
        io.tally.pipeline.app.LocalRunner.applyEmbeddedDefaults(env, config);
        TallyJob.define(env, config, new KafkaSources(config), new ProductionSinks(config));
        env.execute("credential-scope-test");
    }

    @Test
    void requestsOutsideTheAllowedPrefixesFailAtOnceAndReachNobody() throws Exception {
        String suffix = "scope" + System.nanoTime();
        int listenerPort = listener.getAddress().getPort();
        String apiPrefix = api.baseUrl() + "/api/v2/";
        // The listener's port is allowed over https only; the redirecting server over http.
        String httpsOnly = "https://127.0.0.1:" + listenerPort + "/api/v2/";
        String redirectPrefix = "http://127.0.0.1:" + redirecting.getAddress().getPort() + "/api/";
        String allowed = String.join(", ", apiPrefix, httpsOnly, redirectPrefix);

        Path secret = dir.resolve("whop-" + suffix);
        Files.writeString(secret, SECRET + "\n");
        Path yaml = dir.resolve("tally-" + suffix + ".yaml");
        Files.writeString(
                yaml,
                "credentials:\n"
                        + "  whop-main:\n"
                        + "    file: "
                        + secret
                        + "\n"
                        + "    allowed-urls: [\"https://api.whop.com/api/v2/\"]\n"
                        + "  no-prefixes:\n"
                        + "    file: "
                        + secret
                        + "\n"
                        + "members:\n  max-concurrent-jobs: 2\n  requests-per-second: 200\n");
        Map<String, String> flags = new HashMap<>();
        flags.put("bootstrap-servers", KAFKA.bootstrapServers());
        flags.put("jdbc-url", PG.jdbcUrl());
        flags.put("pipelines", "members");
        flags.put("from", "earliest");
        flags.put("bounded", "true");
        flags.put("flush-interval", "100ms");
        flags.put("idleness", "1s");
        flags.put("group-id", "test-" + suffix);
        flags.put("topic-members", "imports-" + suffix);
        flags.put("topic-dead-letters", "dead-" + suffix);
        // As a user would set it: the environment wins over the YAML's prefix.
        TallyConfig config =
                ConfigLoader.load(
                        flags,
                        Map.of(
                                "TALLY_CREDENTIAL_WHOP_MAIN_ALLOWED_URLS",
                                apiPrefix + "," + httpsOnly + "," + redirectPrefix),
                        yaml);
        KAFKA.createTopics(2, config.membersTopic, config.deadLetterTopic);

        List<Member> members = LocalMembersApi.generate(5, 70, 0.1, 0.05);
        String good = api.baseUrl() + api.addAudience("good-" + suffix, members);
        Map<String, String> refused = new HashMap<>();
        // http where the prefix says https (same host and port as allowed)
        refused.put("job-http", listenerUrl("/api/v2/members?token=query-canary"));
        // another port, and another host name for the same address
        refused.put(
                "job-port",
                "http://127.0.0.1:"
                        + listenerPort
                        + "/api/v2/audiences/good-"
                        + suffix
                        + "/members");
        refused.put(
                "job-host",
                "http://localhost:" + api.baseUrl().replaceAll(".*:", "") + "/api/v2/x");
        // the allowed host as user info in front of the listener
        refused.put(
                "job-userinfo",
                "http://127.0.0.1:"
                        + api.baseUrl().replaceAll(".*:", "")
                        + "@127.0.0.1:"
                        + listenerPort
                        + "/api/v2/members");
        // out of the allowed path through an encoded slash
        refused.put("job-dotdot", apiPrefix + "..%2f..%2fadmin");

        long ts = System.currentTimeMillis() - 60_000;
        List<String> requests = new java.util.ArrayList<>();
        requests.add(request("job-good", "aud-G", good, "whop-main", 0, ts));
        int i = 1;
        for (var e : refused.entrySet()) {
            requests.add(
                    request(
                            e.getKey(),
                            "aud-" + e.getKey(),
                            e.getValue(),
                            "whop-main",
                            0,
                            ts + i++));
        }
        requests.add(
                request(
                        "job-noprefix",
                        "aud-N",
                        listenerUrl("/api/v2/m"),
                        "no-prefixes",
                        0,
                        ts + i++));
        requests.add(
                request(
                        "job-redirect",
                        "aud-R",
                        redirectPrefix + "v2/members",
                        "whop-main",
                        0,
                        ts + i));
        for (String r : requests) {
            KAFKA.produce(config.membersTopic, null, r.getBytes(StandardCharsets.UTF_8));
        }

        run(config);

        // The attacker's host saw nothing at all, so no Authorization header either.
        assertThat(listenerSaw).isEmpty();
        // The allowed redirecting host got the one request it was allowed to get; its 302 was not
        // followed (SPEC §4.1: redirects never are) and is not retried.
        assertThat(redirectingSaw)
                .containsExactly("GET /api/v2/members?page=1&per=50 Bearer " + SECRET);

        Map<String, List<String>> jobs = new HashMap<>();
        for (List<String> r :
                Db.rows(PG.jdbcUrl(), "SELECT job_id, status, attempts, error FROM import_jobs")) {
            jobs.put(r.get(0), r);
        }
        assertThat(jobs.get("job-good").subList(1, 3)).containsExactly("completed", "1");
        for (var e : refused.entrySet()) {
            List<String> row = jobs.get(e.getKey());
            assertThat(row.get(1)).as(e.getKey()).isEqualTo("failed");
            assertThat(row.get(2)).as(e.getKey()).isEqualTo("1"); // no retry
            assertThat(row.get(3))
                    .as(e.getKey())
                    .startsWith(
                            "credential 'whop-main' may only be sent to URLs under "
                                    + allowed
                                    + "; ")
                    .endsWith(" is not one of them");
        }
        assertThat(jobs.get("job-http").get(3))
                .isEqualTo(
                        "credential 'whop-main' may only be sent to URLs under "
                                + allowed
                                + "; "
                                + listenerUrl("/api/v2/members")
                                + " is not one of them");
        assertThat(jobs.get("job-userinfo").get(3)).contains("http://***@127.0.0.1:");
        assertThat(jobs.get("job-noprefix").subList(1, 4))
                .containsExactly(
                        "failed",
                        "1",
                        "credential 'no-prefixes' has no allowed URLs: set"
                                + " TALLY_CREDENTIAL_NO_PREFIXES_ALLOWED_URLS or"
                                + " credentials.no-prefixes.allowed-urls");
        assertThat(jobs.get("job-redirect").get(1)).isEqualTo("failed");
        assertThat(jobs.get("job-redirect").get(3)).contains("HTTP 302");
        // No secret and no query string in any stored error.
        assertThat(jobs.values())
                .allSatisfy(
                        r ->
                                assertThat(String.valueOf(r.get(3)))
                                        .doesNotContain(SECRET)
                                        .doesNotContain("query-canary"));
        // Only the allowed API and the redirecting host were ever asked, always with the secret.
        assertThat(api.requests())
                .allSatisfy(r -> assertThat(r.audience()).isEqualTo("good-" + suffix));
    }
}
