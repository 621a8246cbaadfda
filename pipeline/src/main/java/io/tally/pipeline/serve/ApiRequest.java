package io.tally.pipeline.serve;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request as the API sees it, independent of the server library, so every endpoint can be
 * tested without a socket.
 *
 * @param method e.g. {@code GET}
 * @param rawPath the path as sent, still percent-encoded (path parameters are decoded one by one)
 * @param query the decoded query parameters, every value of each name in order
 * @param origin the {@code Origin} header, or null
 * @param id the request id (logged, and {@code "id"} of the {@code /api/v1} error body)
 */
public record ApiRequest(
        String method, String rawPath, Map<String, List<String>> query, String origin, String id) {

    public static ApiRequest get(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String query = q < 0 ? null : pathAndQuery.substring(q + 1);
        return new ApiRequest("GET", path, parseQuery(query), null, "test");
    }

    /**
     * The value of a query parameter as the old Express apps saw it, or null when absent: a
     * parameter given several times ({@code ?limit=1&limit=2}) arrives there as an array, which
     * {@code parseInt} and string checks see as its values joined by commas.
     */
    public String param(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : String.join(",", values);
    }

    /**
     * Parses a query string like Node's {@code querystring}: {@code +} is a space, {@code %XX} a
     * byte of UTF-8, and a malformed escape stays as it is (it is never an error).
     */
    public static Map<String, List<String>> parseQuery(String query) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decodeLenient(eq < 0 ? pair : pair.substring(0, eq), true);
            String value = eq < 0 ? "" : decodeLenient(pair.substring(eq + 1), true);
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    /** Percent-decoding that keeps malformed escapes literally. */
    static String decodeLenient(String s, boolean plusIsSpace) {
        if (s.indexOf('%') < 0 && (!plusIsSpace || s.indexOf('+') < 0)) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        int run = 0; // start of the current run of plain characters
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean escape = c == '%' && isEscape(s, i);
            if (escape || (c == '+' && plusIsSpace)) {
                bytes.writeBytes(s.substring(run, i).getBytes(StandardCharsets.UTF_8));
                if (escape) {
                    bytes.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
                    i += 2;
                } else {
                    bytes.write(' ');
                }
                run = i + 1;
            }
        }
        bytes.writeBytes(s.substring(run).getBytes(StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * Strict percent-decoding of one path segment, like JavaScript's {@code decodeURIComponent}
     * that Express applies to route parameters: a malformed escape or invalid UTF-8 gives null.
     */
    static String decodePathSegment(String s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        int run = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '%') {
                if (!isEscape(s, i)) {
                    return null;
                }
                bytes.writeBytes(s.substring(run, i).getBytes(StandardCharsets.UTF_8));
                bytes.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
                i += 2;
                run = i + 1;
            }
        }
        bytes.writeBytes(s.substring(run).getBytes(StandardCharsets.UTF_8));
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    private static boolean isEscape(String s, int i) {
        return i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0;
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
