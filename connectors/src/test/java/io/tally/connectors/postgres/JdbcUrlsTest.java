package io.tally.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SPEC §5.2 / issue 10: a JDBC URL is shown only with its secrets masked. */
class JdbcUrlsTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                // nothing secret: unchanged
                "jdbc:postgresql://127.0.0.1:5432/tally|jdbc:postgresql://127.0.0.1:5432/tally",
                "jdbc:postgresql://h/db?sslmode=require&ApplicationName=x|jdbc:postgresql://h/db?sslmode=require&ApplicationName=x",
                "jdbc:postgresql://h1:5432,h2:5433/db?targetServerType=primary|jdbc:postgresql://h1:5432,h2:5433/db?targetServerType=primary",
                // secret query parameters, any case, anywhere in the query
                "jdbc:postgresql://h/db?password=s3cret|jdbc:postgresql://h/db?password=***",
                "jdbc:postgresql://h/db?user=tally&password=s3cret&ssl=true|jdbc:postgresql://h/db?user=tally&password=***&ssl=true",
                "jdbc:postgresql://h/db?PASSWORD=s3cret|jdbc:postgresql://h/db?PASSWORD=***",
                "jdbc:postgresql://h/db?sslpassword=p&sslkey=/k/client.pk8|jdbc:postgresql://h/db?sslpassword=***&sslkey=***",
                "jdbc:postgresql://h/db?pass%77ord=s3cret|jdbc:postgresql://h/db?pass%77ord=***",
                "jdbc:postgresql://h/db?password=|jdbc:postgresql://h/db?password=***",
                "jdbc:postgresql://h/db?password=a=b&x=1|jdbc:postgresql://h/db?password=***&x=1",
                // user:password@ before the hosts; a user alone is kept
                "jdbc:postgresql://tally:s3cret@h:5432/db|jdbc:postgresql://tally:***@h:5432/db",
                "jdbc:postgresql://tally:s3/cr@t@h:5432/db|jdbc:postgresql://tally:***@h:5432/db",
                "jdbc:postgresql://tally@h:5432/db|jdbc:postgresql://tally@h:5432/db",
                "jdbc:postgresql://u:p@h/db?password=q|jdbc:postgresql://u:***@h/db?password=***",
            })
    void masksSecretsAndKeepsTheRest(String url, String shown) {
        assertThat(JdbcUrls.redact(url)).isEqualTo(shown);
    }

    @Test
    void nullStaysNull() {
        assertThat(JdbcUrls.redact(null)).isNull();
    }

    @Test
    void settingsShowTheRedactedUrlOnly() {
        JdbcSettings s = JdbcSettings.of("jdbc:postgresql://h/db?password=s3cret-canary");
        assertThat(s.redactedUrl()).doesNotContain("s3cret-canary");
        assertThat(s.toString()).doesNotContain("s3cret-canary");
        assertThatThrownBy(() -> JdbcSettings.of("jdbc:mysql://h/db?password=s3cret-canary"))
                .hasMessageNotContaining("s3cret-canary");
    }

    @Test
    void withDatabaseKeepsTheParameters() {
        assertThat(JdbcUrls.withDatabase("jdbc:postgresql://h:1/a?x=1", "b"))
                .isEqualTo("jdbc:postgresql://h:1/b?x=1");
    }
}
