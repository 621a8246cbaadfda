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

    /**
     * A GET whose target is sent byte for byte, for malformed escapes ({@code %ZZ}) that {@code
     * java.net.URI} refuses to build. Returns the status and the body.
     */
    RawAnswer getRaw(String pathAndQuery) throws Exception {
        URI uri = URI.create(base);
        try (java.net.Socket s = new java.net.Socket(uri.getHost(), uri.getPort())) {
            s.setSoTimeout(20_000);
            s.getOutputStream()
                    .write(
                            ("GET "
                                            + pathAndQuery
                                            + " HTTP/1.1\r\nHost: "
                                            + uri.getHost()
                                            + "\r\nConnection: close\r\n\r\n")
                                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            String all =
                    new String(
                            s.getInputStream().readAllBytes(),
                            java.nio.charset.StandardCharsets.UTF_8);
            int status = Integer.parseInt(all.substring(9, 12));
            int bodyStart = all.indexOf("\r\n\r\n") + 4;
            return new RawAnswer(status, all.substring(0, bodyStart), all.substring(bodyStart));
        }
    }

    record RawAnswer(int status, String head, String body) {}

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
