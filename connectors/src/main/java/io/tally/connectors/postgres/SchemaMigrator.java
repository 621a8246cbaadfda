package io.tally.connectors.postgres;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Versioned schema migrations with Flyway (SPEC §1.11): applies the SQL files found under the given
 * classpath locations, in version order, once each; running it again is a no-op.
 */
public final class SchemaMigrator {
    private SchemaMigrator() {}

    /** Migrates and returns how many migrations were applied now (0 when up to date). */
    public static int migrate(
            String jdbcUrl,
            String user,
            String password,
            ClassLoader classLoader,
            String... locations) {
        Flyway flyway =
                Flyway.configure(classLoader)
                        .dataSource(jdbcUrl, user, password)
                        .locations(locations)
                        .connectRetries(0)
                        .load();
        MigrateResult result = flyway.migrate();
        return result.migrationsExecuted;
    }

    /** The schema version now in the database, or null when nothing is applied. */
    public static String currentVersion(
            String jdbcUrl,
            String user,
            String password,
            ClassLoader classLoader,
            String... locations) {
        Flyway flyway =
                Flyway.configure(classLoader)
                        .dataSource(jdbcUrl, user, password)
                        .locations(locations)
                        .load();
        var current = flyway.info().current();
        return current == null ? null : current.getVersion().getVersion();
    }
}
