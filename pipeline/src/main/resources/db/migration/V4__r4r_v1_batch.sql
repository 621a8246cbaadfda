-- SPEC §3.3 optional algorithm v1-batch: its score has 2 decimals. farming_score stays the integer
-- (rounded half-up for v1) that sorting, alerts and the CSV use; the exact score is kept beside it.
ALTER TABLE leaderboard_scores ADD COLUMN farming_score_exact NUMERIC(6,2);

CREATE OR REPLACE VIEW leaderboard_entries AS
SELECT s.userkey, s.username, s.name, s.reviews_given, s.reviews_received, s.reciprocal_reviews,
       s.farming_score, s.risk_level, s.quick_reciprocations, s.avg_reciprocal_time,
       (SELECT count(DISTINCT p.counterpart)
          FROM r4r_pairs p
          JOIN leaderboard_scores v ON v.userkey = p.counterpart
         WHERE p.userkey = s.userkey
           AND p.reciprocal_given > 0
           AND v.farming_score >= (SELECT value::int FROM tally_settings WHERE key = 'high-risk-threshold')
       )::integer AS high_risk_r4rs,
       s.last_analyzed, s.analysis_version, s.version, s.updated_at, s.farming_score_exact
  FROM leaderboard_scores s;
