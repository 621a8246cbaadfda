package io.tally.pipeline.chat.logic;

/**
 * The twelve achievements of SPEC §2.9, in the table's order, with exactly the data the {@code
 * achievement_definitions} migration seeds ({@code AchievementRulesTest} checks it against the
 * table). {@code detailsTemplate} is the {@code chat_achievements.details} text with {@code %s} for
 * the threshold.
 */
public enum AchievementType {
    MESSAGE_COUNT(
            "message_count",
            "Chatterbox",
            "Messages sent",
            "💬",
            "Reached %s messages",
            100,
            1_000,
            10_000,
            50_000),
    WORD_COUNT(
            "word_count",
            "Wordsmith",
            "Words written",
            "📝",
            "Wrote %s words",
            1_000,
            10_000,
            100_000,
            1_000_000),
    STREAK_DAYS(
            "streak_days",
            "Dedicated",
            "Longest run of consecutive days with a message",
            "🔥",
            "Chatted %s days in a row",
            7,
            30,
            100,
            365),
    ACTIVE_DAYS(
            "active_days",
            "Regular",
            "Days with at least one message",
            "📅",
            "Chatted on %s different days",
            10,
            50,
            200,
            500),
    NIGHT_OWL(
            "night_owl",
            "Night Owl",
            "Messages sent 12AM–6AM local time, while over 30% of all messages",
            "🦉",
            "Sent %s messages between 12AM and 6AM",
            50,
            250,
            1_000,
            5_000),
    EARLY_BIRD(
            "early_bird",
            "Early Bird",
            "Messages sent 6AM–12PM local time, while over 30% of all messages",
            "🐦",
            "Sent %s messages between 6AM and 12PM",
            50,
            250,
            1_000,
            5_000),
    EMOJI_USER(
            "emoji_user",
            "Emoji Master",
            "Emojis used in messages",
            "😄",
            "Used %s emojis",
            100,
            500,
            2_000,
            10_000),
    CAPS_LOCK(
            "caps_lock",
            "LOUD TALKER",
            "Messages written mostly in capitals",
            "📢",
            "Sent %s messages in capitals",
            20,
            100,
            500,
            2_000),
    QUESTION_ASKER(
            "question_asker",
            "Curious Mind",
            "Question marks in messages",
            "❓",
            "Asked %s questions",
            50,
            250,
            1_000,
            5_000),
    LINK_SHARER(
            "link_sharer",
            "Link Master",
            "Links shared in messages",
            "🔗",
            "Shared %s links",
            25,
            100,
            500,
            2_000),
    VOCABULARY(
            "vocabulary",
            "Vocabulary King",
            "Different words used",
            "📚",
            "Used %s different words",
            500,
            2_000,
            5_000,
            10_000),
    LONGEST_MSG(
            "longest_msg",
            "Essay Writer",
            "Characters in the longest message",
            "📜",
            "Wrote a message of %s characters",
            100,
            250,
            500,
            1_000);

    private final String code;
    private final String displayName;
    private final String description;
    private final String icon;
    private final String detailsTemplate;
    private final long[] thresholds;

    AchievementType(
            String code,
            String displayName,
            String description,
            String icon,
            String detailsTemplate,
            long bronze,
            long silver,
            long gold,
            long diamond) {
        this.code = code;
        this.displayName = displayName;
        this.description = description;
        this.icon = icon;
        this.detailsTemplate = detailsTemplate;
        this.thresholds = new long[] {bronze, silver, gold, diamond};
    }

    /** {@code achievement_definitions.type}, e.g. {@code message_count}. */
    public String code() {
        return code;
    }

    /** {@code achievement_definitions.name}, e.g. {@code Chatterbox}. */
    public String displayName() {
        return displayName;
    }

    /** What is measured (SPEC §2.9); hours are local time in the configured {@code timezone}. */
    public String description() {
        return description;
    }

    public String icon() {
        return icon;
    }

    /** Bronze, silver, gold, diamond thresholds (a copy: an enum's data must not change). */
    public long[] thresholds() {
        return thresholds.clone();
    }

    public long threshold(Tier tier) {
        return thresholds[tier.ordinal()];
    }

    /**
     * SPEC §2.9: message_count and word_count awards go to every sender, as {@code user_stats}
     * does; the others only to non-excluded users (SPEC §2.2).
     */
    public boolean appliesToExcludedSenders() {
        return this == MESSAGE_COUNT || this == WORD_COUNT;
    }

    /**
     * SPEC §2.9: night_owl and early_bird also need the stored period score above 30, so a user who
     * merely chats a lot is not a night owl.
     */
    public boolean hasExtraCondition() {
        return this == NIGHT_OWL || this == EARLY_BIRD;
    }

    String detailsTemplate() {
        return detailsTemplate;
    }

    /** The type whose {@link #code()} is {@code code}. */
    public static AchievementType fromCode(String code) {
        for (AchievementType type : values()) {
            if (type.code.equals(code)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown achievement type: " + code);
    }
}
