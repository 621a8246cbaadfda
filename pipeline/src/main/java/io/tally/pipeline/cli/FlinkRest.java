package io.tally.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/**
 * The few calls of Flink's REST API that {@code submit}, {@code stop} and {@code status} make
 * (STACK.md: upload with form field {@code jarfile}, run with {@code programArgsList}). Every
 * failure becomes a one-line {@link CommandFailure}: an unreachable cluster exits 3, like an
 * unreachable Kafka or PostgreSQL (SPEC §5.2).
 */
final class FlinkRest {
    /** Where {@code --flink-rest} points when not given: the dev cluster's env file sets it. */
    static String defaultUrl() {
        String env = System.getenv("TALLY_FLINK_REST");
        return env != null && !env.isBlank() ? env.trim() : "http://127.0.0.1:8081";
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String url;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    FlinkRest(String url) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    String url() {
        return url;
    }

    JsonNode get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET(), path);
    }

    JsonNode post(String path, JsonNode body) {
        return send(
                HttpRequest.newBuilder(uri(path))
                        .timeout(Duration.ofMinutes(5))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())),
                path);
    }

    void patch(String path) {
        send(
                HttpRequest.newBuilder(uri(path))
                        .timeout(Duration.ofSeconds(10))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody()),
                path);
    }

    void delete(String path) {
        try {
            send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).DELETE(), path);
        } catch (CommandFailure ignored) {
            // Housekeeping only (an uploaded jar); the job does not depend on it.
        }
    }

    /** {@code POST /jars/upload}; returns the jar id to run. */
    String upload(Path jar) throws IOException {
        String boundary = "tally-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                                + jar.getFileName()
                                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode reply =
                send(
                        HttpRequest.newBuilder(uri("/jars/upload"))
                                .timeout(Duration.ofMinutes(2))
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())),
                        "/jars/upload");
        String file = reply.path("filename").asText();
        if (!"success".equals(reply.path("status").asText()) || file.isEmpty()) {
            throw new CommandFailure(1, "the cluster at " + url + " refused the jar: " + reply);
        }
        return Path.of(file).getFileName().toString();
    }

    ObjectNode object() {
        return JSON.createObjectNode();
    }

    private URI uri(String path) {
        try {
            return URI.create(url + path);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(2, "--flink-rest: not a URL: " + url);
        }
    }

    private JsonNode send(HttpRequest.Builder request, String path) {
        HttpResponse<String> r;
        try {
            r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | java.net.http.HttpConnectTimeoutException e) {
            throw new CommandFailure(
                    TallyCli.EXIT_UNREACHABLE,
                    "no Flink cluster answers at "
                            + url
                            + " (start one with bin/tally dev-cluster up, or pass --flink-rest)");
        } catch (IOException e) {
            throw new CommandFailure(
                    TallyCli.EXIT_UNREACHABLE,
                    "cannot talk to Flink at " + url + ": " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailure(1, "interrupted");
        }
        JsonNode body;
        try {
            body = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new CommandFailure(
                    1, url + path + " answered HTTP " + r.statusCode() + " with no JSON");
        }
        if (r.statusCode() >= 400) {
            throw new RestError(r.statusCode(), path, body);
        }
        return body;
    }

    /** An error reply: Flink's {@code {"errors": [message, stack trace…]}}. */
    static final class RestError extends CommandFailure {
        private static final long serialVersionUID = 1L;
        final transient JsonNode body;

        RestError(int status, String path, JsonNode body) {
            super(1, "Flink REST " + path + ": HTTP " + status + ": " + innermost(body));
            this.body = body;
        }

        String allText() {
            StringBuilder s = new StringBuilder();
            body.path("errors").forEach(e -> s.append(e.asText()).append('\n'));
            return s.toString();
        }
    }

    /** The innermost "Caused by" of an error reply or stack trace, on one line. */
    static String innermost(JsonNode body) {
        StringBuilder s = new StringBuilder();
        body.path("errors").forEach(e -> s.append(e.asText()).append('\n'));
        return innermost(s.length() == 0 ? body.toString() : s.toString());
    }

    static String innermost(String trace) {
        String last = null;
        for (String line : trace.split("\n")) {
            String l = line.trim();
            if (l.startsWith("Caused by: ")) {
                last = l.substring("Caused by: ".length());
            }
        }
        if (last == null) {
            last = trace.split("\n")[0].trim();
        }
        return last.replaceAll("\\s+", " ");
    }
}
