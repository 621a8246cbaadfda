package io.tally.pipeline.chat;

import java.util.Set;

/**
 * The user key every chat table is keyed by, and who is excluded from per-user analytics (§2.2).
 */
public final class UserKey {

    private UserKey() {}

    /**
     * The username with ASCII {@code A–Z} lower-cased and every other character kept (SPEC §2.2),
     * so {@code Alice} and {@code alice} are one user while {@code Ålice} stays distinct, whatever
     * the JVM's default locale.
     */
    public static String of(String username) {
        return TextScan.asciiLowerCase(username);
    }

    /**
     * Whether a sender gets no daily, hourly, content, streak or achievement rows (SPEC §2.2); such
     * senders still count in {@code user_stats}.
     *
     * <p>{@code userKey} may equally be the original username: lower-casing never touches {@code [}
     * or {@code ]}, so the system-sender test ({@code [server]}) gives the same answer for both.
     * The configured bot names are compared on the user key, so {@code excludedUserKeys} must
     * already hold keys ({@link #of} of each configured name).
     */
    public static boolean isExcluded(String userKey, Set<String> excludedUserKeys) {
        return isSystemSender(userKey) || excludedUserKeys.contains(userKey);
    }

    /**
     * Starts with {@code [} and ends with {@code ]}, like the reference's {@code NOT LIKE '[%]'};
     * so a lone {@code [} is an ordinary user and {@code []} is a system sender.
     */
    private static boolean isSystemSender(String name) {
        return name.length() >= 2 && name.startsWith("[") && name.endsWith("]");
    }
}
