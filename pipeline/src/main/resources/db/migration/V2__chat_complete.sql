-- Tally schema v2: the rest of the chat cache tables (SPEC §2.6–§2.9, §2.11).

CREATE TABLE user_chat_streaks (
    username                   TEXT        PRIMARY KEY,
    current_streak             INTEGER     NOT NULL,
    best_streak                INTEGER     NOT NULL,
    last_active_date           DATE        NOT NULL,
    streak_start_date          DATE,       -- NULL when current_streak = 0
    total_active_days          INTEGER     NOT NULL,
    best_streak_all_time       INTEGER     NOT NULL,
    total_active_days_all_time INTEGER     NOT NULL,
    as_of                      TIMESTAMPTZ NOT NULL, -- the evaluation instant (SPEC §1.4)
    version                    BIGINT      NOT NULL,
    updated_at                 TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE user_active_hours (
    username           TEXT        NOT NULL,
    room_id            TEXT        NOT NULL,
    hour               SMALLINT    NOT NULL CHECK (hour BETWEEN 0 AND 23),
    message_count      BIGINT      NOT NULL,
    word_count         BIGINT      NOT NULL,
    avg_message_length INTEGER     NOT NULL,
    version            BIGINT      NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (username, room_id, hour)
);

CREATE TABLE user_activity_summary (
    username           TEXT          PRIMARY KEY,
    most_active_hour   SMALLINT      NOT NULL,
    least_active_hour  SMALLINT      NOT NULL,
    morning_messages   BIGINT        NOT NULL,
    afternoon_messages BIGINT        NOT NULL,
    evening_messages   BIGINT        NOT NULL,
    night_messages     BIGINT        NOT NULL,
    night_owl_score    NUMERIC(5,1)  NOT NULL,
    early_bird_score   NUMERIC(5,1)  NOT NULL,
    consistency_score  NUMERIC(5,1)  NOT NULL,
    version            BIGINT        NOT NULL,
    updated_at         TIMESTAMPTZ   NOT NULL DEFAULT now()
);

CREATE TABLE message_analysis_cache (
    username              TEXT          PRIMARY KEY,
    total_messages        BIGINT        NOT NULL,
    total_words           BIGINT        NOT NULL,
    avg_message_length    INTEGER       NOT NULL,
    avg_words_per_message NUMERIC(12,1) NOT NULL,
    emoji_count           BIGINT        NOT NULL,
    emoji_usage_rate      NUMERIC(12,1) NOT NULL,
    caps_count            BIGINT        NOT NULL,
    caps_usage_rate       NUMERIC(5,1)  NOT NULL,
    question_count        BIGINT        NOT NULL,
    exclamation_count     BIGINT        NOT NULL,
    url_count             BIGINT        NOT NULL,
    mention_count         BIGINT        NOT NULL,
    longest_message       INTEGER       NOT NULL,
    shortest_message      INTEGER       NOT NULL,
    vocabulary_size       INTEGER       NOT NULL,
    version               BIGINT        NOT NULL,
    updated_at            TIMESTAMPTZ   NOT NULL DEFAULT now()
);

-- The first 1000 distinct words of a user (SPEC §2.8). updated_at is extra, for §2.11.
CREATE TABLE user_vocabulary (
    username   TEXT        NOT NULL,
    word       TEXT        NOT NULL,
    first_used BIGINT      NOT NULL, -- epoch ms
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (username, word)
);

CREATE TABLE achievement_definitions (
    type              TEXT   PRIMARY KEY,
    name              TEXT   NOT NULL,
    description       TEXT   NOT NULL,
    icon              TEXT   NOT NULL,
    bronze_threshold  BIGINT NOT NULL,
    silver_threshold  BIGINT NOT NULL,
    gold_threshold    BIGINT NOT NULL,
    diamond_threshold BIGINT NOT NULL
);

INSERT INTO achievement_definitions VALUES
    ('message_count',  'Chatterbox',      'Messages sent',                                      '💬', 100,  1000,  10000,  50000),
    ('word_count',     'Wordsmith',       'Words written',                                      '📝', 1000, 10000, 100000, 1000000),
    ('streak_days',    'Dedicated',       'Consecutive days with a message',                    '🔥', 7,    30,    100,    365),
    ('active_days',    'Regular',         'Days with at least one message',                     '📅', 10,   50,    200,    500),
    ('night_owl',      'Night Owl',       'Messages sent 12AM–6AM (over 30% of all messages)',  '🦉', 50,   250,   1000,   5000),
    ('early_bird',     'Early Bird',      'Messages sent 6AM–12PM (over 30% of all messages)',  '🐦', 50,   250,   1000,   5000),
    ('emoji_user',     'Emoji Master',    'Emoji used',                                         '😄', 100,  500,   2000,   10000),
    ('caps_lock',      'LOUD TALKER',     'Messages written mostly in capitals',                '📢', 20,   100,   500,    2000),
    ('question_asker', 'Curious Mind',    'Question marks used',                                '❓', 50,   250,   1000,   5000),
    ('link_sharer',    'Link Master',     'Links shared',                                       '🔗', 25,   100,   500,    2000),
    ('vocabulary',     'Vocabulary King', 'Distinct words used',                                '📚', 500,  2000,  5000,   10000),
    ('longest_msg',    'Essay Writer',    'Characters in the longest message',                  '📜', 100,  250,   500,    1000);

-- Awards are never revoked (SPEC §2.9): written once, a replay is a no-op.
CREATE TABLE chat_achievements (
    username          TEXT        NOT NULL,
    achievement_type  TEXT        NOT NULL REFERENCES achievement_definitions (type),
    achievement_level TEXT        NOT NULL CHECK (achievement_level IN ('bronze', 'silver', 'gold', 'diamond')),
    achieved_at       TIMESTAMPTZ NOT NULL,
    details           TEXT        NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (username, achievement_type, achievement_level)
);

CREATE TABLE achievement_progress (
    username         TEXT          NOT NULL,
    achievement_type TEXT          NOT NULL REFERENCES achievement_definitions (type),
    current_value    BIGINT        NOT NULL,
    next_tier        TEXT,
    next_threshold   BIGINT,
    progress_percent NUMERIC(5,1)  NOT NULL,
    version          BIGINT        NOT NULL,
    updated_at       TIMESTAMPTZ   NOT NULL DEFAULT now(),
    PRIMARY KEY (username, achievement_type)
);

-- SPEC §2.11: what the chat bot's old --status printed.
CREATE VIEW chat_cache_status AS
          SELECT 'user_stats'::text AS table_name, count(*) AS records, max(updated_at) AS last_update FROM user_stats
UNION ALL SELECT 'user_daily_activity',    count(*), max(updated_at) FROM user_daily_activity
UNION ALL SELECT 'user_chat_streaks',      count(*), max(updated_at) FROM user_chat_streaks
UNION ALL SELECT 'user_active_hours',      count(*), max(updated_at) FROM user_active_hours
UNION ALL SELECT 'user_activity_summary',  count(*), max(updated_at) FROM user_activity_summary
UNION ALL SELECT 'message_analysis_cache', count(*), max(updated_at) FROM message_analysis_cache
UNION ALL SELECT 'user_vocabulary',        count(*), max(updated_at) FROM user_vocabulary
UNION ALL SELECT 'chat_achievements',      count(*), max(updated_at) FROM chat_achievements
UNION ALL SELECT 'achievement_progress',   count(*), max(updated_at) FROM achievement_progress;

-- SPEC §5.1: every cache table (later pipelines extend it).
CREATE OR REPLACE VIEW cache_freshness AS SELECT * FROM chat_cache_status;
