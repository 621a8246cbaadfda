package io.tally.pipeline.runtime;

import io.tally.connectors.postgres.UpsertTable;

/**
 * Column mapping of the job's counters behind {@code pipeline_status} (SPEC §5.1). The job writes
 * {@code pipeline_status_counts}; {@code pipeline_status} is a view over it that adds the rows the
 * database refused ({@code rejected_rows}, SPEC §1.6) to each pipeline's dead letters, because
 * those are only known to the sinks, in the database's own transactions.
 */
public final class StatusTable {
    public static final String TABLE = "pipeline_status_counts";

    private StatusTable() {}

    public static UpsertTable<PipelineStatusRow> table() {
        return UpsertTable.<PipelineStatusRow>builder(TABLE)
                .keyColumns("pipeline")
                .valueColumns(
                        "watermark",
                        "last_flush_at",
                        "records_in",
                        "records_out",
                        "dead_letters",
                        "late_dropped",
                        "version")
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .values(
                        r ->
                                new Object[] {
                                    r.pipeline,
                                    Columns.utc(r.watermark),
                                    Columns.utc(r.lastFlushAt),
                                    r.recordsIn,
                                    r.recordsOut,
                                    r.deadLetters,
                                    r.lateDropped,
                                    r.version
                                })
                .build();
    }
}
