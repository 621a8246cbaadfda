package io.tally.pipeline.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.tally.connectors.kafka.ParsedRecord;
import io.tally.connectors.kafka.ValidatingDeserializer;
import io.tally.pipeline.chat.records.ChatMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC §2.1 and §1.6 "values no table can hold": every chat string that reaches a table is free of
 * U+0000 and unpaired surrogates and within its cap; {@code ts} is within 1970…9999.
 */
class ChatMessageValidatorTest {
    final ValidatingDeserializer<ChatMessage> deserializer =
            new ValidatingDeserializer<>(
                    new ChatMessageValidator(),
                    m -> m.ts,
                    Types.POJO(ChatMessage.class),
                    1 << 20,
                    Duration.ofDays(1));

    static final String NUL_ERROR = ": contains U+0000 (NUL), which PostgreSQL text cannot hold";
    static final String SURROGATE_ERROR =
            ": contains an unpaired surrogate (U+D800), which is not valid Unicode and PostgreSQL"
                    + " cannot store";
    static final String RANGE_ERROR =
            "ts: expected an instant from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, got ";

    /** A message whose fields are given as JSON literals (escapes stay escapes). */
    static String message(String id, String username, String room, String text, String ts) {
        return "{\"id\":"
                + id
                + ",\"username\":"
                + username
                + (room == null ? "" : ",\"room\":" + room)
                + ",\"text\":"
                + text
                + ",\"ts\":"
                + ts
                + "}";
    }

    static String q(String s) {
        return "\"" + s + "\"";
    }

    static final String ID = q("fatpizza:1719800000123:alice");
    static final String USER = q("Alice");
    static final String ROOM = q("fatpizza");
    static final String TEXT = q("hello world");
    static final String TS = "1719800000123";

    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("good", message(ID, USER, ROOM, TEXT, TS), "ok"),
                arguments("no room", message(ID, USER, null, TEXT, TS), "ok"),
                arguments("id of 256", message(q("i".repeat(256)), USER, ROOM, TEXT, TS), "ok"),
                arguments(
                        "id of 257",
                        message(q("i".repeat(257)), USER, ROOM, TEXT, TS),
                        "bad-value: id: at most 256 characters, got 257"),
                arguments(
                        "NUL in id",
                        message(q("m\\u00001"), USER, ROOM, TEXT, TS),
                        "bad-value: id" + NUL_ERROR),
                arguments(
                        "NUL in username",
                        message(ID, q("ali\\u0000ce"), ROOM, TEXT, TS),
                        "bad-value: username" + NUL_ERROR),
                arguments(
                        "surrogate in username",
                        message(ID, q("ali\\ud800ce"), ROOM, TEXT, TS),
                        "bad-value: username" + SURROGATE_ERROR),
                arguments(
                        "username of 101",
                        message(ID, q("u".repeat(101)), ROOM, TEXT, TS),
                        "bad-value: username: expected 1–100 characters, got 101"),
                arguments(
                        "NUL in room",
                        message(ID, USER, q("fat\\u0000pizza"), TEXT, TS),
                        "bad-value: room" + NUL_ERROR),
                arguments(
                        "surrogate in room",
                        message(ID, USER, q("\\ud800"), TEXT, TS),
                        "bad-value: room" + SURROGATE_ERROR),
                arguments("room of 100", message(ID, USER, q("r".repeat(100)), TEXT, TS), "ok"),
                arguments(
                        "room of 100 emoji (200 UTF-16 units)",
                        message(ID, USER, q("😀".repeat(100)), TEXT, TS),
                        "ok"),
                arguments(
                        "room of 101",
                        message(ID, USER, q("r".repeat(101)), TEXT, TS),
                        "bad-value: room: at most 100 characters, got 101"),
                arguments(
                        "room of 5000",
                        message(ID, USER, q("r".repeat(5000)), TEXT, TS),
                        "bad-value: room: at most 100 characters, got 5000"),
                arguments(
                        "NUL in text (its tokens reach user_vocabulary)",
                        message(ID, USER, ROOM, q("a\\u0000b"), TS),
                        "bad-value: text" + NUL_ERROR),
                arguments(
                        "surrogate in text",
                        message(ID, USER, ROOM, q("a \\ud800 b"), TS),
                        "bad-value: text" + SURROGATE_ERROR),
                arguments("ts at 1970", message(ID, USER, ROOM, TEXT, "0"), "ok"),
                arguments(
                        "ts before 1970",
                        message(ID, USER, ROOM, TEXT, "-1"),
                        "bad-timestamp: " + RANGE_ERROR + "-1"),
                arguments(
                        "ts in year 0",
                        message(ID, USER, ROOM, TEXT, q("0000-01-01T00:00:00Z")),
                        "bad-timestamp: " + RANGE_ERROR + "\"0000-01-01T00:00:00Z\""),
                arguments(
                        "ts in year 10000",
                        message(ID, USER, ROOM, TEXT, q("+10000-01-01T00:00:00Z")),
                        "bad-timestamp: " + RANGE_ERROR + "\"+10000-01-01T00:00:00Z\""),
                // SPEC §1.6 order: the first reason that applies wins.
                arguments(
                        "NUL in room and a missing text",
                        "{\"id\":\"m\",\"username\":\"a\",\"room\":\"\\u0000\",\"ts\":1}",
                        "missing-field: text: required field is missing"),
                arguments(
                        "NUL in username and a year-0 ts",
                        message(ID, q("\\u0000"), ROOM, TEXT, q("0000-01-01T00:00:00Z")),
                        "bad-value: username" + NUL_ERROR));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void valuesNoTableCanHoldAreBadRecords(String name, String json, String expected) {
        ParsedRecord<ChatMessage> r =
                deserializer.parse(
                        "chat-messages", 0, 0, null, json.getBytes(StandardCharsets.UTF_8));
        String outcome = r.isValid() ? "ok" : r.deadLetter.reason + ": " + r.deadLetter.error;
        assertThat(outcome).isEqualTo(expected);
    }
}
