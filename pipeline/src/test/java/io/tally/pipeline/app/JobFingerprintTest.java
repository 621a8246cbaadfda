package io.tally.pipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.pipeline.config.TallyConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPEC §5.2 "Resuming is safe": what makes two runs the same job, and how a difference reads. */
class JobFingerprintTest {
    private static final TallyConfig BASE =
            TallyConfig.defaults()
                    .with(
                            Map.of(
                                    "bootstrap-servers", "kafka-b:9092,kafka-a:9092",
                                    "jdbc-url", "jdbc:postgresql://db:5432/tally"));

    @Test
    void theSameJobMatchesWhateverTheOrderOfServersAndTheUrlParameters() {
        TallyConfig same =
                BASE.with(
                        Map.of(
                                "bootstrap-servers", "KAFKA-A:9092, kafka-b:9092",
                                "jdbc-url", "jdbc:postgresql://db/tally?password=secret&ssl=true",
                                "timezone", "Australia/Sydney",
                                "parallelism", "4"));
        assertThat(JobFingerprint.of(same).differencesFrom(JobFingerprint.of(BASE))).isEmpty();
    }

    @Test
    void eachDifferenceIsNamedFromStoredToNow() {
        TallyConfig other =
                BASE.with(
                        Map.of(
                                "pipelines", "chat",
                                "bootstrap-servers", "other:9092",
                                "jdbc-url", "jdbc:postgresql://db:5432/elsewhere",
                                "topic-chat", "chat-v2"));
        assertThat(JobFingerprint.of(other).differencesFrom(JobFingerprint.of(BASE)))
                .containsExactly(
                        "pipelines chat,reviews,members → chat",
                        "alerts topic r4r-alerts → (none)",
                        "chat topic chat-messages → chat-v2",
                        "members topic member-imports → (none)",
                        "reviews topic reviews → (none)",
                        "bootstrap servers kafka-a:9092,kafka-b:9092 → other:9092",
                        "database postgresql://db:5432/tally → postgresql://db:5432/elsewhere");
    }

    @Test
    void aStoredFingerprintReadsBackEqualAndKeepsNoPassword(@TempDir Path dir) throws Exception {
        TallyConfig withPassword =
                BASE.with(Map.of("jdbc-url", "jdbc:postgresql://db:5432/tally?password=hunter2"));
        JobFingerprint.of(withPassword).write(dir);
        assertThat(JobFingerprint.read(dir)).isEqualTo(JobFingerprint.of(BASE));
        assertThat(java.nio.file.Files.readString(dir.resolve(JobFingerprint.FILE)))
                .doesNotContain("hunter2");
        assertThat(JobFingerprint.read(dir.resolve("nothing-here"))).isNull();
    }
}
