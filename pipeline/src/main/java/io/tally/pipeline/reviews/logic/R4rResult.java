package io.tally.pipeline.reviews.logic;

/**
 * The score fields of a {@code leaderboard_entries} row (SPEC §3.2, §3.3) at one {@code asOf}.
 *
 * @param score {@code farming_score}, 0..100
 * @param riskLevel {@code "low"}, {@code "moderate"} or {@code "high"}
 * @param avgReciprocalHours {@code avg_reciprocal_time}: mean |ts(g) − ts(m(g))| over reciprocal g
 *     in hours, rounded half-up to 2 decimals; 0 when there is none
 */
public record R4rResult(int score, String riskLevel, double avgReciprocalHours) {}
