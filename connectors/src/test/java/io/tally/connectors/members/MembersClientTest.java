package io.tally.connectors.members;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SPEC §4.2 fetching against the real local server: shape, header, and which failures retry. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MembersClientTest {
    static final String SECRET = "s3cr3t-token-ABC";
    // Generous: on a loaded 2-core CI machine a 500 ms budget expired before a plain 401 answer.
    static final Duration TIMEOUT = Duration.ofMillis(3000);

    LocalMembersApi api;
    MembersClient client;
    String url;

    @BeforeEach
    void start() {
        api = LocalMembersApi.start(0);
        api.requireSecret(SECRET);
        url = api.baseUrl() + api.addAudience("vip", LocalMembersApi.generate(7, 120, 0.1, 0.1));
        client = new MembersClient(TIMEOUT);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void fetchesPagesInTheWhopShape() throws Exception {
        List<MembersPage.Member> all = LocalMembersApi.generate(7, 120, 0.1, 0.1);
        MembersPage first = client.fetchPage(url, SECRET, 1).get(10, TimeUnit.SECONDS);
        MembersPage last = client.fetchPage(url, SECRET, 3).get(10, TimeUnit.SECONDS);

        assertThat(first.currentPage()).isEqualTo(1);
        assertThat(first.totalPages()).isEqualTo(3);
        assertThat(first.totalCount()).isEqualTo(120);
        assertThat(first.members()).containsExactlyElementsOf(all.subList(0, 50));
        assertThat(last.currentPage()).isEqualTo(3);
        assertThat(last.members()).containsExactlyElementsOf(all.subList(100, 120));
    }

    @Test
    void sendsPageAndPerAndTheBearerHeader() throws Exception {
        client.fetchPage(url, SECRET, 2).get(10, TimeUnit.SECONDS);

        assertThat(api.requests())
                .containsExactly(new LocalMembersApi.Request("vip", 2, 200, "Bearer " + SECRET));
    }

    @Test
    void appendsToAnExistingQuery() {
        assertThat(MembersClient.pageUrl("http://h/api/v2/members", 3))
                .isEqualTo("http://h/api/v2/members?page=3&per=50");
        assertThat(MembersClient.pageUrl("http://h/m?company=x", 3))
                .isEqualTo("http://h/m?company=x&page=3&per=50");
        assertThat(MembersClient.pageUrl("http://h/m?", 1)).isEqualTo("http://h/m?page=1&per=50");
    }

    @Test
    void existingQueryIsKeptOnTheWire() throws Exception {
        MembersPage page =
                client.fetchPage(url + "?company=x", SECRET, 3).get(10, TimeUnit.SECONDS);

        assertThat(page.currentPage()).isEqualTo(3);
        assertThat(api.requests()).extracting(LocalMembersApi.Request::page).containsExactly(3);
    }

    @Test
    void wrongSecretIs401AndNotRetryable() {
        MembersFetchException e = failure(client.fetchPage(url, "wrong-secret", 1));

        assertThat(e.retryable()).isFalse();
        assertThat(e.httpStatus()).isEqualTo(401);
        assertThat(e.getMessage()).isEqualTo("GET " + url + " (page 1): HTTP 401");
        assertThat(e.getMessage()).doesNotContain("wrong-secret");
    }

    @Test
    void unknownAudienceIs404AndNotRetryable() {
        MembersFetchException e = failure(client.fetchPage(api.audienceUrl("nobody"), SECRET, 1));

        assertThat(e.retryable()).isFalse();
        assertThat(e.httpStatus()).isEqualTo(404);
    }

    @Test
    void serverErrorsAndRateLimitsAreRetryableWithTheirStatus() throws Exception {
        api.failPage("vip", 2, 1, 503);
        api.failPage("vip", 2, 1, 429);

        MembersFetchException first = failure(client.fetchPage(url, SECRET, 2));
        MembersFetchException second = failure(client.fetchPage(url, SECRET, 2));
        MembersPage third = client.fetchPage(url, SECRET, 2).get(10, TimeUnit.SECONDS);

        assertThat(first.retryable()).isTrue();
        assertThat(first.httpStatus()).isEqualTo(503);
        assertThat(first.getMessage()).isEqualTo("GET " + url + " (page 2): HTTP 503");
        assertThat(second.retryable()).isTrue();
        assertThat(second.httpStatus()).isEqualTo(429);
        assertThat(third.members()).hasSize(50);
        assertThat(api.requests())
                .extracting(LocalMembersApi.Request::status)
                .containsExactly(503, 429, 200);
    }

    @Test
    void failAlwaysKeepsFailing() {
        api.failAlways("vip", 1, 500);

        for (int i = 0; i < 3; i++) {
            MembersFetchException e = failure(client.fetchPage(url, SECRET, 1));
            assertThat(e.retryable()).isTrue();
            assertThat(e.httpStatus()).isEqualTo(500);
        }
    }

    @Test
    void malformedBodiesAreRetryable() throws Exception {
        api.malformPage("vip", 1, 3); // truncated JSON, HTML, JSON without pagination

        for (int i = 0; i < 3; i++) {
            MembersFetchException e = failure(client.fetchPage(url, SECRET, 1));
            assertThat(e.retryable()).isTrue();
            assertThat(e.httpStatus()).isEqualTo(200);
            assertThat(e.getMessage()).contains("malformed body").doesNotContain(SECRET);
        }
        assertThat(client.fetchPage(url, SECRET, 1).get(10, TimeUnit.SECONDS).members())
                .hasSize(50);
    }

    @ParameterizedTest(name = "total_page {0}: accepted {1}")
    @CsvSource({"0, true", "1, true", "100000, true", "100001, false", "2147483647, false"})
    void totalPageIsCappedAt100000(long totalPage, boolean accepted) {
        String body =
                "{\"data\":[],\"pagination\":{\"current_page\":1,\"total_page\":"
                        + totalPage
                        + ",\"total_count\":0}}";
        if (accepted) {
            assertThat(catchThrowable(() -> MembersClient.parse(body))).isNull();
        } else {
            assertThatThrownBy(() -> MembersClient.parse(body))
                    .hasMessage("pagination.total_page out of range");
        }
    }

    @Test
    void aBodyOverTheCapIsMalformedAndRetryableAndAPageUnderItIsRead() throws Exception {
        // A page of 50 generated members is some kilobytes; a 1 KiB cap refuses it as it streams.
        MembersClient capped = new MembersClient(TIMEOUT, 1024);
        MembersFetchException e = failure(capped.fetchPage(url, SECRET, 1));
        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage())
                .isEqualTo("GET " + url + " (page 1): malformed body (larger than 1024 bytes)");
        MembersClient roomy = new MembersClient(TIMEOUT, 1 << 20);
        assertThat(roomy.fetchPage(url, SECRET, 1).get(10, TimeUnit.SECONDS).members()).hasSize(50);
        assertThat(MembersClient.MAX_BODY_BYTES).isEqualTo(16L << 20);
    }

    @Test
    void wrongTypesAreMalformed() {
        String ok = "\"pagination\":{\"current_page\":1,\"total_page\":1,\"total_count\":1}";
        assertThatThrownBy(() -> MembersClient.parse("{\"data\":{}," + ok + "}"))
                .hasMessageContaining("data");
        assertThatThrownBy(() -> MembersClient.parse("{\"data\":[1]," + ok + "}"))
                .hasMessageContaining("data[0]");
        assertThatThrownBy(() -> MembersClient.parse("{\"data\":[{\"email\":5}]," + ok + "}"))
                .hasMessageContaining("data[0].email");
        assertThatThrownBy(
                        () ->
                                MembersClient.parse(
                                        "{\"data\":[],\"pagination\":{\"current_page\":\"1\","
                                                + "\"total_page\":1,\"total_count\":1}}"))
                .hasMessageContaining("current_page");
        assertThatThrownBy(() -> MembersClient.parse("[]")).hasMessageContaining("object");
        assertThatThrownBy(() -> MembersClient.parse("")).hasMessageContaining("empty");
    }

    @Test
    void parseKeepsNullsAndIgnoresExtraFields() throws Exception {
        MembersPage page =
                MembersClient.parse(
                        "{\"data\":[{\"id\":42,\"email\":null,\"name\":\"Chloé\",\"extra\":[1]}],"
                                + "\"pagination\":{\"current_page\":2,\"total_page\":5,"
                                + "\"total_count\":230,\"next\":null}}");

        assertThat(page)
                .isEqualTo(
                        new MembersPage(
                                2,
                                5,
                                230,
                                List.of(new MembersPage.Member("42", null, "Chloé", null))));
    }

    @Test
    void slowPageTimesOutAndIsRetryable() {
        api.slowPage("vip", 1, Duration.ofMillis(5000));

        long start = System.nanoTime();
        MembersFetchException e = failure(client.fetchPage(url, SECRET, 1));
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(e.retryable()).isTrue();
        assertThat(e.httpStatus()).isNull();
        assertThat(e.getMessage()).isEqualTo("GET " + url + " (page 1): timed out after 3000 ms");
        // The client gave up before the slow page (5 s) would have answered.
        assertThat(tookMs).isLessThan(4500);
    }

    @Test
    void connectionRefusedIsRetryable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        MembersFetchException e =
                failure(client.fetchPage("http://127.0.0.1:" + port + "/m", SECRET, 1));

        assertThat(e.retryable()).isTrue();
        assertThat(e.httpStatus()).isNull();
        assertThat(e.getMessage())
                .startsWith("GET http://127.0.0.1:" + port + "/m (page 1): ")
                .doesNotContain(SECRET);
    }

    @Test
    void badArgumentsFailTheFutureNotTheCaller() {
        assertThat(failure(client.fetchPage("not a url", SECRET, 1)).retryable()).isFalse();
        assertThat(failure(client.fetchPage("ftp://h/m", SECRET, 1)).retryable()).isFalse();
        assertThat(failure(client.fetchPage(url, "", 1)).retryable()).isFalse();
        assertThat(failure(client.fetchPage(url, SECRET, 0)).retryable()).isFalse();
        MembersFetchException e = failure(client.fetchPage(url, "line\r\nbreak-secret", 1));
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).doesNotContain("break-secret");
    }

    @Test
    void theSecretIsInNoMessage() {
        api.failPage("vip", 1, 1, 503);
        api.malformPage("vip", 2, 1);
        api.slowPage("vip", 3, Duration.ofMillis(5000));

        List<MembersFetchException> errors =
                List.of(
                        failure(client.fetchPage(url, SECRET, 1)),
                        failure(client.fetchPage(url, SECRET, 2)),
                        failure(client.fetchPage(url, SECRET, 3)),
                        failure(client.fetchPage(url, "other-secret-XYZ", 1)),
                        failure(client.fetchPage("http://127.0.0.1:1/m", SECRET, 1)));

        for (MembersFetchException e : errors) {
            assertThat(e.getMessage()).doesNotContain(SECRET).doesNotContain("other-secret-XYZ");
            assertThat(String.valueOf(e.getCause())).doesNotContain(SECRET);
        }
    }

    @Test
    void messagesNameTheUrlWithoutItsQueryAndWithoutUserInfo() {
        MembersFetchException e =
                failure(client.fetchPage(url + "?api_key=query-token-123#frag", "wrong", 1));
        assertThat(e.getMessage())
                .isEqualTo("GET " + url + " (page 1): HTTP 401")
                .doesNotContain("query-token-123");
        assertThat(MembersClient.displayUrl("https://ada:pw-123@h:8443/a/b?k=v#f"))
                .isEqualTo("https://***@h:8443/a/b");
        assertThat(MembersClient.displayUrl("not a url?token=x")).isEqualTo("not a url");
        assertThat(MembersClient.displayUrl(null)).isEqualTo("<no url>");
    }

    /**
     * SPEC §4.1: redirects are never followed, so an allowed server cannot bounce the bearer secret
     * to another host. The allowed server answers 302 to a second listener, which must see nothing.
     */
    @Test
    void aRedirectIsNotFollowedAndTheTargetSeesNoRequest() throws Exception {
        List<String> seenByTarget = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer target = listener(seenByTarget, null);
        String targetUrl = "http://127.0.0.1:" + target.getAddress().getPort() + "/api/v2/members";
        com.sun.net.httpserver.HttpServer redirecting =
                listener(new java.util.ArrayList<>(), targetUrl);
        try {
            String from =
                    "http://127.0.0.1:" + redirecting.getAddress().getPort() + "/api/v2/members";
            MembersFetchException e = failure(client.fetchPage(from, SECRET, 1));

            assertThat(e.httpStatus()).isEqualTo(302);
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).isEqualTo("GET " + from + " (page 1): HTTP 302");
            assertThat(seenByTarget).isEmpty();
        } finally {
            redirecting.stop(0);
            target.stop(0);
        }
    }

    /** A listener recording "method path Authorization" of every request; 302s to redirectTo. */
    static com.sun.net.httpserver.HttpServer listener(List<String> seen, String redirectTo)
            throws IOException {
        com.sun.net.httpserver.HttpServer server =
                com.sun.net.httpserver.HttpServer.create(
                        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/",
                exchange -> {
                    seen.add(
                            exchange.getRequestMethod()
                                    + " "
                                    + exchange.getRequestURI()
                                    + " "
                                    + exchange.getRequestHeaders().getFirst("Authorization"));
                    if (redirectTo != null) {
                        exchange.getResponseHeaders().add("Location", redirectTo);
                        exchange.sendResponseHeaders(302, -1);
                    } else {
                        exchange.sendResponseHeaders(404, -1);
                    }
                    exchange.close();
                });
        server.start();
        return server;
    }

    @Test
    void unwrapFindsTheExceptionBehindTheFuture() {
        CompletableFuture<MembersPage> f = client.fetchPage(url, "nope", 1);
        Throwable t = f.handle((p, err) -> err).join();
        assertThat(MembersFetchException.unwrap(t)).isNotNull();
        assertThat(MembersFetchException.unwrap(new RuntimeException("x"))).isNull();
    }

    static MembersFetchException failure(CompletableFuture<MembersPage> future) {
        try {
            MembersPage page = future.get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + page);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(MembersFetchException.class);
            return (MembersFetchException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
