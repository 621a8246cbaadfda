-- Tally schema v1: the chat slice of the foundation (SPEC §2.4, §2.5) and pipeline status (§5.1).
-- Every cache row carries a version that only grows; sinks upsert with
-- "WHERE t.version <= EXCLUDED.version" so a replay never overwrites newer data (SPEC §1.8).

CREATE TABLE user_stats (
    username      TEXT        PRIMARY KEY,
    message_count BIGINT      NOT NULL,
    total_words   BIGINT      NOT NULL,
    first_seen    BIGINT      NOT NULL, -- epoch ms, min ts
    last_seen     BIGINT      NOT NULL, -- epoch ms, max ts
    version       BIGINT      NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE user_daily_activity (
    username           TEXT          NOT NULL,
    date               DATE          NOT NULL,
    message_count      BIGINT        NOT NULL,
    word_count         BIGINT        NOT NULL,
    first_message_time BIGINT        NOT NULL,
    last_message_time  BIGINT        NOT NULL,
    avg_message_length NUMERIC(12,1) NOT NULL,
    version            BIGINT        NOT NULL,
    updated_at         TIMESTAMPTZ   NOT NULL DEFAULT now(),
    PRIMARY KEY (username, date)
);
CREATE INDEX user_daily_activity_date ON user_daily_activity (date);

CREATE TABLE pipeline_status (
    pipeline      TEXT        PRIMARY KEY,
    watermark     TIMESTAMPTZ,
    last_flush_at TIMESTAMPTZ,
    records_in    BIGINT      NOT NULL,
    records_out   BIGINT      NOT NULL,
    dead_letters  BIGINT      NOT NULL,
    late_dropped  BIGINT      NOT NULL,
    version       BIGINT      NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- SPEC §5.1: record count and newest update per cache table. Later migrations replace this view
-- as tables are added.
CREATE VIEW cache_freshness AS
          SELECT 'user_stats'::text AS table_name, count(*) AS records, max(updated_at) AS last_update
            FROM user_stats
UNION ALL SELECT 'user_daily_activity', count(*), max(updated_at) FROM user_daily_activity;
