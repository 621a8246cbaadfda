package io.tally.pipeline.chat.logic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

/**
 * The per-user accumulator of the SPEC §2.9 metrics, fed message by message as the achievements
 * operator does (in (ts, id) order). Days are epoch days, hours local hours; the operator converts.
 */
class UserAchievementsTest {

    static final long JUNE_1 = java.time.LocalDate.of(2026, 6, 1).toEpochDay();
    static final int NOON = 12;
    static final int THREE_AM = 3;
    static final int NINE_AM = 9;

    /** Feeds one message of a non-excluded user as the operator does, with its own vocabulary. */
    static void add(UserAchievements a, Set<String> vocabulary, String text, long day, int hour) {
        long fresh = 0;
        for (String w : Vocabulary.vocabularyTokens(text)) {
            if (vocabulary.add(w)) {
                fresh++;
            }
        }
        a.addMessage(WordCounter.count(text));
        a.addContent(MessageFeatures.of(text), day, hour, fresh);
    }

    @Test
    void measuresEveryMetricOfTheSpecTable() {
        UserAchievements a = new UserAchievements();
        Set<String> vocabulary = new HashSet<>();
        add(a, vocabulary, "Hello world? 😀 https://example.com", JUNE_1, THREE_AM);
        add(a, vocabulary, "WHY IS EVERYTHING ON FIRE??", JUNE_1 + 1, NINE_AM);
        add(a, vocabulary, "hello again", JUNE_1 + 3, NOON);
        add(a, vocabulary, "", JUNE_1 + 3, NOON);

        assertThat(a.value(AchievementType.MESSAGE_COUNT)).isEqualTo(4);
        assertThat(a.value(AchievementType.WORD_COUNT)).isEqualTo(3 + 5 + 2);
        assertThat(a.value(AchievementType.STREAK_DAYS)).isEqualTo(2); // June 1–2; June 4 alone
        assertThat(a.value(AchievementType.ACTIVE_DAYS)).isEqualTo(3);
        assertThat(a.value(AchievementType.NIGHT_OWL)).isEqualTo(1);
        assertThat(a.value(AchievementType.EARLY_BIRD)).isEqualTo(1);
        assertThat(a.value(AchievementType.EMOJI_USER)).isEqualTo(1);
        assertThat(a.value(AchievementType.CAPS_LOCK)).isEqualTo(1);
        assertThat(a.value(AchievementType.QUESTION_ASKER)).isEqualTo(3);
        assertThat(a.value(AchievementType.LINK_SHARER)).isEqualTo(1);
        // hello world https example com why is everything on fire again
        assertThat(a.value(AchievementType.VOCABULARY)).isEqualTo(11);
        assertThat(a.value(AchievementType.LONGEST_MSG))
                .isEqualTo("Hello world? 😀 https://example.com".length());
    }

    @Test
    void awardsEachTierAtTheMessageThatMeetsItAndNeverTwice() {
        UserAchievements a = new UserAchievements();
        for (int i = 1; i < 100; i++) {
            a.addMessage(1);
            assertThat(a.awardDue(AchievementType.MESSAGE_COUNT)).as("message %d", i).isEmpty();
        }
        a.addMessage(1);
        assertThat(a.awardDue(AchievementType.MESSAGE_COUNT)).containsExactly(Tier.BRONZE);
        a.addMessage(1);
        assertThat(a.awardDue(AchievementType.MESSAGE_COUNT)).isEmpty();
        assertThat(a.awarded(AchievementType.MESSAGE_COUNT)).containsExactly(Tier.BRONZE);
        assertThat(a.progress(AchievementType.MESSAGE_COUNT))
                .isEqualTo(new AchievementRules.Progress(101, "silver", 1000L, 10.1));
    }

    @Test
    void streakDaysIsTheLongestRunEverWhateverOrderDaysComeIn() {
        UserAchievements a = new UserAchievements();
        Set<String> vocabulary = new HashSet<>();
        // Six days, a gap, then the missing day joins two runs into one of 7 (SPEC §2.6).
        for (long d : new long[] {0, 1, 2, 4, 5, 6}) {
            add(a, vocabulary, "hi", JUNE_1 + d, NOON);
            assertThat(a.awardDue(AchievementType.STREAK_DAYS)).isEmpty();
        }
        assertThat(a.value(AchievementType.STREAK_DAYS)).isEqualTo(3);
        add(a, vocabulary, "hi", JUNE_1 + 3, NOON);
        assertThat(a.value(AchievementType.STREAK_DAYS)).isEqualTo(7);
        assertThat(a.awardDue(AchievementType.STREAK_DAYS)).containsExactly(Tier.BRONZE);
        // A second message on a known day changes neither.
        add(a, vocabulary, "hi", JUNE_1 + 3, NOON);
        assertThat(a.value(AchievementType.ACTIVE_DAYS)).isEqualTo(7);
        assertThat(a.activeDays).hasSize(7).isSorted();
    }

    @Test
    void nightOwlNeedsTheStoredScoreAboveThirtyAsWell() {
        UserAchievements a = new UserAchievements();
        Set<String> vocabulary = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            add(a, vocabulary, "late", JUNE_1, THREE_AM);
        }
        for (int i = 0; i < 117; i++) {
            add(a, vocabulary, "lunch", JUNE_1, NOON);
        }
        // 50 of 167 = 29.94… → stored 29.9: not over 30, so no award; progress shows 100 %.
        assertThat(a.value(AchievementType.NIGHT_OWL)).isEqualTo(50);
        assertThat(a.extraConditionHolds(AchievementType.NIGHT_OWL)).isFalse();
        assertThat(a.awardDue(AchievementType.NIGHT_OWL)).isEmpty();
        assertThat(a.progress(AchievementType.NIGHT_OWL))
                .isEqualTo(new AchievementRules.Progress(50, "bronze", 50L, 100.0));

        add(a, vocabulary, "still up", JUNE_1, THREE_AM); // 51 of 168 = 30.357… → 30.4
        assertThat(a.awardDue(AchievementType.NIGHT_OWL)).containsExactly(Tier.BRONZE);
        assertThat(a.extraConditionHolds(AchievementType.EARLY_BIRD)).isFalse();
        assertThat(a.extraConditionHolds(AchievementType.LONGEST_MSG)).isTrue();
    }

    @Test
    void vocabularyCountsEveryDistinctTokenEvenOneTooLongForARow() {
        UserAchievements a = new UserAchievements();
        Set<String> vocabulary = new HashSet<>();
        add(a, vocabulary, "Hash " + "ab12".repeat(750) + " hash", JUNE_1, NOON);
        // SPEC §2.8: the 3000-character token counts in vocabulary_size, once; Hash = hash.
        assertThat(a.value(AchievementType.VOCABULARY)).isEqualTo(2);
        assertThat(a.value(AchievementType.LONGEST_MSG)).isEqualTo(3010);
        assertThat(a.awardDue(AchievementType.LONGEST_MSG))
                .containsExactly(Tier.BRONZE, Tier.SILVER, Tier.GOLD, Tier.DIAMOND);
        assertThat(a.progress(AchievementType.LONGEST_MSG))
                .isEqualTo(new AchievementRules.Progress(3010, null, null, 100.0));
    }

    @Test
    void excludedSendersOnlyHaveMessageAndWordCount() {
        assertThat(UserAchievements.applicableTypes(true))
                .containsExactly(AchievementType.MESSAGE_COUNT, AchievementType.WORD_COUNT);
        assertThat(UserAchievements.applicableTypes(false))
                .containsExactly(AchievementType.values());
    }

    @Test
    void isSerializedAsAPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(UserAchievements.class);
    }
}
