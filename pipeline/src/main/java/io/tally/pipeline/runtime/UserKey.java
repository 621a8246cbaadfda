package io.tally.pipeline.runtime;

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
        return asciiLowerCase(username);
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

    /**
     * Lower-cases ASCII {@code A–Z} only. Locale-independent on purpose (SPEC §2.2): {@code
     * String.toLowerCase()} would turn {@code I} into a dotless ı under a Turkish default locale.
     */
    public static String asciiLowerCase(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (out == null) {
                    out = new StringBuilder(text.length()).append(text, 0, i);
                }
                out.append((char) (c + ('a' - 'A')));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }
}
