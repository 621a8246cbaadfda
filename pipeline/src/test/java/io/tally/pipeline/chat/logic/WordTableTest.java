package io.tally.pipeline.chat.logic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class WordTableTest {

    @Test
    void addsEachWordOnceAndKeepsItsValue() {
        WordTable t = new WordTable();
        assertThat(t.add("pizza")).isTrue();
        assertThat(t.add("pizza")).isFalse();
        t.put("beer", 42);
        t.put("beer", 7);

        assertThat(t.size()).isEqualTo(2);
        assertThat(t.contains("pizza")).isTrue();
        assertThat(t.contains("pizz")).isFalse();
        assertThat(t.contains("pizzas")).isFalse();
        assertThat(t.get("beer", -1)).isEqualTo(7);
        assertThat(t.get("wine", -1)).isEqualTo(-1);
        assertThat(t.word(0)).isEqualTo("pizza");
        assertThat(t.value(1)).isEqualTo(7);
    }

    @Test
    void tellsApartWordsWithTheSameHashAndTheEmptyWord() {
        WordTable t = new WordTable();
        // "Aa" and "BB" share String.hashCode(); so do "AaAa", "AaBB", "BBAa" and "BBBB".
        for (String w : new String[] {"Aa", "BB", "AaAa", "AaBB", "BBAa", ""}) {
            t.put(w, w.length() + 100);
        }
        assertThat(t.size()).isEqualTo(6);
        assertThat(t.get("BB", -1)).isEqualTo(102);
        assertThat(t.get("BBAa", -1)).isEqualTo(104);
        assertThat(t.get("", -1)).isEqualTo(100);
        assertThat(t.contains("BBBB")).isFalse();
    }

    @Test
    void keepsEveryUtf16CodeUnitIncludingUnpairedSurrogatesAndNul() {
        WordTable t = new WordTable();
        String[] words = {"été", "привет", "日本語", "😀x", "\uD800", "\uDC00", "a\u0000b", "ÿ\u0100"};
        for (int i = 0; i < words.length; i++) {
            t.put(words[i], i);
        }
        for (int i = 0; i < words.length; i++) {
            assertThat(t.get(words[i], -1)).as(words[i]).isEqualTo(i);
            assertThat(t.word(i)).isEqualTo(words[i]);
        }
        assertThat(t.contains("\uD800\uDC00")).isFalse();
        assertThat(t.contains("ab")).isFalse();
    }

    /** One byte a unit while every word is Latin-1, two from the first word that is not. */
    @Test
    void widensItsUnitsOnlyForAWordBeyondLatin1() {
        WordTable t = new WordTable();
        t.put("café", 1);
        t.put("naïve", 2);
        assertThat(t.wide).isFalse();
        t.put("日本", 3);
        assertThat(t.wide).isTrue();
        assertThat(t.get("café", -1)).isEqualTo(1);
        assertThat(t.get("naïve", -1)).isEqualTo(2);
        assertThat(t.get("日本", -1)).isEqualTo(3);
        assertThat(t.word(0)).isEqualTo("café");
        assertThat(t.removeValuesUpTo(1)).isEqualTo(1);
        assertThat(t.word(0)).isEqualTo("naïve");
        assertThat(t.word(1)).isEqualTo("日本");
    }

    @Test
    void agreesWithAHashMapOverManyRandomWords() {
        Random random = new Random(7);
        WordTable t = new WordTable();
        Map<String, Long> expected = new HashMap<>();
        for (int n = 0; n < 50_000; n++) {
            String w = randomWord(random);
            long v = random.nextLong();
            if (random.nextBoolean()) {
                t.put(w, v);
                expected.put(w, v);
            } else {
                assertThat(t.add(w)).isEqualTo(!expected.containsKey(w));
                expected.putIfAbsent(w, 0L);
            }
        }
        assertThat(t.size()).isEqualTo(expected.size());
        expected.forEach((w, v) -> assertThat(t.get(w, Long.MIN_VALUE)).as(w).isEqualTo(v));
        for (int n = 0; n < 1_000; n++) {
            String w = randomWord(random) + "#";
            assertThat(t.contains(w)).isFalse();
        }
    }

    @Test
    void removesTheWordsWhoseValueIsAtMostALimitAndKeepsTheRestFindable() {
        WordTable t = new WordTable();
        for (int i = 0; i < 300; i++) {
            t.put("id-" + i, i % 10); // ten "days"
        }
        assertThat(t.removeValuesUpTo(3)).isEqualTo(120);
        assertThat(t.size()).isEqualTo(180);
        assertThat(t.contains("id-3")).isFalse();
        assertThat(t.get("id-4", -1)).isEqualTo(4);
        assertThat(t.get("id-299", -1)).isEqualTo(9);
        assertThat(t.add("id-3")).as("a removed id can come back").isTrue();
        assertThat(t.removeValuesUpTo(-1)).isZero();
        assertThat(t.removeValuesUpTo(9)).isEqualTo(181);
        assertThat(t.size()).isZero();
        assertThat(t.contains("id-9")).isFalse();
    }

    /** Flink's POJO serializer (no Kryo) writes and copies it; the index is rebuilt after both. */
    @Test
    void survivesFlinksPojoSerializerAndCopy() throws Exception {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeSerializer<WordTable> serializer = Types.POJO(WordTable.class).createSerializer(config);
        assertThat(serializer).isInstanceOf(PojoSerializer.class);

        WordTable t = new WordTable();
        for (int i = 0; i < 1_000; i++) {
            t.put("w" + i, i);
        }
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(t, out);
        WordTable read = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        WordTable copy = serializer.copy(t);

        for (WordTable u : new WordTable[] {read, copy}) {
            assertThat(u.size()).isEqualTo(1_000);
            assertThat(u.get("w999", -1)).isEqualTo(999);
            assertThat(u.add("w1000")).isTrue();
            assertThat(u.contains("w1000")).isTrue();
        }
        assertThat(t.contains("w1000")).as("the copies are independent").isFalse();
    }

    private static String randomWord(Random random) {
        int length = 1 + random.nextInt(12);
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(
                    (char)
                            (random.nextInt(4) == 0
                                    ? 0x400 + random.nextInt(64)
                                    : 'a' + random.nextInt(6)));
        }
        return b.toString();
    }
}
