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
                .key("username", r -> r.username)
                .column("message_count", r -> r.messageCount)
                .column("total_words", r -> r.totalWords)
                .column("first_seen", r -> r.firstSeen)
                .column("last_seen", r -> r.lastSeen)
                .column("version", r -> r.version)
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .build();
    }

    public static UpsertTable<DailyActivityRow> dailyActivity() {
        return UpsertTable.<DailyActivityRow>builder("user_daily_activity")
                .key("username", r -> r.username)
                .key("date", r -> LocalDate.ofEpochDay(r.epochDay))
                .column("message_count", r -> r.messageCount)
                .column("word_count", r -> r.wordCount)
                .column("first_message_time", r -> r.firstMessageTime)
                .column("last_message_time", r -> r.lastMessageTime)
                .column("avg_message_length", r -> Columns.decimal(r.avgMessageLength, 1))
                .column("version", r -> r.version)
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .deleteWhen(r -> r.deleted)
                .build();
    }

    public static UpsertTable<StreakRow> streaks() {
        return UpsertTable.<StreakRow>builder("user_chat_streaks")
                .key("username", r -> r.username)
                .column("current_streak", r -> r.currentStreak)
                .column("best_streak", r -> r.bestStreak)
                .column("last_active_date", r -> LocalDate.ofEpochDay(r.lastActiveEpochDay))
                .column(
                        "streak_start_date",
                        r ->
                                r.streakStartEpochDay == null
                                        ? null
                                        : LocalDate.ofEpochDay(r.streakStartEpochDay))
                .column("total_active_days", r -> r.totalActiveDays)
                .column("best_streak_all_time", r -> r.bestStreakAllTime)
                .column("total_active_days_all_time", r -> r.totalActiveDaysAllTime)
                .column("as_of", r -> Columns.utc(r.asOf))
                .column("version", r -> r.version)
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .build();
    }

    public static UpsertTable<ActiveHourRow> activeHours() {
        return UpsertTable.<ActiveHourRow>builder("user_active_hours")
                .key("username", r -> r.username)
                .key("room_id", r -> r.roomId)
                .key("hour", r -> r.hour)
                .column("message_count", r -> r.messageCount)
                .column("word_count", r -> r.wordCount)
                .column("avg_message_length", r -> r.avgMessageLength)
                .column("version", r -> r.version)
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .build();
    }

    public static UpsertTable<ActivitySummaryRow> activitySummary() {
        return UpsertTable.<ActivitySummaryRow>builder("user_activity_summary")
                .key("username", r -> r.username)
                .column("most_active_hour", r -> r.mostActiveHour)
                .column("least_active_hour", r -> r.leastActiveHour)
                .column("morning_messages", r -> r.morningMessages)
                .column("afternoon_messages", r -> r.afternoonMessages)
                .column("evening_messages", r -> r.eveningMessages)
                .column("night_messages", r -> r.nightMessages)
                .column("night_owl_score", r -> Columns.decimal(r.nightOwlScore, 1))
                .column("early_bird_score", r -> Columns.decimal(r.earlyBirdScore, 1))
                .column("consistency_score", r -> Columns.decimal(r.consistencyScore, 1))
                .column("version", r -> r.version)
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .build();
    }

    public static UpsertTable<MessageAnalysisRow> messageAnalysis() {
        return UpsertTable.<MessageAnalysisRow>builder("message_analysis_cache")
                .key("username", r -> r.username)
                .column("total_messages", r -> r.totalMessages)
                .column("total_words", r -> r.totalWords)
                .column("avg_message_length", r -> r.avgMessageLength)
                .column("avg_words_per_message", r -> Columns.decimal(r.avgWordsPerMessage, 1))
                .column("emoji_count", r -> r.emojiCount)
                .column("emoji_usage_rate", r -> Columns.decimal(r.emojiUsageRate, 1))
                .column("caps_count", r -> r.capsCount)
                .column("caps_usage_rate", r -> Columns.decimal(r.capsUsageRate, 1))
                .column("question_count", r -> r.questionCount)
                .column("exclamation_count", r -> r.exclamationCount)
                .column("url_count", r -> r.urlCount)
                .column("mention_count", r -> r.mentionCount)
                .column("longest_message", r -> r.longestMessage)
                .column("shortest_message", r -> r.shortestMessage)
                .column("vocabulary_size", r -> r.vocabularySize)
                .column("version", r -> r.version)
                .versionColumn("version")
                .updatedAtColumn("updated_at")
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
                .key("username", r -> r.username)
                .key("word", r -> r.word)
                .column("first_used", r -> r.firstUsed)
                .updatedAtColumn("updated_at")
                .deleteWhen(r -> r.deleted)
                .build();
    }

    /** Awards are never revoked: the first write wins, a replay changes nothing (SPEC §2.9). */
    public static UpsertTable<AchievementRow> achievements() {
        return UpsertTable.<AchievementRow>builder("chat_achievements")
                .key("username", r -> r.username)
                .key("achievement_type", r -> r.achievementType)
                .key("achievement_level", r -> r.achievementLevel)
                .column("achieved_at", r -> Columns.utc(r.achievedAt))
                .column("details", r -> r.details)
                .insertOnly()
                .updatedAtColumn("updated_at")
                .build();
    }

    public static UpsertTable<AchievementProgressRow> achievementProgress() {
        return UpsertTable.<AchievementProgressRow>builder("achievement_progress")
                .key("username", r -> r.username)
                .key("achievement_type", r -> r.achievementType)
                .column("current_value", r -> r.currentValue)
                .column("next_tier", r -> r.nextTier)
                .column("next_threshold", r -> r.nextThreshold)
                .column("progress_percent", r -> Columns.decimal(r.progressPercent, 1))
                .column("version", r -> r.version)
                .versionColumn("version")
                .updatedAtColumn("updated_at")
                .build();
    }
}
