package io.tally.pipeline.chat;

import io.tally.connectors.postgres.UpsertTable;
import io.tally.pipeline.chat.records.DailyActivityRow;
import io.tally.pipeline.chat.records.UserStatsRow;
import java.math.BigDecimal;

/** Column mappings of the chat cache tables (SPEC §2.4, §2.5). */
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
                                    java.time.LocalDate.ofEpochDay(r.epochDay),
                                    r.messageCount,
                                    r.wordCount,
                                    r.firstMessageTime,
                                    r.lastMessageTime,
                                    BigDecimal.valueOf(r.avgMessageLength)
                                            .setScale(1, java.math.RoundingMode.HALF_UP),
                                    r.version
                                })
                .deleteWhen(r -> r.deleted)
                .build();
    }
}
