package io.tally.pipeline.serve;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The parameter rules of SPEC §6.3 and §6.4, without a server or a database. */
class ServeParametersTest {

    /** What JavaScript's {@code parseInt(s)} gives ("NaN" when it gives NaN). */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "10|10",
                "'  7'|7",
                "12abc|12",
                "abc|NaN",
                "''|NaN",
                "-3|-3",
                "+4|4",
                "0x1A|26",
                "0X1a|26",
                "0x|NaN",
                "1e3|1",
                "3.9|3",
                "'\u00a0\u20285'|5",
                "٣|NaN",
                "99999999999999999999|9223372036854775807",
            })
    void limitIsParsedLikeJavaScriptParseInt(String input, String expected) {
        Long parsed = ChatEndpoints.parseIntLikeJavaScript(input);
        assertThat(parsed == null ? "NaN" : parsed.toString()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "a+b%20c|a b c",
                "%E6%9D%8E|李",
                "%ZZ|%ZZ",
                "100%|100%",
                "%C3%28|\ufffd(",
            })
    void queryValuesAreDecodedLikeNodesQuerystring(String raw, String expected) {
        assertThat(ApiRequest.parseQuery("v=" + raw).get("v")).containsExactly(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {"%E6%9D%8E|李", "a%2Fb|a/b", "a+b|a+b", "%ZZ|", "%C3%28|", "%|"})
    void pathSegmentsAreDecodedLikeDecodeUriComponent(String raw, String expected) {
        assertThat(ApiRequest.decodePathSegment(raw)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''|100|0|farming_score|false",
                "limit=5000&offset=007|1000|7|farming_score|false",
                "sortBy=bogus&sortOrder=ASC|100|0|farming_score|false",
                "sortBy=risk_level&sortOrder=asc|100|0|risk_level|true",
                "offset=99999999999999999999999|100|9223372036854775807|farming_score|false",
            })
    void leaderboardParametersAreStrictDigitsAndFixedColumns(
            String query, int limit, long offset, String sortBy, boolean ascending) {
        LeaderboardEndpoints.Query q =
                LeaderboardEndpoints.parse(ApiRequest.get("/api/leaderboard?" + query));
        assertThat(q.limit()).isEqualTo(limit);
        assertThat(q.offset()).isEqualTo(offset);
        assertThat(q.sortBy()).isEqualTo(sortBy);
        assertThat(q.ascending()).isEqualTo(ascending);
    }
}
