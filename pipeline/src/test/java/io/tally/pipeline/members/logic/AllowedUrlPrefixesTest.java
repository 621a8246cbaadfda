package io.tally.pipeline.members.logic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SPEC §4.1 "a credential goes only where it is allowed to go": which request urls lie under an
 * allowed prefix. Each row: prefix | url | allowed?
 */
class AllowedUrlPrefixesTest {
    static final String WHOP = "https://api.whop.com/api/v2/";

    @ParameterizedTest(name = "{0} ⊇ {1}: {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                // the SPEC example and what lies under it
                WHOP + "|https://api.whop.com/api/v2/members|true",
                WHOP + "|https://api.whop.com/api/v2/|true",
                WHOP + "|https://api.whop.com/api/v2/audiences/x/members?page=1&per=50|true",
                WHOP + "|https://API.Whop.COM/api/v2/members|true",
                WHOP + "|HTTPS://api.whop.com/api/v2/members|true",
                WHOP + "|https://api.whop.com:443/api/v2/members|true",
                WHOP + "|https://api.whop.com/api/v2/./members|true",
                WHOP + "|https://api.whop.com/api/v2/a/../members|true",
                WHOP + "|https://api.whop.com/api/v2/members#top|true",
                // the prefix without its slash covers the same tree, and nothing beside it
                "https://api.whop.com/api/v2|https://api.whop.com/api/v2|true",
                "https://api.whop.com/api/v2|https://api.whop.com/api/v2/members|true",
                "https://api.whop.com/api/v2|https://api.whop.com/api/v2-admin/members|false",
                "https://api.whop.com/api/v2|https://api.whop.com/api/v2.evil|false",
                WHOP + "|https://api.whop.com/api/v2|false",
                // a host-only prefix covers the host
                "https://api.whop.com|https://api.whop.com/anything|true",
                "https://api.whop.com/|https://api.whop.com|true",
                // http only where the prefix says http
                WHOP + "|http://api.whop.com/api/v2/members|false",
                "http://127.0.0.1:8089/api/v2/|http://127.0.0.1:8089/api/v2/members|true",
                "http://127.0.0.1:8089/api/v2/|https://127.0.0.1:8089/api/v2/members|false",
                // other hosts and ports
                WHOP + "|https://evil.example/api/v2/members|false",
                WHOP + "|https://api.whop.com.evil.com/api/v2/members|false",
                WHOP + "|https://evil.com/https://api.whop.com/api/v2/|false",
                WHOP + "|https://whop.com/api/v2/members|false",
                WHOP + "|https://api.whop.com./api/v2/members|false",
                WHOP + "|https://api.whop.com:8443/api/v2/members|false",
                "http://127.0.0.1:8089/api/v2/|http://127.0.0.1:8090/api/v2/members|false",
                "http://127.0.0.1:8089/api/v2/|http://localhost:8089/api/v2/members|false",
                "http://127.0.0.1/api/|http://127.0.0.1:80/api/x|true",
                // user info: the host would be the part after '@'
                WHOP + "|https://api.whop.com@evil.com/api/v2/members|false",
                WHOP + "|https://user:pw@api.whop.com/api/v2/members|false",
                // leaving the prefix's path
                WHOP + "|https://api.whop.com/api/v2/../admin|false",
                WHOP + "|https://api.whop.com/api/v2/../../|false",
                WHOP + "|https://api.whop.com/api/v2/%2e%2e/admin|false",
                WHOP + "|https://api.whop.com/api/v2/%2E%2E/admin|false",
                WHOP + "|https://api.whop.com/api/v2/..%2fadmin|false",
                WHOP + "|https://api.whop.com/api/v2/..%2Fadmin|false",
                WHOP + "|https://api.whop.com/api/v2/..%5cadmin|false",
                WHOP + "|https://api.whop.com/api/v2/..%5Cadmin|false",
                WHOP + "|https://api.whop.com/api/v2/..;/admin|false",
                "https://api.whop.com/|https://api.whop.com/../etc|false",
                WHOP + "|https://api.whop.com/api/V2/members|false",
                // not http(s), not absolute, not parseable
                WHOP + "|ftp://api.whop.com/api/v2/members|false",
                WHOP + "|file:///api/v2/members|false",
                WHOP + "|javascript:alert(1)|false",
                WHOP + "|//api.whop.com/api/v2/members|false",
                WHOP + "|/api/v2/members|false",
                WHOP + "|https://api.whop.com/api/v2/a b|false",
                WHOP + "|https://api.whop.com\\@evil.com/api/v2/|false",
                WHOP + "|https://exa_mple.com/api/v2/|false",
                WHOP + "|''|false",
                // a prefix that is not a valid one matches nothing
                "ftp://api.whop.com/|ftp://api.whop.com/x|false",
                "not a url|not a url|false",
            })
    void urlsUnderAPrefix(String prefix, String url, boolean allowed) {
        assertThat(AllowedUrlPrefixes.allows(prefix, url)).isEqualTo(allowed);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "https://evil.example/api|false",
                "https://api.whop.com/api/v2/members|true",
                "http://127.0.0.1:8089/api/v2/members|true",
                "http://127.0.0.1:8089/other|false",
            })
    void anyOfSeveralPrefixes(String url, boolean allowed) {
        List<String> prefixes = List.of(WHOP, "http://127.0.0.1:8089/api/v2/");
        assertThat(AllowedUrlPrefixes.allows(prefixes, url)).isEqualTo(allowed);
        assertThat(AllowedUrlPrefixes.allows(List.of(), url)).isFalse();
        assertThat(AllowedUrlPrefixes.allows((List<String>) null, url)).isFalse();
    }
}
