package io.tally.pipeline.chat.records;

/**
 * A new value of one achievement metric of a user (SPEC §2.9), sent by the operator that owns the
 * metric to the achievements operator. Each metric type comes from exactly one operator, so the
 * updates of a type arrive in that operator's (per-user) order.
 */
public class MetricUpdate {
    public String userKey;

    /** An {@code AchievementType} code, e.g. {@code night_owl}. */
    public String type;

    public long value;

    /** The extra condition (a stored score > 30) for night_owl and early_bird; true otherwise. */
    public boolean extraCondition;

    /** Event time of the update: the message's ts, or the evaluation instant. */
    public long eventTime;

    public MetricUpdate() {}

    public static MetricUpdate of(
            String userKey, String type, long value, boolean extraCondition, long eventTime) {
        MetricUpdate u = new MetricUpdate();
        u.userKey = userKey;
        u.type = type;
        u.value = value;
        u.extraCondition = extraCondition;
        u.eventTime = eventTime;
        return u;
    }
}
