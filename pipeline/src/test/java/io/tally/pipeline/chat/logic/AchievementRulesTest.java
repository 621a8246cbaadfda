package io.tally.pipeline.chat.logic;

import static io.tally.pipeline.chat.logic.Tier.BRONZE;
import static io.tally.pipeline.chat.logic.Tier.DIAMOND;
import static io.tally.pipeline.chat.logic.Tier.GOLD;
import static io.tally.pipeline.chat.logic.Tier.SILVER;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class AchievementRulesTest {

    /** The SPEC §2.9 table, copied verbatim (data rows only), so a drift in either shows here. */
    private static final String SPEC_TABLE =
            """
            | message_count | Chatterbox | 💬 | 100 / 1000 / 10000 / 50000 | `user_stats.message_count` |
            | word_count | Wordsmith | 📝 | 1000 / 10000 / 100000 / 1000000 | `user_stats.total_words` |
            | streak_days | Dedicated | 🔥 | 7 / 30 / 100 / 365 | max(current_streak, best_streak_all_time) |
            | active_days | Regular | 📅 | 10 / 50 / 200 / 500 | total_active_days_all_time |
            | night_owl | Night Owl | 🦉 | 50 / 250 / 1000 / 5000 | night_messages, and the stored night_owl_score > 30 |
            | early_bird | Early Bird | 🐦 | 50 / 250 / 1000 / 5000 | morning_messages, and the stored early_bird_score > 30 |
            | emoji_user | Emoji Master | 😄 | 100 / 500 / 2000 / 10000 | emoji_count |
            | caps_lock | LOUD TALKER | 📢 | 20 / 100 / 500 / 2000 | caps_count |
            | question_asker | Curious Mind | ❓ | 50 / 250 / 1000 / 5000 | question_count |
            | link_sharer | Link Master | 🔗 | 25 / 100 / 500 / 2000 | url_count |
            | vocabulary | Vocabulary King | 📚 | 500 / 2000 / 5000 / 10000 | vocabulary_size |
            | longest_msg | Essay Writer | 📜 | 100 / 250 / 500 / 1000 | longest_message |
            """;

    @Test
    void enumMatchesTheSpecTableRowByRowInOrder() {
        List<String> rows = SPEC_TABLE.lines().toList();
        AchievementType[] types = AchievementType.values();
        assertThat(types).hasSameSizeAs(rows.toArray());
        for (int i = 0; i < rows.size(); i++) {
            String[] cells = rows.get(i).split("\\|");
            AchievementType type = types[i];
            assertThat(type.code()).isEqualTo(cells[1].trim());
            assertThat(type.displayName()).isEqualTo(cells[2].trim());
            assertThat(type.icon()).isEqualTo(cells[3].trim());
            List<Long> thresholds = new ArrayList<>();
            for (String t : cells[4].split("/")) {
                thresholds.add(Long.parseLong(t.trim()));
            }
            assertThat(type.thresholds()).as(type.code()).containsExactly(toArray(thresholds));
            assertThat(type.hasExtraCondition()).isEqualTo(cells[5].contains("score > 30"));
            assertThat(AchievementType.fromCode(type.code())).isSameAs(type);
        }
    }

    @Test
    void descriptionsSayWhatIsMeasured() {
        assertThat(AchievementType.NIGHT_OWL.description()).startsWith("Messages sent 12AM–6AM");
        assertThat(AchievementType.EARLY_BIRD.description()).startsWith("Messages sent 6AM–12PM");
        for (AchievementType type : AchievementType.values()) {
            assertThat(type.description()).as(type.code()).isNotBlank();
        }
    }

    @Test
    void onlyMessageAndWordCountApplyToExcludedSenders() {
        // SPEC §2.9: "message_count and word_count awards apply to every sender".
        assertThat(EnumSet.allOf(AchievementType.class))
                .filteredOn(AchievementType::appliesToExcludedSenders)
                .containsExactlyInAnyOrder(
                        AchievementType.MESSAGE_COUNT, AchievementType.WORD_COUNT);
    }

    @Test
    void thresholdsAreACopy() {
        AchievementType.MESSAGE_COUNT.thresholds()[0] = 0;
        assertThat(AchievementType.MESSAGE_COUNT.threshold(BRONZE)).isEqualTo(100);
    }

    @Test
    void tierCodesAreLowerCase() {
        assertThat(Tier.values())
                .extracting(Tier::code)
                .containsExactly("bronze", "silver", "gold", "diamond");
        assertThat(Tier.fromCode("gold")).isEqualTo(GOLD);
    }

    @ParameterizedTest
    @EnumSource(AchievementType.class)
    void eachTierIsAwardedAtItsThresholdNotOneBelow(AchievementType type) {
        // "metric (≥ threshold)": value = threshold − 1 awards nothing new, = threshold awards it.
        for (Tier tier : Tier.values()) {
            Set<Tier> lower = EnumSet.noneOf(Tier.class);
            for (Tier t : Tier.values()) {
                if (t.ordinal() < tier.ordinal()) {
                    lower.add(t);
                }
            }
            long threshold = type.threshold(tier);

            assertThat(AchievementRules.newAwards(type, threshold - 1, true, lower))
                    .as("%s %s − 1", type.code(), tier.code())
                    .isEmpty();
            assertThat(AchievementRules.newAwards(type, threshold, true, lower))
                    .as("%s %s", type.code(), tier.code())
                    .containsExactly(tier);
        }
    }

    @Test
    void severalTiersAtOnceAndNeverTwice() {
        // A legacy replay or a long message can jump past several thresholds in one update.
        assertThat(AchievementRules.newAwards(AchievementType.LONGEST_MSG, 600, false, Set.of()))
                .containsExactly(BRONZE, SILVER, GOLD);
        assertThat(
                        AchievementRules.newAwards(
                                AchievementType.MESSAGE_COUNT, 50_000, false, Set.of()))
                .containsExactly(BRONZE, SILVER, GOLD, DIAMOND);
        assertThat(
                        AchievementRules.newAwards(
                                AchievementType.MESSAGE_COUNT, 50_000, false, Set.of(BRONZE, GOLD)))
                .containsExactly(SILVER, DIAMOND);
        assertThat(
                        AchievementRules.newAwards(
                                AchievementType.MESSAGE_COUNT,
                                1_000_000,
                                true,
                                EnumSet.allOf(Tier.class)))
                .isEmpty();
    }

    @Test
    void awardsAreNeverRevoked() {
        // A lower value (vocabulary shrinking is impossible, but streak values can drop) only
        // yields no new awards: newAwards never returns a removal.
        assertThat(AchievementRules.newAwards(AchievementType.STREAK_DAYS, 0, true, Set.of(BRONZE)))
                .isEmpty();
    }

    @ParameterizedTest
    @EnumSource(
            value = AchievementType.class,
            names = {"NIGHT_OWL", "EARLY_BIRD"})
    void unmetScoreConditionKeepsTiersUnawarded(AchievementType type) {
        // SPEC §2.9: night_messages ≥ threshold "and the stored night_owl_score > 30".
        assertThat(AchievementRules.newAwards(type, 5_000, false, Set.of())).isEmpty();
        assertThat(AchievementRules.newAwards(type, 5_000, true, Set.of()))
                .containsExactly(BRONZE, SILVER, GOLD, DIAMOND);

        AchievementRules.Progress stuck = AchievementRules.progress(type, 300, Set.of());
        assertThat(stuck.nextTier()).isEqualTo("bronze");
        assertThat(stuck.progressPercent()).isEqualTo(100.0); // "stays at 100 until awarded"
    }

    @Test
    void scoreConditionIsIgnoredForOtherTypes() {
        assertThat(AchievementRules.newAwards(AchievementType.MESSAGE_COUNT, 100, false, Set.of()))
                .containsExactly(BRONZE);
    }

    @ParameterizedTest(name = "[{index}] {0} {1} → {2}")
    @CsvSource({
        "MESSAGE_COUNT, BRONZE, Reached 100 messages",
        "MESSAGE_COUNT, SILVER, Reached 1000 messages",
        "WORD_COUNT, DIAMOND, Wrote 1000000 words",
        "STREAK_DAYS, GOLD, Chatted 100 days in a row",
        "ACTIVE_DAYS, BRONZE, Chatted on 10 different days",
        "NIGHT_OWL, SILVER, Sent 250 messages between 12AM and 6AM",
        "EARLY_BIRD, BRONZE, Sent 50 messages between 6AM and 12PM",
        "EMOJI_USER, DIAMOND, Used 10000 emojis",
        "CAPS_LOCK, BRONZE, Sent 20 messages in capitals",
        "QUESTION_ASKER, GOLD, Asked 1000 questions",
        "LINK_SHARER, SILVER, Shared 100 links",
        "VOCABULARY, BRONZE, Used 500 different words",
        "LONGEST_MSG, DIAMOND, Wrote a message of 1000 characters",
    })
    void detailsNameTheThreshold(AchievementType type, Tier tier, String details) {
        assertThat(AchievementRules.details(type, tier)).isEqualTo(details);
    }

    @Test
    void progressTowardsTheLowestUnawardedTierRoundedToOneDecimal() {
        AchievementRules.Progress p =
                AchievementRules.progress(AchievementType.MESSAGE_COUNT, 0, Set.of());
        assertThat(p).isEqualTo(new AchievementRules.Progress(0, "bronze", 100L, 0.0));

        // 1 / 3 of 1000 → 33.3 (round1); 5 / 2000 = 0.25 → 0.3 (half-up, SPEC §2.12)
        assertThat(AchievementRules.progress(AchievementType.MESSAGE_COUNT, 333, Set.of(BRONZE)))
                .isEqualTo(new AchievementRules.Progress(333, "silver", 1000L, 33.3));
        assertThat(AchievementRules.progress(AchievementType.VOCABULARY, 5, Set.of(BRONZE)))
                .isEqualTo(new AchievementRules.Progress(5, "silver", 2000L, 0.3));
        // 999.6 ‰ of 10000: round1(99.96) = 100.0
        assertThat(
                        AchievementRules.progress(
                                        AchievementType.MESSAGE_COUNT,
                                        9_996,
                                        Set.of(BRONZE, SILVER))
                                .progressPercent())
                .isEqualTo(100.0);
    }

    @Test
    void progressIsCappedAt100() {
        // A value past the next threshold, not yet awarded (the update that awards it is pending).
        assertThat(
                        AchievementRules.progress(AchievementType.STREAK_DAYS, 400, Set.of())
                                .progressPercent())
                .isEqualTo(100.0);
    }

    @Test
    void lowestUnawardedTierIsTakenLiterallyBelowDiamond() {
        // Only conceivable for score-conditioned types (e.g. imported awards); documented choice.
        assertThat(AchievementRules.progress(AchievementType.NIGHT_OWL, 60, Set.of(SILVER)))
                .isEqualTo(new AchievementRules.Progress(60, "bronze", 50L, 100.0));
    }

    @Test
    void diamondAwardedMeansNoNextTierAnd100Percent() {
        AchievementRules.Progress done =
                AchievementRules.progress(
                        AchievementType.CAPS_LOCK, 2_500, EnumSet.allOf(Tier.class));
        assertThat(done).isEqualTo(new AchievementRules.Progress(2_500, null, null, 100.0));

        // Diamond wins even with a lower tier unawarded (SPEC: "when diamond is awarded … NULL").
        assertThat(AchievementRules.progress(AchievementType.NIGHT_OWL, 10, Set.of(DIAMOND)))
                .isEqualTo(new AchievementRules.Progress(10, null, null, 100.0));
    }

    private static long[] toArray(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }
}
