package io.tally.pipeline.chat.logic;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One user's achievement metrics (SPEC §2.9) and awarded tiers, fed one message at a time in (ts,
 * id) order by the achievements operator, so that "the update that met a tier" is the same whatever
 * the Kafka key or the interleaving of partitions (§1.1, §2.1).
 *
 * <p>Holds exactly what the twelve metrics need, reusing the table rules rather than the tables:
 * counts and sums, the sorted active days (the longest run needs the exact runs, as in {@link
 * StreakCalculator}), the night/morning/total message counts of the §2.7 periods (the score is
 * {@link ActivitySummary#periodScore}) and the vocabulary size. The distinct words themselves are
 * too many for one value: the caller keeps them (keyed map state) and passes the number of new
 * ones. Every metric only grows, so the {@code achievement_progress} version can be derived from
 * the value (see the operator).
 *
 * <p>A Flink POJO for keyed state; mutate it only through its methods.
 */
public final class UserAchievements {

    private static final AchievementType[] TYPES = AchievementType.values();
    private static final Tier[] TIERS = Tier.values();
    private static final List<AchievementType> ALL_TYPES = List.of(TYPES);
    private static final List<AchievementType> EXCLUDED_SENDER_TYPES =
            Arrays.stream(TYPES).filter(AchievementType::appliesToExcludedSenders).toList();

    // message_count and word_count: every sender (SPEC §2.9, as user_stats).
    public long messageCount;
    public long totalWords;

    // The rest: non-excluded senders only (SPEC §2.2).

    /** Sorted distinct epoch days (in {@code timezone}) with at least one message. */
    public long[] activeDays;

    /** Longest run of consecutive {@link #activeDays}: streak_days. */
    public int longestRun;

    /** Messages with an hour bucket (T of SPEC §2.7), and those at night / in the morning. */
    public long hourlyMessages;

    public long nightMessages;
    public long morningMessages;

    public long emojiCount;
    public long capsCount;
    public long questionCount;
    public long urlCount;
    public long longestMessage;
    public long vocabularySize;

    /**
     * Awarded tiers per type: index {@link AchievementType#ordinal()}, bit {@link Tier#ordinal()}.
     */
    public int[] awarded;

    public UserAchievements() {
        activeDays = new long[0];
        awarded = new int[TYPES.length];
    }

    /**
     * The types that apply to a user (SPEC §2.9): message_count and word_count for every sender,
     * the others only for non-excluded ones.
     */
    public static List<AchievementType> applicableTypes(boolean excludedSender) {
        return excludedSender ? EXCLUDED_SENDER_TYPES : ALL_TYPES;
    }

    /** Counts one message of any sender with its SPEC §2.3 word count. */
    public void addMessage(int words) {
        messageCount++;
        totalWords += words;
    }

    /**
     * Adds the content of one message of a non-excluded sender (call {@link #addMessage} too).
     *
     * @param epochDay its calendar day in {@code timezone}
     * @param hour its local hour 0–23
     * @param newDistinctWords how many of its §2.8 vocabulary tokens the user never used before
     */
    public void addContent(MessageFeatures f, long epochDay, int hour, long newDistinctWords) {
        int at = Arrays.binarySearch(activeDays, epochDay);
        if (at < 0) {
            int insert = -at - 1;
            long[] days = new long[activeDays.length + 1];
            System.arraycopy(activeDays, 0, days, 0, insert);
            days[insert] = epochDay;
            System.arraycopy(activeDays, insert, days, insert + 1, activeDays.length - insert);
            activeDays = days;
            longestRun = StreakCalculator.longestRun(activeDays);
        }
        hourlyMessages++;
        if (ActivitySummary.isNight(hour)) {
            nightMessages++;
        } else if (ActivitySummary.isMorning(hour)) {
            morningMessages++;
        }
        emojiCount += f.emojis();
        if (f.caps()) {
            capsCount++;
        }
        questionCount += f.questions();
        urlCount += f.urls();
        longestMessage = Math.max(longestMessage, f.length());
        vocabularySize += newDistinctWords;
    }

    /** The metric of SPEC §2.9's table for {@code type}. */
    public long value(AchievementType type) {
        return switch (type) {
            case MESSAGE_COUNT -> messageCount;
            case WORD_COUNT -> totalWords;
            case STREAK_DAYS -> longestRun;
            case ACTIVE_DAYS -> activeDays.length;
            case NIGHT_OWL -> nightMessages;
            case EARLY_BIRD -> morningMessages;
            case EMOJI_USER -> emojiCount;
            case CAPS_LOCK -> capsCount;
            case QUESTION_ASKER -> questionCount;
            case LINK_SHARER -> urlCount;
            case VOCABULARY -> vocabularySize;
            case LONGEST_MSG -> longestMessage;
        };
    }

    /**
     * SPEC §2.9: the stored (rounded, §2.7) night_owl / early_bird score > 30; true for the types
     * without an extra condition.
     */
    public boolean extraConditionHolds(AchievementType type) {
        return switch (type) {
            case NIGHT_OWL ->
                    ActivitySummary.periodScore(nightMessages, hourlyMessages)
                            > AchievementRules.SCORE_CONDITION;
            case EARLY_BIRD ->
                    ActivitySummary.periodScore(morningMessages, hourlyMessages)
                            > AchievementRules.SCORE_CONDITION;
            default -> true;
        };
    }

    /**
     * Awards and records the tiers of {@code type} whose condition holds now and that were not
     * awarded yet, lowest first; the caller dates them with the message just added.
     */
    public List<Tier> awardDue(AchievementType type) {
        // Most messages reach no new tier: answer that without building sets (issue 12).
        int bits = awarded[type.ordinal()];
        long value = value(type);
        boolean due = false;
        for (Tier t : TIERS) {
            if ((bits & (1 << t.ordinal())) == 0 && type.threshold(t) <= value) {
                due = true;
                break;
            }
        }
        if (!due) {
            return List.of();
        }
        Set<Tier> have = awarded(type);
        List<Tier> fresh =
                AchievementRules.newAwards(type, value(type), extraConditionHolds(type), have);
        for (Tier tier : fresh) {
            awarded[type.ordinal()] |= 1 << tier.ordinal();
        }
        return fresh;
    }

    /** How many tiers of {@code type} are awarded so far. */
    public int awardedCount(AchievementType type) {
        return Integer.bitCount(awarded[type.ordinal()]);
    }

    /** The tiers of {@code type} awarded so far. */
    public Set<Tier> awarded(AchievementType type) {
        Set<Tier> s = EnumSet.noneOf(Tier.class);
        for (Tier t : Tier.values()) {
            if ((awarded[type.ordinal()] & (1 << t.ordinal())) != 0) {
                s.add(t);
            }
        }
        return s;
    }

    /** The {@code achievement_progress} values of {@code type} now. */
    public AchievementRules.Progress progress(AchievementType type) {
        return AchievementRules.progress(type, value(type), awarded(type));
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof UserAchievements)) {
            return false;
        }
        UserAchievements that = (UserAchievements) o;
        return messageCount == that.messageCount
                && totalWords == that.totalWords
                && Arrays.equals(activeDays, that.activeDays)
                && longestRun == that.longestRun
                && hourlyMessages == that.hourlyMessages
                && nightMessages == that.nightMessages
                && morningMessages == that.morningMessages
                && emojiCount == that.emojiCount
                && capsCount == that.capsCount
                && questionCount == that.questionCount
                && urlCount == that.urlCount
                && longestMessage == that.longestMessage
                && vocabularySize == that.vocabularySize
                && Arrays.equals(awarded, that.awarded);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                        messageCount,
                        totalWords,
                        longestRun,
                        hourlyMessages,
                        nightMessages,
                        morningMessages,
                        emojiCount,
                        capsCount,
                        questionCount,
                        urlCount,
                        longestMessage,
                        vocabularySize)
                + 31 * Arrays.hashCode(activeDays)
                + 961 * Arrays.hashCode(awarded);
    }

    @Override
    public String toString() {
        return "UserAchievements{messages="
                + messageCount
                + ", words="
                + totalWords
                + ", activeDays="
                + activeDays.length
                + ", longestRun="
                + longestRun
                + ", night/morning/all="
                + nightMessages
                + "/"
                + morningMessages
                + "/"
                + hourlyMessages
                + ", vocabulary="
                + vocabularySize
                + ", awarded="
                + Arrays.toString(awarded)
                + '}';
    }
}
