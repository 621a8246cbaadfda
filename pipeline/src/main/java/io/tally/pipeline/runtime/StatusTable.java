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
                .key("pipeline", r -> r.pipeline)
                .column("watermark", r -> Columns.utc(r.watermark))
                .column("last_flush_at", r -> Columns.utc(r.lastFlushAt))
                .column("records_in", r -> r.recordsIn)
                .column("records_out", r -> r.recordsOut)
                .column("dead_letters", r -> r.deadLetters)
                .column("late_dropped", r -> r.lateDropped)
                .column("version", r -> r.version)
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .build();
    }
}
