package io.tally.pipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The clean-up after a bounded run: its checkpoint directory goes, whatever is in it. */
class LocalRunnerDeleteTreeTest {
    @TempDir Path tmp;

    @Test
    void deletesNestedCheckpointDirectories() throws Exception {
        Path job = tmp.resolve("bounded-checkpoints").resolve("job");
        for (String chk : new String[] {"chk-9", "chk-10"}) {
            Path c = Files.createDirectories(job.resolve(chk).resolve("state"));
            Files.writeString(c.resolve("part-0"), "x");
            Files.writeString(job.resolve(chk).resolve("_metadata"), "m");
        }
        Files.createDirectories(job.resolve("shared"));

        LocalRunner.deleteTree(job);

        assertThat(job).doesNotExist();
        assertThat(tmp.resolve("bounded-checkpoints")).isEmptyDirectory();
    }

    @Test
    void aLinkIsRemovedNotFollowed() throws Exception {
        Path outside = Files.writeString(tmp.resolve("keep"), "k");
        Path job = Files.createDirectories(tmp.resolve("job"));
        Files.createSymbolicLink(job.resolve("link"), outside);
        Files.createSymbolicLink(job.resolve("dangling"), tmp.resolve("gone"));

        LocalRunner.deleteTree(job);

        assertThat(job).doesNotExist();
        assertThat(outside).hasContent("k");
    }
}
