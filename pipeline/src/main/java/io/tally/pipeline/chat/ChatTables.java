package io.tally.pipeline.chat;

import io.tally.connectors.postgres.UpsertTable;
import io.tally.pipeline.chat.records.AchievementProgressRow;
import io.tally.pipeline.chat.records.AchievementRow;
import io.tally.pipeline.chat.records.ActiveHourRow;
import io.tally.pipeline.chat.records.ActivitySummaryRow;
import io.tally.pipeline.chat.records.DailyActivityRow;
import io.tally.pipeline.chat.records.MessageAnalysisRow;
import io.tally.pipeline.chat.records.StreakRow;
import io.tally.pipeline.chat.records.UserStatsRow;
import io.tally.pipeline.chat.records.VocabularyRow;
import io.tally.pipeline.runtime.Columns;
import java.time.LocalDate;

/** Column mappings of the chat cache tables (SPEC §2.4–§2.9). */
public final class ChatTables {
    private ChatTables() {}

    public static UpsertTable<UserStatsRow> userStats() {
        return UpsertTable.<UserStatsRow>builder("user_stats")
                .keyColumns("username")
                .valueColumns("message_count", "total_words", "first_seen", "last_seen", "version")
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .values(
                        r ->
                                new Object[] {
                                    r.username,
                                    r.messageCount,
                                    r.totalWords,
                                    r.firstSeen,
                                    r.lastSeen,
                                    r.version
                                })
                .build();
    }

    public static UpsertTable<DailyActivityRow> dailyActivity() {
        return UpsertTable.<DailyActivityRow>builder("user_daily_activity")
                .keyColumns("username", "date")
                .valueColumns(
                        "message_count",
                        "word_count",
                        "first_message_time",
                        "last_message_time",
                        "avg_message_length",
                        "version")
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .values(
                        r ->
                                new Object[] {
                                    r.username,
                                    LocalDate.ofEpochDay(r.epochDay),
                                    r.messageCount,
                                    r.wordCount,
                                    r.firstMessageTime,
                                    r.lastMessageTime,
                                    Columns.decimal(r.avgMessageLength, 1),
                                    r.version
                                })
                .deleteWhen(r -> r.deleted)
                .build();
    }

    public static UpsertTable<StreakRow> streaks() {
        return UpsertTable.<StreakRow>builder("user_chat_streaks")
                .keyColumns("username")
                .valueColumns(
                        "current_streak",
                        "best_streak",
                        "last_active_date",
                        "streak_start_date",
                        "total_active_days",
                        "best_streak_all_time",
                        "total_active_days_all_time",
                        "as_of",
                        "version")
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .values(
                        r ->
                                new Object[] {
                                    r.username,
                                    r.currentStreak,
                                    r.bestStreak,
                                    LocalDate.ofEpochDay(r.lastActiveEpochDay),
                                    r.streakStartEpochDay == null
                                            ? null
                                            : LocalDate.ofEpochDay(r.streakStartEpochDay),
                                    r.totalActiveDays,
                                    r.bestStreakAllTime,
                                    r.totalActiveDaysAllTime,
                                    Columns.utc(r.asOf),
                                    r.version
                                })
                .build();
    }

    public static UpsertTable<ActiveHourRow> activeHours() {
        return UpsertTable.<ActiveHourRow>builder("user_active_hours")
                .keyColumns("username", "room_id", "hour")
                .valueColumns("message_count", "word_count", "avg_message_length", "version")
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .values(
                        r ->
                                new Object[] {
                                    r.username,
                                    r.roomId,
                                    r.hour,
                                    r.messageCount,
                                    r.wordCount,
                                    r.avgMessageLength,
                                    r.version
                                })
                .build();
    }

    public static UpsertTable<ActivitySummaryRow> activitySummary() {
        return UpsertTable.<ActivitySummaryRow>builder("user_activity_summary")
                .keyColumns("username")
                .valueColumns(
                        "most_active_hour",
                        "least_active_hour",
                        "morning_messages",
                        "afternoon_messages",
                        "evening_messages",
                        "night_messages",
                        "night_owl_score",
                        "early_bird_score",
                        "consistency_score",
                        "version")
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .values(
                        r ->
                                new Object[] {
                                    r.username,
                                    r.mostActiveHour,
                                    r.leastActiveHour,
                                    r.morningMessages,
                                    r.afternoonMessages,
                                    r.eveningMessages,
                                    r.nightMessages,
                                    Columns.decimal(r.nightOwlScore, 1),
                                    Columns.decimal(r.earlyBirdScore, 1),
                                    Columns.decimal(r.consistencyScore, 1),
                                    r.version
                                })
                .build();
    }

    public static UpsertTable<MessageAnalysisRow> messageAnalysis() {
        return UpsertTable.<MessageAnalysisRow>builder("message_analysis_cache")
                .keyColumns("username")
                .valueColumns(
                        "total_messages",
                        "total_words",
                        "avg_message_length",
                        "avg_words_per_message",
                        "emoji_count",
                        "emoji_usage_rate",
                        "caps_count",
                        "caps_usage_rate",
                        "question_count",
                        "exclamation_count",
                        "url_count",
                        "mention_count",
                        "longest_message",
                        "shortest_message",
                        "vocabulary_size",
                        "version")
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .values(
                        r ->
                                new Object[] {
                                    r.username,
                                    r.totalMessages,
                                    r.totalWords,
                                    r.avgMessageLength,
                                    Columns.decimal(r.avgWordsPerMessage, 1),
                                    r.emojiCount,
                                    Columns.decimal(r.emojiUsageRate, 1),
                                    r.capsCount,
                                    Columns.decimal(r.capsUsageRate, 1),
                                    r.questionCount,
                                    r.exclamationCount,
                                    r.urlCount,
                                    r.mentionCount,
                                    r.longestMessage,
                                    r.shortestMessage,
                                    r.vocabularySize,
                                    r.version
                                })
                .build();
    }

    /**
     * The first 1000 words (SPEC §2.8). No version column in the contract: a word's first use only
     * moves earlier, the kept words are a deterministic set (the 1000 smallest (ts, id, position)),
     * and a replay re-emits every change it passes, including a delete for every word it offers and
     * does not admit (issue 9: a crashed run may have written that word; see {@link
     * io.tally.pipeline.chat.logic.TopWords.Change}), so the table converges.
     */
    public static UpsertTable<VocabularyRow> vocabulary() {
        return UpsertTable.<VocabularyRow>builder("user_vocabulary")
                .keyColumns("username", "word")
                .valueColumns("first_used")
                .updatedAtColumn("updated_at")
                .values(r -> new Object[] {r.username, r.word, r.firstUsed})
                .deleteWhen(r -> r.deleted)
                .build();
    }

    /** Awards are never revoked: the first write wins, a replay changes nothing (SPEC §2.9). */
    public static UpsertTable<AchievementRow> achievements() {
        return UpsertTable.<AchievementRow>builder("chat_achievements")
                .keyColumns("username", "achievement_type", "achievement_level")
                .valueColumns("achieved_at", "details")
                .insertOnly()
                .updatedAtColumn("updated_at")
                .values(
                        r ->
                                new Object[] {
                                    r.username,
                                    r.achievementType,
                                    r.achievementLevel,
                                    Columns.utc(r.achievedAt),
                                    r.details
                                })
                .build();
    }

    public static UpsertTable<AchievementProgressRow> achievementProgress() {
        return UpsertTable.<AchievementProgressRow>builder("achievement_progress")
                .keyColumns("username", "achievement_type")
                .valueColumns(
                        "current_value",
                        "next_tier",
                        "next_threshold",
                        "progress_percent",
                        "version")
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .values(
                        r ->
                                new Object[] {
                                    r.username,
                                    r.achievementType,
                                    r.currentValue,
                                    r.nextTier,
                                    r.nextThreshold,
                                    Columns.decimal(r.progressPercent, 1),
                                    r.version
                                })
                .build();
    }
}
