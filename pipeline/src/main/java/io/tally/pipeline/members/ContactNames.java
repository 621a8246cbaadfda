package io.tally.pipeline.members;

import java.util.Locale;

/** SPEC §4.3: which members are kept, their email key, and the split of their name. */
public final class ContactNames {
    private ContactNames() {}

    /** A non-empty email containing {@code @} is kept. */
    public static boolean isValidEmail(String email) {
        return email != null && !email.isEmpty() && email.indexOf('@') >= 0;
    }

    /** The dedupe key: lower-cased with the ROOT locale, not trimmed. */
    public static String emailKey(String email) {
        return email.toLowerCase(Locale.ROOT);
    }

    /** First space-separated token of the name; null for a null or empty name. */
    public static String firstName(String name) {
        if (name == null || name.isEmpty()) {
            return null;
        }
        int space = name.indexOf(' ');
        return space < 0 ? name : name.substring(0, space);
    }

    /** The rest after the first space; null when there is none. */
    public static String lastName(String name) {
        if (name == null) {
            return null;
        }
        int space = name.indexOf(' ');
        return space < 0 ? null : name.substring(space + 1);
    }
}
