package io.tally.pipeline.job;

import io.tally.connectors.postgres.UpsertTable;

/** Column mapping of {@code pipeline_status} (SPEC §5.1). */
public final class StatusTable {
    private StatusTable() {}

    public static UpsertTable<PipelineStatusRow> table() {
        return UpsertTable.<PipelineStatusRow>builder("pipeline_status")
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
