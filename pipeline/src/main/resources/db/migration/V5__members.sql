-- Tally schema v5: the members pipeline (SPEC §4).

CREATE TABLE import_jobs (
    job_id        TEXT        PRIMARY KEY,
    audience_id   TEXT        NOT NULL,
    list_name     TEXT,
    priority      INTEGER     NOT NULL,
    status        TEXT        NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'retry')),
    attempts      INTEGER     NOT NULL,
    pages_fetched INTEGER     NOT NULL,
    total_pages   INTEGER,
    members_seen  BIGINT      NOT NULL,
    contacts_new  BIGINT      NOT NULL,
    duplicates    BIGINT      NOT NULL,
    invalid       BIGINT      NOT NULL,
    error         TEXT,
    requested_at  TIMESTAMPTZ NOT NULL,
    started_at    TIMESTAMPTZ,
    completed_at  TIMESTAMPTZ,
    version       BIGINT      NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX import_jobs_status ON import_jobs (status);

CREATE TABLE email_contacts (
    audience_id TEXT        NOT NULL,
    email       TEXT        NOT NULL,
    member_id   TEXT,
    first_name  TEXT,
    last_name   TEXT,
    username    TEXT,
    job_id      TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (audience_id, email)
);

CREATE TABLE email_audiences (
    audience_id  TEXT        PRIMARY KEY,
    member_count BIGINT      NOT NULL,
    version      BIGINT      NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE import_stats_daily (
    date                        DATE          PRIMARY KEY,
    total_jobs                  BIGINT        NOT NULL,
    completed_jobs              BIGINT        NOT NULL,
    failed_jobs                 BIGINT        NOT NULL,
    total_members_processed     BIGINT        NOT NULL,
    avg_processing_time_seconds NUMERIC(12,3) NOT NULL,
    version                     BIGINT        NOT NULL,
    updated_at                  TIMESTAMPTZ   NOT NULL DEFAULT now()
);

CREATE OR REPLACE VIEW cache_freshness AS
          SELECT * FROM chat_cache_status
UNION ALL SELECT 'leaderboard_entries', count(*), max(updated_at) FROM leaderboard_scores
UNION ALL SELECT 'r4r_alerts', count(*), max(updated_at) FROM r4r_alerts
UNION ALL SELECT 'import_jobs', count(*), max(updated_at) FROM import_jobs
UNION ALL SELECT 'email_contacts', count(*), max(created_at) FROM email_contacts
UNION ALL SELECT 'email_audiences', count(*), max(updated_at) FROM email_audiences
UNION ALL SELECT 'import_stats_daily', count(*), max(updated_at) FROM import_stats_daily;
