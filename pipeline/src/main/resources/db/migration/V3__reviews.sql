-- Tally schema v3: the reviews pipeline (SPEC §3).

-- Scores per userkey, written by the pipeline. leaderboard_entries (below) is this table plus
-- high_risk_r4rs, which depends on other users' current scores and is therefore computed when
-- read (SPEC §3.2 allows a view), so it is always right.
CREATE TABLE leaderboard_scores (
    userkey              TEXT          PRIMARY KEY,
    username             TEXT,
    name                 TEXT,
    reviews_given        BIGINT        NOT NULL,
    reviews_received     BIGINT        NOT NULL,
    reciprocal_reviews   BIGINT        NOT NULL,
    farming_score        INTEGER       NOT NULL,
    risk_level           TEXT          NOT NULL CHECK (risk_level IN ('low', 'moderate', 'high')),
    quick_reciprocations BIGINT        NOT NULL,
    avg_reciprocal_time  NUMERIC(10,2) NOT NULL,
    last_analyzed        TIMESTAMPTZ   NOT NULL,
    analysis_version     TEXT          NOT NULL,
    version              BIGINT        NOT NULL,
    updated_at           TIMESTAMPTZ   NOT NULL DEFAULT now()
);
CREATE INDEX leaderboard_scores_score ON leaderboard_scores (farming_score DESC);
CREATE INDEX leaderboard_scores_risk ON leaderboard_scores (risk_level);

-- How many of a user's given reviews to a counterpart are reciprocal now.
CREATE TABLE r4r_pairs (
    userkey          TEXT        NOT NULL,
    counterpart      TEXT        NOT NULL,
    reciprocal_given BIGINT      NOT NULL,
    version          BIGINT      NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (userkey, counterpart)
);
CREATE INDEX r4r_pairs_reciprocal ON r4r_pairs (userkey) WHERE reciprocal_given > 0;

-- Settings the views need; the pipeline writes its configured values at start.
CREATE TABLE tally_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO tally_settings VALUES ('high-risk-threshold', '70');

CREATE VIEW leaderboard_entries AS
SELECT s.userkey, s.username, s.name, s.reviews_given, s.reviews_received, s.reciprocal_reviews,
       s.farming_score, s.risk_level, s.quick_reciprocations, s.avg_reciprocal_time,
       (SELECT count(DISTINCT p.counterpart)
          FROM r4r_pairs p
          JOIN leaderboard_scores v ON v.userkey = p.counterpart
         WHERE p.userkey = s.userkey
           AND p.reciprocal_given > 0
           AND v.farming_score >= (SELECT value::int FROM tally_settings WHERE key = 'high-risk-threshold')
       )::integer AS high_risk_r4rs,
       s.last_analyzed, s.analysis_version, s.version, s.updated_at
  FROM leaderboard_scores s;

-- SPEC §3.5: one row per risk-level change; a replay inserts nothing new.
CREATE TABLE r4r_alerts (
    id         BIGSERIAL   UNIQUE,
    userkey    TEXT        NOT NULL,
    from_level TEXT        NOT NULL,
    to_level   TEXT        NOT NULL,
    score      INTEGER     NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (userkey, at, to_level)
);

CREATE OR REPLACE VIEW cache_freshness AS
          SELECT * FROM chat_cache_status
UNION ALL SELECT 'leaderboard_entries', count(*), max(updated_at) FROM leaderboard_scores
UNION ALL SELECT 'r4r_alerts', count(*), max(updated_at) FROM r4r_alerts;
