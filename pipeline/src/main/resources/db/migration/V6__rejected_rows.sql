-- Tally schema v6: rows PostgreSQL refused, counted in pipeline_status.dead_letters (SPEC §1.6,
-- "last line of defence", and §5.1).
--
-- The upsert sinks record each row the database refuses for its data in rejected_rows, in the same
-- transaction as the rows they did write. A replay after a restore rejects the same rows again;
-- the unique index turns that into ON CONFLICT DO NOTHING, so each (table, key, version) counts
-- once. row_key and row_json are JSON objects (column -> value) with U+0000 and unpaired surrogates
-- escaped, so they can always be stored. The key is indexed by its md5: it may be the very value
-- that was too long for a btree (SQLSTATE 54000). Tables without a version column record -1.
CREATE TABLE rejected_rows (
    table_name  TEXT        NOT NULL,
    row_key     TEXT        NOT NULL,
    version     BIGINT      NOT NULL,
    error       TEXT        NOT NULL, -- "SQLSTATE 23514: new row for relation ..."
    row_json    TEXT        NOT NULL,
    rejected_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX rejected_rows_once ON rejected_rows (table_name, md5(row_key), version);

-- Which pipeline writes each table, so a rejected row counts against its pipeline. A migration
-- that adds a cache table adds its row here.
CREATE TABLE cache_tables (
    table_name TEXT PRIMARY KEY,
    pipeline   TEXT NOT NULL
);
INSERT INTO cache_tables (table_name, pipeline) VALUES
    ('user_stats', 'chat'),
    ('user_daily_activity', 'chat'),
    ('user_chat_streaks', 'chat'),
    ('user_active_hours', 'chat'),
    ('user_activity_summary', 'chat'),
    ('message_analysis_cache', 'chat'),
    ('user_vocabulary', 'chat'),
    ('chat_achievements', 'chat'),
    ('achievement_progress', 'chat'),
    ('leaderboard_scores', 'reviews'),
    ('r4r_pairs', 'reviews'),
    ('r4r_alerts', 'reviews'),
    ('import_jobs', 'members'),
    ('email_contacts', 'members'),
    ('email_audiences', 'members'),
    ('import_stats_daily', 'members');

-- The job's own counters move to pipeline_status_counts (written by PipelineStatusFunction as
-- before); pipeline_status becomes a view that adds each pipeline's rejected rows to its dead
-- letters. Readers of pipeline_status (tally status, demo, apps) see the same columns.
ALTER TABLE pipeline_status RENAME TO pipeline_status_counts;
ALTER TABLE pipeline_status_counts RENAME CONSTRAINT pipeline_status_pkey TO pipeline_status_counts_pkey;

CREATE VIEW pipeline_status AS
SELECT c.pipeline,
       c.watermark,
       c.last_flush_at,
       c.records_in,
       c.records_out,
       c.dead_letters + coalesce(r.rejected, 0) AS dead_letters,
       c.late_dropped,
       c.updated_at
  FROM pipeline_status_counts c
  LEFT JOIN (SELECT t.pipeline, count(*) AS rejected
               FROM rejected_rows j
               JOIN cache_tables t USING (table_name)
              GROUP BY t.pipeline) r USING (pipeline);
