package io.tally.pipeline.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UserKeyTest {

    private static final Set<String> BOTS = Set.of("dazza");

    @ParameterizedTest(name = "[{index}] {0} → {1}")
    @CsvSource({
        "Alice, alice",
        "alice, alice",
        "ALICE_99, alice_99",
        // SPEC §2.2: only ASCII A–Z; other characters are kept as they are
        "ÅLICE, Ålice",
        "İSTANBUL, İstanbul",
        "ΣΟΦΙΑ, ΣΟΦΙΑ",
        "[Server], [server]",
    })
    void lowerCasesAsciiOnly(String username, String expected) {
        assertThat(UserKey.of(username)).isEqualTo(expected);
    }

    @Test
    void ignoresTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        try {
            // Under a Turkish locale String.toLowerCase() maps I to a dotless ı.
            Locale.setDefault(Locale.forLanguageTag("tr-TR"));
            assertThat(UserKey.of("IVAN")).isEqualTo("ivan");
        } finally {
            Locale.setDefault(saved);
        }
    }

    @ParameterizedTest(name = "[{index}] {0} excluded: {1}, system sender: {2}")
    @CsvSource({
        "dazza, true, false",
        "Dazza, true, false", // configured names are compared on the user key (SPEC §2.2)
        "DAZZA, true, false",
        "dazza2, false, false",
        "alice, false, false",
        "[server], true, true",
        "[Server], true, true",
        "[], true, true",
        "'[', false, false",
        "']', false, false",
        "[x, false, false",
        "x], false, false",
        "a[b], false, false",
    })
    void excludesConfiguredBotsAndBracketedSystemSenders(
            String username, boolean excluded, boolean systemSender) {
        assertThat(UserKey.isExcluded(UserKey.of(username), BOTS)).isEqualTo(excluded);
        // The bracket rule needs no configuration, and the original username answers it as its
        // key does.
        assertThat(UserKey.isExcluded(username, Set.of())).isEqualTo(systemSender);
        assertThat(UserKey.isExcluded(UserKey.of(username), Set.of())).isEqualTo(systemSender);
    }
}
