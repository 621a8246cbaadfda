package io.tally.pipeline.chat.logic;

import java.time.LocalDate;

/**
 * One {@code user_chat_streaks} row's values at an evaluation day {@code today} (SPEC §2.6), as
 * computed by {@link StreakCalculator#compute}.
 *
 * @param currentStreak length of the run ending at {@code lastActiveDate} if that day is today or
 *     yesterday, else 0
 * @param bestStreak longest run inside the retention window, never less than {@code currentStreak}
 * @param lastActiveDate the latest active day ever
 * @param streakStartDate first day of the current run; {@code null} when {@code currentStreak == 0}
 * @param totalActiveDays active days inside the retention window
 * @param bestStreakAllTime longest run ever
 * @param totalActiveDaysAllTime active days ever
 */
public record Streaks(
        int currentStreak,
        int bestStreak,
        LocalDate lastActiveDate,
        LocalDate streakStartDate,
        int totalActiveDays,
        int bestStreakAllTime,
        int totalActiveDaysAllTime) {}
