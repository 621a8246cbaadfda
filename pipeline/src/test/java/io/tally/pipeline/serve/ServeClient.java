package io.tally.pipeline.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A real HTTP client for the serve tests ({@code java.net.http}). */
final class ServeClient {
    static final ObjectMapper MAPPER = new ObjectMapper();

    record Answer(int status, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return MAPPER.readTree(raw.body());
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + raw.body(), e);
            }
        }

        String body() {
            return raw.body();
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    ServeClient(String base) {
        this.base = base;
    }

    Answer get(String pathAndQuery) throws Exception {
        return send("GET", pathAndQuery, null);
    }

    Answer send(String method, String pathAndQuery, String origin) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                        .timeout(Duration.ofSeconds(20))
                        .method(method, HttpRequest.BodyPublishers.noBody());
        if (origin != null) {
            b.header("Origin", origin);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r);
    }
}
