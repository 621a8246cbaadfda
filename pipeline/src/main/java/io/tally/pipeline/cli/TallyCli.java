package io.tally.pipeline.cli;

import io.tally.pipeline.app.UnreachableException;
import io.tally.pipeline.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/tally}: one launcher for every command of SPEC §5.2. */
@Command(
        name = "tally",
        mixinStandardHelpOptions = true,
        version = "tally 0.1.0",
        description = "Live analytics caches: Kafka → Flink → PostgreSQL.",
        // Each setting's --help text, from its definition (TallyConfig); subcommands inherit it.
        resourceBundle = "io.tally.pipeline.cli.SettingsHelp",
        subcommands = {
            DemoCommand.class,
            RunCommand.class,
            MigrateCommand.class,
            ProduceCommand.class,
            ExportCommand.class,
            BenchCommand.class,
            StatusCommand.class,
            ServeCommand.class,
            ImportDazzaCommand.class,
            DevClusterCommand.class,
            SubmitCommand.class,
            StopCommand.class,
            CommandLine.HelpCommand.class
        })
public final class TallyCli implements Runnable {
    /** Exit code when Kafka or PostgreSQL cannot be reached. */
    static final int EXIT_UNREACHABLE = 3;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new TallyCli());
        cli.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    if (e instanceof ConfigException) {
                        System.err.println("tally: " + e.getMessage());
                        return 2;
                    }
                    if (e instanceof CommandFailure f) {
                        System.err.println("tally: " + f.getMessage());
                        return f.exitCode;
                    }
                    if (e instanceof UnreachableException) {
                        System.err.println("tally: " + e.getMessage());
                        return EXIT_UNREACHABLE;
                    }
                    throw e;
                });
        return cli.execute(args);
    }
}
