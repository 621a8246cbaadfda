package io.tally.pipeline.members.logic;

import io.tally.connectors.kafka.TextRules;
import java.util.Locale;

/**
 * SPEC §4.3: which members are kept, their email key, and the split of their name; and SPEC §4.1:
 * what of an API member's data a table can hold.
 */
public final class ContactNames {
    /** SPEC §4.1: a longer email counts as invalid (the RFC 5321 limit on a path). */
    static final int MAX_EMAIL_CHARS = 254;

    private ContactNames() {}

    /**
     * A non-empty email containing {@code @} is kept (SPEC §4.3), unless it contains U+0000 or is
     * longer than 254 characters (SPEC §4.1: PostgreSQL cannot store the one, and the other is no
     * deliverable address). An unpaired surrogate makes it invalid too: PgJDBC would send it as
     * {@code ?}, so two distinct emails could become one key and the audience count would no longer
     * match the rows.
     */
    public static boolean isValidEmail(String email) {
        return email != null
                && !email.isEmpty()
                && email.indexOf('@') >= 0
                && TextRules.whyUnstorable(email, MAX_EMAIL_CHARS) == null;
    }

    /**
     * SPEC §4.1: U+0000 is removed from an API member's other fields (id, name, username), which
     * would otherwise make PostgreSQL reject the contact row; null stays null.
     */
    public static String withoutNul(String text) {
        return text == null || text.indexOf('\u0000') < 0 ? text : text.replace("\u0000", "");
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
