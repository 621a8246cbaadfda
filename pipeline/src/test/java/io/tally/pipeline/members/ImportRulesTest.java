package io.tally.pipeline.members;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.tally.connectors.kafka.ParsedRecord;
import io.tally.connectors.kafka.ValidatingDeserializer;
import io.tally.pipeline.members.logic.ContactNames;
import io.tally.pipeline.members.logic.Credentials;
import io.tally.pipeline.members.records.ImportRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** SPEC §4.1 and §4.3: request fields, credential names, email keys and name splitting. */
class ImportRulesTest {
    final ValidatingDeserializer<ImportRequest> deserializer =
            new ValidatingDeserializer<>(
                    new ImportRequestValidator(),
                    r -> r.ts,
                    Types.POJO(ImportRequest.class),
                    1 << 20,
                    Duration.ofDays(1));

    ParsedRecord<ImportRequest> parse(String json) {
        return deserializer.parse(
                "member-imports", 0, 0, null, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theSpecExampleRequest() {
        ParsedRecord<ImportRequest> r =
                parse(
                        "{\"job_id\": \"batch_1719800000_x1y2z3\", \"audience_id\": \"aud-42\", \"list_name\": \"VIP members\","
                                + " \"source\": {\"url\": \"http://127.0.0.1:8089/api/v2/members\", \"credential\": \"whop-main\"},"
                                + " \"priority\": 0, \"ts\": 1719800000000}");
        assertThat(r.isValid()).isTrue();
        assertThat(r.value.jobId).isEqualTo("batch_1719800000_x1y2z3");
        assertThat(r.value.credential).isEqualTo("whop-main");
        assertThat(r.value.sourceUrl).isEqualTo("http://127.0.0.1:8089/api/v2/members");
        assertThat(r.value.ts).isEqualTo(1719800000000L);
    }

    @ParameterizedTest(name = "{1}: {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"audience_id\":\"a\",\"source\":{\"url\":\"http://x\",\"credential\":\"c\"},\"ts\":1}|missing-field",
                "{\"job_id\":\"j\",\"audience_id\":\"a\",\"source\":{\"url\":\"http://x\"},\"ts\":1}|missing-field",
                "{\"job_id\":\"j\",\"audience_id\":\"a\",\"source\":{\"url\":\"http://x\",\"credential\":\"c\"},\"priority\":\"high\",\"ts\":1}|wrong-type",
                "{\"job_id\":\"j\",\"audience_id\":\"a\",\"source\":{\"url\":\"ftp://x\",\"credential\":\"c\"},\"ts\":1}|bad-value",
                "{\"job_id\":\"\",\"audience_id\":\"a\",\"source\":{\"url\":\"http://x\",\"credential\":\"c\"},\"ts\":1}|bad-value",
            })
    void badRequests(String json, String reason) {
        assertThat(parse(json).deadLetter.reason).isEqualTo(reason);
    }

    @Test
    void credentialNamesMapToEnvironmentVariables() {
        assertThat(Credentials.envName("whop-main")).isEqualTo("TALLY_CREDENTIAL_WHOP_MAIN");
        assertThat(Credentials.envName("a.b c")).isEqualTo("TALLY_CREDENTIAL_A_B_C");
    }

    @Test
    void credentialsComeFromFilesTrimmedAndUnknownOnesFailClearly(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("whop");
        Files.writeString(file, "  token-123 \n");
        Credentials c =
                new Credentials(
                        Map.of("whop-main", file.toString()),
                        Map.of("WHOP_MAIN", List.of(ALLOWED), "NOPE", List.of(ALLOWED)));
        assertThat(c.secretFor("whop-main", ALLOWED + "members")).isEqualTo("token-123");
        assertThatThrownBy(() -> c.secretFor("nope", ALLOWED + "members"))
                .hasMessageContaining("unknown credential 'nope'")
                .hasMessageContaining("TALLY_CREDENTIAL_NOPE");
    }

    static final String ALLOWED = "https://api.whop.com/api/v2/";

    @Test
    void aUrlOutsideTheAllowedPrefixesIsRefusedBeforeTheSecretIsRead(@TempDir Path dir) {
        // The file does not exist: a refusal must come before any attempt to read it.
        String missing = dir.resolve("not-there").toString();
        Credentials c =
                new Credentials(
                        Map.of("whop-main", missing),
                        Map.of("WHOP_MAIN", List.of(ALLOWED, "http://127.0.0.1:8089/api/v2/")));
        assertThatThrownBy(() -> c.secretFor("whop-main", "https://evil.example/api?token=leak-me"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "credential 'whop-main' may only be sent to URLs under "
                                + ALLOWED
                                + ", http://127.0.0.1:8089/api/v2/;"
                                + " https://evil.example/api is not one of them");
        assertThatThrownBy(() -> c.secretFor("whop-main", "http://api.whop.com/api/v2/members"))
                .hasMessageContaining("may only be sent to URLs under");
        // Allowed: only now is the file read (and found missing).
        assertThatThrownBy(() -> c.secretFor("whop-main", ALLOWED + "members"))
                .hasMessageContaining("cannot read its file");
    }

    @Test
    void aCredentialWithoutAllowedUrlsGoesNowhere() {
        Credentials c = new Credentials(Map.of("whop-main", "/run/secrets/whop"), Map.of());
        assertThatThrownBy(() -> c.secretFor("whop-main", ALLOWED + "members"))
                .hasMessage(
                        "credential 'whop-main' has no allowed URLs: set"
                                + " TALLY_CREDENTIAL_WHOP_MAIN_ALLOWED_URLS or"
                                + " credentials.whop-main.allowed-urls");
        assertThat(Credentials.allowedUrlsEnvName("whop.main"))
                .isEqualTo("TALLY_CREDENTIAL_WHOP_MAIN_ALLOWED_URLS");
    }

    @Test
    void emailsAreKeptWhenNonEmptyWithAnAtAndKeyedLowerCasedWithoutTrim() {
        assertThat(ContactNames.isValidEmail("a@b")).isTrue();
        assertThat(ContactNames.isValidEmail("@")).isTrue();
        assertThat(ContactNames.isValidEmail("")).isFalse();
        assertThat(ContactNames.isValidEmail(null)).isFalse();
        assertThat(ContactNames.isValidEmail("ada.example.com")).isFalse();
        assertThat(ContactNames.emailKey("Ada@Example.COM")).isEqualTo("ada@example.com");
        assertThat(ContactNames.emailKey(" Ada@x ")).isEqualTo(" ada@x ");
        // ROOT, not the default locale: a Turkish default would turn I into a dotless ı.
        assertThat(ContactNames.emailKey("IRIS@X")).isEqualTo("iris@x");
    }

    @Test
    void namesSplitAtTheFirstSpace() {
        assertThat(ContactNames.firstName("Ada Lovelace")).isEqualTo("Ada");
        assertThat(ContactNames.lastName("Ada Lovelace")).isEqualTo("Lovelace");
        assertThat(ContactNames.firstName("李 雷 x")).isEqualTo("李");
        assertThat(ContactNames.lastName("李 雷 x")).isEqualTo("雷 x");
        assertThat(ContactNames.firstName("Chloé")).isEqualTo("Chloé");
        assertThat(ContactNames.lastName("Chloé")).isNull();
        assertThat(ContactNames.firstName(null)).isNull();
    }

    static final String NUL_ERROR = ": contains U+0000 (NUL), which PostgreSQL text cannot hold";

    /** A request whose strings are JSON string contents (escapes stay escapes). */
    static String request(
            String jobId, String audienceId, String listName, String url, String credential) {
        return "{\"job_id\":\""
                + jobId
                + "\",\"audience_id\":\""
                + audienceId
                + "\",\"list_name\":\""
                + listName
                + "\",\"source\":{\"url\":\""
                + url
                + "\",\"credential\":\""
                + credential
                + "\"},\"ts\":1719800000000}";
    }

    static final String URL = "http://127.0.0.1:8089/api/v2/members";

    static Stream<Arguments> valuesNoTableCanHold() {
        String longUrl = "https://x/" + "p".repeat(2038);
        return Stream.of(
                arguments("good", request("j", "a", "VIP", URL, "whop-main"), "ok"),
                arguments(
                        "at the caps",
                        request("j".repeat(256), "a".repeat(256), "l".repeat(1000), longUrl, "c"),
                        "ok"),
                arguments(
                        "NUL in job_id",
                        request("batch\\u0000", "a", "VIP", URL, "c"),
                        "bad-value: job_id" + NUL_ERROR),
                arguments(
                        "surrogate in audience_id",
                        request("j", "aud\\ud800", "VIP", URL, "c"),
                        "bad-value: audience_id: contains an unpaired surrogate (U+D800), which is"
                                + " not valid Unicode and PostgreSQL cannot store"),
                arguments(
                        "job_id of 257",
                        request("j".repeat(257), "a", "VIP", URL, "c"),
                        "bad-value: job_id: at most 256 characters, got 257"),
                arguments(
                        "audience_id of 5000",
                        request("j", "a".repeat(5000), "VIP", URL, "c"),
                        "bad-value: audience_id: at most 256 characters, got 5000"),
                arguments(
                        "list_name of 1001",
                        request("j", "a", "l".repeat(1001), URL, "c"),
                        "bad-value: list_name: at most 1000 characters, got 1001"),
                arguments(
                        "source.url of 2049",
                        request("j", "a", "VIP", longUrl + "p", "c"),
                        "bad-value: source.url: at most 2048 characters, got 2049"),
                arguments(
                        "NUL in the credential name (it ends up in import_jobs.error)",
                        request("j", "a", "VIP", URL, "wh\\u0000op"),
                        "bad-value: source.credential" + NUL_ERROR),
                arguments(
                        "ts in year 10000",
                        request("j", "a", "VIP", URL, "c")
                                .replace("1719800000000", "\"+10000-01-01T00:00:00Z\""),
                        "bad-timestamp: ts: expected an instant from 1970-01-01T00:00:00Z to"
                                + " 9999-12-31T23:59:59.999Z, got \"+10000-01-01T00:00:00Z\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void valuesNoTableCanHold(String name, String json, String expected) {
        ParsedRecord<ImportRequest> r = parse(json);
        String outcome = r.isValid() ? "ok" : r.deadLetter.reason + ": " + r.deadLetter.error;
        assertThat(outcome).isEqualTo(expected);
    }

    static Stream<Arguments> apiEmails() {
        return Stream.of(
                arguments("a@b", true),
                arguments("x".repeat(252) + "@b", true), // 254 characters
                arguments("x".repeat(253) + "@b", false), // 255
                arguments("😀".repeat(252) + "@b", true), // 254 code points, 506 UTF-16 units
                arguments("ada\u0000@example.com", false),
                arguments("\u0000@", false),
                arguments("ada\ud800@example.com", false),
                arguments("ada😀@example.com", true),
                arguments("", false),
                arguments(null, false));
    }

    /** SPEC §4.1: an email with U+0000 or over 254 characters counts as invalid. */
    @ParameterizedTest(name = "[{0}] valid: {1}")
    @MethodSource
    void apiEmails(String email, boolean valid) {
        assertThat(ContactNames.isValidEmail(email)).isEqualTo(valid);
    }

    @ParameterizedTest(name = "[{0}] → [{1}]")
    @CsvSource(
            delimiter = '|',
            nullValues = "NULL",
            value = {"Ada|Ada", "A\\0da|Ada", "\\0\\0|''", "NULL|NULL", "''|''"})
    void nulIsRemovedFromTheOtherFieldsOfApiMembers(String in, String out) {
        String unescaped = in == null ? null : in.replace("\\0", "\u0000");
        assertThat(ContactNames.withoutNul(unescaped)).isEqualTo(out);
    }
}
