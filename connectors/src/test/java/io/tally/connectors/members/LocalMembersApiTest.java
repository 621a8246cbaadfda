package io.tally.connectors.members;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The local members API: the §4.2 shape over raw HTTP, its faults, its record, its generator. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LocalMembersApiTest {
    static final ObjectMapper JSON = new ObjectMapper();

    LocalMembersApi api;
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() {
        api = LocalMembersApi.start(0);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void baseUrlAndPath() {
        String path = api.addAudience("aud-42", List.of());

        assertThat(api.baseUrl())
                .matches("http://127\\.0\\.0\\.1:\\d+")
                .isNotEqualTo("http://127.0.0.1:0");
        assertThat(path).isEqualTo("/api/v2/audiences/aud-42/members");
        assertThat(api.audienceUrl("aud-42")).isEqualTo(api.baseUrl() + path);
    }

    @Test
    void servesPagesOfFiftyByDefaultAndHonoursPer() throws Exception {
        List<MembersPage.Member> members = LocalMembersApi.generate(1, 101, 0, 0);
        String url = api.baseUrl() + api.addAudience("a", members);

        JsonNode first = get(url + "?page=1", null, 200);
        JsonNode third = get(url + "?page=3&per=50", null, 200);
        JsonNode small = get(url + "?page=2&per=10", null, 200);
        JsonNode noPage = get(url, null, 200);

        assertThat(first.get("data")).hasSize(50);
        assertThat(first.get("data").get(0).get("id").asText()).isEqualTo(members.get(0).id());
        assertThat(first.get("pagination").toString())
                .isEqualTo("{\"current_page\":1,\"total_page\":3,\"total_count\":101}");
        assertThat(third.get("data")).hasSize(1);
        assertThat(third.get("data").get(0).get("email").asText())
                .isEqualTo(members.get(100).email());
        assertThat(small.get("pagination").get("total_page").asInt()).isEqualTo(11);
        assertThat(small.get("data").get(0).get("id").asText()).isEqualTo(members.get(10).id());
        assertThat(noPage.get("pagination").get("current_page").asInt()).isEqualTo(1);
    }

    @Test
    void emptyAudienceHasOnePageAndPastTheEndIsEmpty() throws Exception {
        String url = api.baseUrl() + api.addAudience("empty", List.of());

        JsonNode page = get(url + "?page=1&per=50", null, 200);
        JsonNode beyond = get(url + "?page=7&per=50", null, 200);

        assertThat(page.get("pagination").toString())
                .isEqualTo("{\"current_page\":1,\"total_page\":1,\"total_count\":0}");
        assertThat(beyond.get("data")).isEmpty();
    }

    @Test
    void nullFieldsAreSentAsNull() throws Exception {
        String url =
                api.baseUrl()
                        + api.addAudience(
                                "n", List.of(new MembersPage.Member("m1", null, "李 雷 x", null)));

        JsonNode m = get(url, null, 200).get("data").get(0);

        assertThat(m.get("email").isNull()).isTrue();
        assertThat(m.get("username").isNull()).isTrue();
        assertThat(m.get("name").asText()).isEqualTo("李 雷 x");
    }

    @Test
    void requiresTheSecretAndRecordsEveryRequest() throws Exception {
        String url = api.baseUrl() + api.addAudience("a", LocalMembersApi.generate(2, 60, 0, 0));
        api.requireSecret("pw");

        get(url + "?page=1", null, 401);
        get(url + "?page=1", "Bearer nope", 401);
        get(url + "?page=2", "Bearer pw", 200);
        get(api.audienceUrl("missing") + "?page=1", "Bearer pw", 404);
        get(api.baseUrl() + "/elsewhere", "Bearer pw", 404);

        assertThat(api.requests())
                .containsExactly(
                        new LocalMembersApi.Request("a", 1, 401, null),
                        new LocalMembersApi.Request("a", 1, 401, "Bearer nope"),
                        new LocalMembersApi.Request("a", 2, 200, "Bearer pw"),
                        new LocalMembersApi.Request("missing", 1, 404, "Bearer pw"),
                        new LocalMembersApi.Request(null, -1, 404, "Bearer pw"));
        assertThat(api.requests("a")).hasSize(3);
        api.clearRequests();
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void faultsArePerAudienceAndPage() throws Exception {
        String a = api.baseUrl() + api.addAudience("a", LocalMembersApi.generate(3, 120, 0, 0));
        String b = api.baseUrl() + api.addAudience("b", LocalMembersApi.generate(3, 120, 0, 0));
        api.failPage("a", 2, 2, 503);
        api.malformPage("a", 2, 1);
        api.failAlways("a", 3, 500);

        get(b + "?page=2", null, 200);
        get(a + "?page=1", null, 200);
        get(a + "?page=2", null, 503);
        get(a + "?page=2", null, 503);
        String garbled = raw(a + "?page=2", null).body();
        assertThatThrownBy(() -> MembersClient.parse(garbled)).hasMessage("not JSON");
        get(a + "?page=2", null, 200);
        get(a + "?page=3", null, 500);
        get(a + "?page=3", null, 500);
        api.clearFaults("a");
        get(a + "?page=3", null, 200);
    }

    @Test
    void slowPageDelaysOnlyThatPage() throws Exception {
        String a = api.baseUrl() + api.addAudience("a", LocalMembersApi.generate(3, 120, 0, 0));
        api.slowPage("a", 2, Duration.ofMillis(400));

        long t0 = System.nanoTime();
        get(a + "?page=1", null, 200);
        long fast = (System.nanoTime() - t0) / 1_000_000;
        t0 = System.nanoTime();
        get(a + "?page=2", null, 200);
        long slow = (System.nanoTime() - t0) / 1_000_000;

        assertThat(slow).isGreaterThanOrEqualTo(400);
        assertThat(fast).isLessThan(400);
    }

    @Test
    void generateIsDeterministicWithExactShares() {
        List<MembersPage.Member> members = LocalMembersApi.generate(42, 1000, 0.2, 0.1);

        assertThat(LocalMembersApi.generate(42, 1000, 0.2, 0.1)).isEqualTo(members);
        assertThat(LocalMembersApi.generate(43, 1000, 0.2, 0.1)).isNotEqualTo(members);
        assertThat(members).hasSize(1000);
        assertThat(members.stream().map(MembersPage.Member::id).distinct()).hasSize(1000);

        int invalid = 0;
        int duplicates = 0;
        boolean caseVariant = false;
        Set<String> seen = new HashSet<>();
        Set<String> exact = new HashSet<>();
        for (MembersPage.Member m : members) {
            String e = m.email();
            if (e == null || e.isEmpty() || !e.contains("@")) {
                invalid++;
            } else if (!seen.add(e.toLowerCase(Locale.ROOT))) {
                duplicates++;
                caseVariant |= !exact.contains(e);
            }
            if (e != null) {
                exact.add(e);
            }
        }
        assertThat(invalid).isEqualTo(100);
        assertThat(duplicates).isEqualTo(200);
        assertThat(seen).hasSize(700);
        assertThat(caseVariant).isTrue();
        assertThat(members.get(0).email()).contains("@"); // a duplicate always has an original
        assertThat(members)
                .extracting(MembersPage.Member::name)
                .contains("Ada Lovelace", "Chloé", "李 雷 x");
        assertThat(members).allSatisfy(m -> assertThat(m.username()).isNotBlank());
    }

    @Test
    void generateEdgeCases() {
        assertThat(LocalMembersApi.generate(1, 0, 0.5, 0.5)).isEmpty();
        List<MembersPage.Member> allDuplicates = LocalMembersApi.generate(1, 5, 1.0, 0);
        assertThat(allDuplicates.stream().map(m -> m.email().toLowerCase(Locale.ROOT)).distinct())
                .hasSize(1);
        assertThat(LocalMembersApi.generate(1, 5, 0, 1.0))
                .allSatisfy(
                        m -> assertThat(m.email() == null || !m.email().contains("@")).isTrue());
    }

    private JsonNode get(String url, String authorization, int status) throws Exception {
        HttpResponse<String> response = raw(url, authorization);
        assertThat(response.statusCode()).as(url).isEqualTo(status);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> raw(String url, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
