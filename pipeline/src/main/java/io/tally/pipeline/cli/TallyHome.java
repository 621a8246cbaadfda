package io.tally.pipeline.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** The Tally checkout the launcher runs from: where {@code scripts/} and the job jar are. */
final class TallyHome {
    private TallyHome() {}

    /**
     * {@code -Dtally.home} (set by bin/tally), else the first parent of the working directory with
     * scripts/.
     */
    static Path find() {
        String prop = System.getProperty("tally.home");
        if (prop != null && !prop.isEmpty()) {
            return Path.of(prop).toAbsolutePath();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isExecutable(p.resolve("scripts/flink-standalone.sh"))) {
                return p;
            }
        }
        throw new CommandFailure(
                2, "cannot find the Tally checkout (run bin/tally, or set -Dtally.home)");
    }

    /** The shaded job jar that {@code submit} uploads. */
    static Path jobJar() {
        return find().resolve("pipeline/target/tally-job.jar");
    }
}
