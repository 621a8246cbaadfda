package io.tally.pipeline.chat.logic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class VocabularyTest {

    @Test
    void tokensAreStep5TokensOnRawTextLowerCasedWithOrderAndDuplicatesKept() {
        // SPEC §2.8: no URL/mention replacement, no emoji deletion, no step-6 filter.
        assertThat(Vocabulary.vocabularyTokens("Hello hello x y 'Don't' https://X.io/A @Bob"))
                .containsExactly(
                        "hello", "hello", "x", "y", "don't", "https", "x", "io", "a", "bob");
    }

    @Test
    void emojiAndNonAsciiLettersSplitTokens() {
        // On raw text an emoji splits (unlike the §2.3 count, where hi😀there is one word).
        assertThat(Vocabulary.vocabularyTokens("hi😀there café ÜBER"))
                .containsExactly("hi", "there", "caf", "ber");
    }

    @Test
    void emptyAndQuoteOnlyTextHaveNoTokens() {
        assertThat(Vocabulary.vocabularyTokens("")).isEmpty();
        assertThat(Vocabulary.vocabularyTokens("'' ' -")).isEmpty();
    }

    @Test
    void lowerCasingIgnoresTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.forLanguageTag("tr"));
            assertThat(Vocabulary.vocabularyTokens("I WIN")).containsExactly("i", "win");
        } finally {
            Locale.setDefault(saved);
        }
    }
}
