package io.tally.pipeline.testing;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

/**
 * SPEC §2.4 and §2.5 rows of the independent {@link ChatBatchOracle} (kept for the tests that only
 * check those two tables; neither depends on processing order or on the retention setting).
 */
public final class ChatOracle {
    private ChatOracle() {}

    public static List<List<String>> userStats(List<ChatStream.Message> messages) {
        return new ChatBatchOracle(messages, ZoneOffset.UTC, 90, Set.of()).userStats();
    }

    public static List<List<String>> dailyActivity(
            List<ChatStream.Message> messages, ZoneId zone, Set<String> bots) {
        return new ChatBatchOracle(messages, zone, 90, bots).dailyActivity();
    }
}
