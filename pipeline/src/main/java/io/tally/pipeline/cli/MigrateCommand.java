package io.tally.pipeline.cli;

import io.tally.pipeline.app.Preflight;
import io.tally.pipeline.config.TallyConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code tally migrate}: creates or upgrades every table, index and view (SPEC §1.11). */
@Command(
        name = "migrate",
        mixinStandardHelpOptions = true,
        description = "Create or upgrade the schema in --jdbc-url (idempotent).")
final class MigrateCommand implements Callable<Integer> {
    @Mixin CommonOptions options;

    @Override
    public Integer call() {
        TallyConfig config = options.load();
        int applied = Preflight.migrate(config);
        System.out.println(
                applied == 0
                        ? "Schema is up to date."
                        : "Applied " + applied + " migration(s); schema is up to date.");
        return 0;
    }
}
