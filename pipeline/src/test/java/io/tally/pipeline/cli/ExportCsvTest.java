package io.tally.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code tally export} CSV cells (SPEC §3.6, issue 10): usernames are untrusted, so a cell a
 * spreadsheet would run as a formula gets a leading {@code '}; then RFC 4180 quoting.
 */
class ExportCsvTest {
    @ParameterizedTest(name = "[{0}] → [{1}]")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                // plain names are untouched, non-ASCII included
                "ada|ada",
                "Chloé|Chloé",
                "李雷|李雷",
                "a=b|a=b",
                "a-b|a-b",
                "ada@example.com|ada@example.com",
                // formula starters get a single quote in front
                "=1+2|'=1+2",
                "+1|'+1",
                "-1|'-1",
                "@SUM(A1)|'@SUM(A1)",
                "=HYPERLINK(\"http://x\")|\"'=HYPERLINK(\"\"http://x\"\")\"",
                // and then quoting where the cell needs it
                "=1,2|\"'=1,2\"",
                "a,b|\"a,b\"",
                "say \"hi\"|\"say \"\"hi\"\"\"",
            })
    void cells(String raw, String cell) {
        assertThat(ExportCommand.csvCell(raw)).isEqualTo(cell);
    }

    @org.junit.jupiter.api.Test
    void tabAndCarriageReturnAreGuardedToo() {
        assertThat(ExportCommand.csvCell("\t=1+2")).isEqualTo("'\t=1+2");
        assertThat(ExportCommand.csvCell("\r=1+2")).isEqualTo("\"'\r=1+2\"");
        assertThat(ExportCommand.csvCell(null)).isEmpty();
        assertThat(ExportCommand.csvCell("")).isEmpty();
    }
}
