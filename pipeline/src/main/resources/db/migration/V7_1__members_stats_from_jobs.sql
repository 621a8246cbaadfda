-- Tally schema v7.1: import_stats_daily becomes a view over import_jobs (SPEC §4.4, §1.8).
-- As a table it took its day from the wall clock when a job finished; a crash between the finish and
-- the next checkpoint let the replay finish the job again on another day (across midnight), and the
-- first day's absolute row kept counting it. As a view, a job counts once, on the day of the
-- completed_at its import_jobs row holds (the version guard keeps one row per job).
-- Numbered 7.1 so that a V7 of another change can land beside it.

ALTER TABLE import_jobs ADD COLUMN completed_date DATE;
-- Rows of earlier versions: their day in UTC (the job's zone is not known to the database).
UPDATE import_jobs SET completed_date = (completed_at AT TIME ZONE 'UTC')::date
 WHERE completed_at IS NOT NULL AND status IN ('completed', 'failed');
CREATE INDEX import_jobs_completed_date ON import_jobs (completed_date);

DROP VIEW cache_freshness;
DROP TABLE import_stats_daily;

CREATE VIEW import_stats_daily AS
SELECT completed_date                                           AS date,
       count(*)                                                 AS total_jobs,
       count(*) FILTER (WHERE status = 'completed')             AS completed_jobs,
       count(*) FILTER (WHERE status = 'failed')                AS failed_jobs,
       COALESCE(sum(members_seen) FILTER (WHERE status = 'completed'), 0)::bigint
                                                                AS total_members_processed,
       COALESCE(round(avg(extract(epoch FROM completed_at - COALESCE(started_at, completed_at)))
                      FILTER (WHERE status = 'completed'), 3), 0)::numeric(12,3)
                                                                AS avg_processing_time_seconds,
       max(updated_at)                                          AS updated_at
  FROM import_jobs
 WHERE status IN ('completed', 'failed') AND completed_date IS NOT NULL
 GROUP BY completed_date;

CREATE OR REPLACE VIEW cache_freshness AS
          SELECT * FROM chat_cache_status
UNION ALL SELECT 'leaderboard_entries', count(*), max(updated_at) FROM leaderboard_scores
UNION ALL SELECT 'r4r_alerts', count(*), max(updated_at) FROM r4r_alerts
UNION ALL SELECT 'import_jobs', count(*), max(updated_at) FROM import_jobs
UNION ALL SELECT 'email_contacts', count(*), max(created_at) FROM email_contacts
UNION ALL SELECT 'email_audiences', count(*), max(updated_at) FROM email_audiences
UNION ALL SELECT 'import_stats_daily', count(*), max(updated_at) FROM import_stats_daily;
