package io.tally.pipeline.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.JobID;

/**
 * Makes failures visible (SPEC §1.6): polls the job's exception history over Flink's REST API and
 * prints one console line per failure with its root cause, so a job that restarts in the background
 * is no longer silent. Works against the embedded cluster of {@code run} and {@code demo} as well
 * as a real one.
 */
public final class RestartWatcher implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofSeconds(1);

    private final String restUrl;
    private final JobID job;
    private final PrintStream console;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Set<String> seen = new HashSet<>();
    private final Thread thread;
    private volatile boolean stopped;
    private volatile String lastRootCause;
    private int printed;

    public RestartWatcher(String restUrl, JobID job, PrintStream console) {
        this.restUrl = restUrl;
        this.job = job;
        this.console = console;
        this.thread = new Thread(this::loop, "tally-restart-watcher");
        this.thread.setDaemon(true);
    }

    public RestartWatcher start() {
        thread.start();
        return this;
    }

    /**
     * Failures seen so far. The last ones of a job that failed for good may be missing: an embedded
     * cluster shuts down with its job, before its last exceptions could be read.
     */
    public synchronized int failures() {
        return printed;
    }

    /**
     * How many restarts a job that failed for good had: Flink names its exhausted restart strategy
     * in the final exception ("Recovery is suppressed by …attemptsBeforeResetBackoff=10…");
     * otherwise the failures this watcher saw, less the final one.
     */
    public int restartsBefore(Throwable finalFailure) {
        for (Throwable t = finalFailure; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.contains("Recovery is suppressed")) {
                java.util.regex.Matcher attempts =
                        java.util.regex.Pattern.compile("attemptsBeforeResetBackoff=(\\d+)")
                                .matcher(m);
                if (attempts.find()) {
                    return Integer.parseInt(attempts.group(1));
                }
            }
        }
        return Math.max(0, failures() - 1);
    }

    /** The root cause of the newest failure seen, or null. */
    public String lastRootCause() {
        return lastRootCause;
    }

    /** Polls once more, so failures of a job that just ended are counted too. */
    public void pollNow() {
        poll();
    }

    private void loop() {
        while (!stopped) {
            poll();
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void poll() {
        JsonNode entries;
        try {
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    restUrl
                                                            + "/jobs/"
                                                            + job
                                                            + "/exceptions?maxExceptions=50"))
                                    .timeout(Duration.ofSeconds(5))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return;
            }
            entries = JSON.readTree(r.body()).path("exceptionHistory").path("entries");
        } catch (java.io.IOException e) {
            return; // the cluster is starting or gone; the next poll tells
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        // Newest first in the REST answer; print oldest first.
        List<JsonNode> fresh = new ArrayList<>();
        for (JsonNode e : entries) {
            String id = e.path("timestamp").asLong() + "/" + e.path("exceptionName").asText();
            if (seen.add(id)) {
                fresh.add(0, e);
            }
        }
        for (JsonNode e : fresh) {
            String cause = rootCause(e.path("stacktrace").asText(e.path("exceptionName").asText()));
            lastRootCause = cause;
            // "… (1/2) - execution #3": the attempt number only repeats the failure count.
            String task = e.path("taskName").asText("").replaceAll(" - execution #\\d+$", "");
            printed++;
            console.println(
                    "tally: failure "
                            + printed
                            + (task.isEmpty() ? "" : " in " + task)
                            + ": "
                            + cause);
        }
    }

    /**
     * The innermost "Caused by" of a Java stack trace, as {@code SimpleName: first line of the
     * message}: the wrapping exceptions (Flink's task failure, a sink's IOException) say only that
     * something failed; the root says what.
     */
    public static String rootCause(String stacktrace) {
        String[] lines = stacktrace.split("\n");
        String root = lines.length == 0 ? stacktrace : lines[0];
        for (String line : lines) {
            String l = line.strip();
            if (l.startsWith("Caused by: ")) {
                root = l.substring("Caused by: ".length());
            }
        }
        int colon = root.indexOf(':');
        String type = colon < 0 ? root : root.substring(0, colon);
        String message = colon < 0 ? "" : root.substring(colon + 1).strip();
        int dot = type.lastIndexOf('.');
        if (dot >= 0 && !type.contains(" ")) {
            type = type.substring(dot + 1);
        }
        String text = message.isEmpty() ? type : type + ": " + message;
        return text.length() > 400 ? text.substring(0, 400) + "…" : text;
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
    }
}
