package io.tally.connectors.members;

import java.util.List;

/**
 * One page of the members API (SPEC §4.2, the Whop v2 shape): its {@code pagination} and its {@code
 * data}, in the order the API gave them. Nothing is filtered here: a member's fields are nullable
 * exactly as the API sent them, and an email may be null, empty or without {@code @} — deciding
 * what is a contact is the caller's (SPEC §4.3).
 *
 * @param currentPage {@code pagination.current_page}
 * @param totalPages {@code pagination.total_page} (may be 0 for an empty audience)
 * @param totalCount {@code pagination.total_count}
 * @param members {@code data}, unmodifiable
 */
public record MembersPage(int currentPage, int totalPages, long totalCount, List<Member> members) {

    public MembersPage {
        members = List.copyOf(members);
    }

    /** One element of {@code data}; any field may be null. */
    public record Member(String id, String email, String name, String username) {}
}
