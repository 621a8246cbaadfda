package io.tally.pipeline.serve;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One answer: status, extra headers and the body, already encoded (SPEC §6.1.3: {@code
 * application/json; charset=utf-8}, compact).
 */
public record ApiResponse(int status, Map<String, String> headers, byte[] body) {
    public static final String JSON = "application/json; charset=utf-8";

    static ApiResponse json(int status, Object body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", JSON);
        return new ApiResponse(status, headers, Json.bytes(body));
    }

    static ApiResponse empty(int status) {
        return new ApiResponse(status, new LinkedHashMap<>(), new byte[0]);
    }

    public String bodyText() {
        return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
}
