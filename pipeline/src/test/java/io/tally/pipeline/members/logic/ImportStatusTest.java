package io.tally.pipeline.members.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** SPEC §4.2/§4.4: every pair of statuses, and whether a job may move from the one to the other. */
class ImportStatusTest {
    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                // from     | to         | allowed | why
                "pending    | processing | true    | a worker takes the job",
                "pending    | retry      | false   | nothing was attempted",
                "pending    | completed  | false   | nothing was fetched",
                "pending    | failed     | false   | it fails only while processing",
                "pending    | pending    | false   | no move",
                "processing | retry      | true    | the attempt failed, attempts are left",
                "processing | completed  | true    | the last or an empty page",
                "processing | failed     | true    | an error retrying cannot fix, or the 4th attempt",
                "processing | pending    | false   | a started job never waits as new again",
                "processing | processing | false   | a page applied is not a move",
                "retry      | processing | true    | the next attempt, from the cursor",
                "retry      | completed  | false   | it must run again first",
                "retry      | failed     | false   | it fails only while processing",
                "retry      | pending    | false   | attempts are not forgotten",
                "retry      | retry      | false   | no move",
                "completed  | processing | false   | final",
                "completed  | failed     | false   | final",
                "completed  | retry      | false   | final",
                "completed  | pending    | false   | final",
                "completed  | completed  | false   | final",
                "failed     | processing | false   | final",
                "failed     | completed  | false   | final",
                "failed     | retry      | false   | final",
                "failed     | pending    | false   | final",
                "failed     | failed     | false   | final",
            })
    void transitions(String from, String to, boolean allowed, String why) {
        ImportStatus source = ImportStatus.of(from);
        ImportStatus target = ImportStatus.of(to);
        assertThat(source.next().contains(target)).as(why).isEqualTo(allowed);
        if (allowed) {
            assertThat(source.moveTo(target)).isEqualTo(target);
        } else {
            assertThatThrownBy(() -> source.moveTo(target))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("an import job cannot move from " + from + " to " + to);
        }
    }

    @ParameterizedTest(name = "{0} finished: {1}")
    @CsvSource({
        "pending, false",
        "processing, false",
        "retry, false",
        "completed, true",
        "failed, true"
    })
    void onlyCompletedAndFailedAreFinished(String status, boolean finished) {
        assertThat(ImportStatus.of(status).isFinished()).isEqualTo(finished);
    }

    /** The operator state and import_jobs keep the lower-case name (SPEC §4.4). */
    @ParameterizedTest
    @EnumSource(ImportStatus.class)
    void theTableNameIsTheLowerCaseNameAndReadsBack(ImportStatus status) {
        assertThat(status.tableName()).isEqualTo(status.name().toLowerCase(java.util.Locale.ROOT));
        assertThat(ImportStatus.of(status.tableName())).isEqualTo(status);
    }

    @ParameterizedTest
    @CsvSource({"PENDING", "done", "''"})
    void anUnknownNameIsRefused(String name) {
        assertThatThrownBy(() -> ImportStatus.of(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown status " + name);
    }
}
