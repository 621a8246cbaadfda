package io.tally.connectors.members;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches one page of the members API (SPEC §4.2): {@code GET {url}?page=P&per=50} with {@code
 * Authorization: Bearer <secret>}, fully asynchronous ({@link HttpClient#sendAsync}), so a caller
 * such as a Flink async function never blocks on it.
 *
 * <p>The future completes with the parsed {@link MembersPage}, or exceptionally with a {@link
 * MembersFetchException}: retryable for HTTP 5xx and 429, a timeout (the whole exchange, headers
 * and body, must finish within {@code requestTimeout}), a connection error and a malformed body;
 * not retryable for any other non-2xx status (401, 403, 404, …, and 3xx: redirects are not
 * followed, so the bearer secret never goes to another host) and for a bad url or credential.
 * Messages name the request without its query ({@code GET http://host/path (page 3): HTTP 503}) and
 * never the secret (SPEC §4.1).
 *
 * <p>Thread-safe; one client serves any number of concurrent requests.
 */
public final class MembersClient {
    private static final Logger LOG = LoggerFactory.getLogger(MembersClient.class);

    /** Members per page (SPEC §4.2). */
    public static final int PER_PAGE = 50;

    /** A page body larger than this is malformed (issue 9: a page is read into memory). */
    public static final long MAX_BODY_BYTES = 16L << 20;

    /**
     * A larger {@code total_page} is malformed: 100 000 pages of 50 are 5 M members per job, and
     * the import's row versions count pages in 17 bits.
     */
    public static final int MAX_TOTAL_PAGES = 100_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Duration requestTimeout;
    private final long maxBodyBytes;
    private final HttpClient http;

    public MembersClient(Duration requestTimeout) {
        this(requestTimeout, MAX_BODY_BYTES);
    }

    /** As {@link #MembersClient(Duration)}, with another cap on a page's body (tests). */
    public MembersClient(Duration requestTimeout, long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException(
                    "requestTimeout must be positive: " + requestTimeout);
        }
        this.requestTimeout = requestTimeout;
        this.http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .connectTimeout(requestTimeout)
                        .build();
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    /**
     * Fetches page {@code page} (1-based) of the members at {@code url}. Never throws: every
     * problem, including a bad argument, completes the future exceptionally with a {@link
     * MembersFetchException}.
     */
    public CompletableFuture<MembersPage> fetchPage(String url, String bearerSecret, int page) {
        String requestUrl = url == null ? null : pageUrl(url, page);
        String where = "GET " + displayUrl(url) + " (page " + page + ")";
        if (url == null || url.isBlank()) {
            return failed(new MembersFetchException(where + ": no url", false, null));
        }
        if (page < 1) {
            return failed(new MembersFetchException(where + ": page must be >= 1", false, null));
        }
        if (bearerSecret == null || bearerSecret.isEmpty()) {
            return failed(new MembersFetchException(where + ": no credential", false, null));
        }
        HttpRequest request;
        try {
            URI uri = new URI(requestUrl);
            String scheme = uri.getScheme();
            if (uri.getHost() == null
                    || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
                return failed(
                        new MembersFetchException(where + ": not an http(s) url", false, null));
            }
            HttpRequest.Builder builder =
                    HttpRequest.newBuilder(uri)
                            .GET()
                            .timeout(requestTimeout)
                            .header("Accept", "application/json");
            try {
                builder.header("Authorization", "Bearer " + bearerSecret);
            } catch (IllegalArgumentException e) {
                // Never chain e: its message may quote the header value.
                return failed(
                        new MembersFetchException(
                                where + ": the credential is not a valid header value",
                                false,
                                null));
            }
            request = builder.build();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return failed(new MembersFetchException(where + ": invalid url", false, null));
        }

        CompletableFuture<MembersPage> result = new CompletableFuture<>();
        CompletableFuture<HttpResponse<String>> exchange;
        try {
            // Streamed with a limit: a body over the cap is cancelled as it arrives, never held
            // whole.
            exchange =
                    http.sendAsync(
                            request,
                            info ->
                                    HttpResponse.BodySubscribers.mapping(
                                            new LimitedBody(maxBodyBytes),
                                            bytes -> new String(bytes, StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            return failed(
                    new MembersFetchException(
                            where + ": " + redact(e.toString(), bearerSecret), false, null));
        }
        exchange.orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete(
                        (response, error) -> {
                            if (error != null) {
                                exchange.cancel(true); // no-op if done; frees a timed-out exchange
                                result.completeExceptionally(
                                        transportFailure(where, error, bearerSecret));
                            } else {
                                complete(result, where, response, bearerSecret);
                            }
                        });
        return result;
    }

    private void complete(
            CompletableFuture<MembersPage> result,
            String where,
            HttpResponse<String> response,
            String secret) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            try {
                result.complete(parse(response.body()));
            } catch (MalformedBodyException e) {
                result.completeExceptionally(
                        new MembersFetchException(
                                where
                                        + ": HTTP "
                                        + status
                                        + ", malformed body ("
                                        + e.getMessage()
                                        + ")",
                                true,
                                status));
            }
            return;
        }
        boolean retryable = status == 429 || status >= 500;
        String message = where + ": HTTP " + status;
        LOG.debug("{} ({})", message, retryable ? "retryable" : "not retryable");
        result.completeExceptionally(
                new MembersFetchException(redact(message, secret), retryable, status));
    }

    private MembersFetchException transportFailure(String where, Throwable error, String secret) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof BodyTooLargeException) {
            // Malformed, so retryable like any malformed body (SPEC §4.2).
            return new MembersFetchException(
                    where + ": malformed body (larger than " + maxBodyBytes + " bytes)",
                    true,
                    null);
        }
        if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
            return new MembersFetchException(
                    where + ": timed out after " + requestTimeout.toMillis() + " ms", true, null);
        }
        if (cause instanceof ConnectException) {
            return new MembersFetchException(
                    where + ": connection failed (" + redact(cause.toString(), secret) + ")",
                    true,
                    null,
                    cause);
        }
        if (cause instanceof IOException) {
            return new MembersFetchException(
                    where + ": I/O error (" + redact(cause.toString(), secret) + ")",
                    true,
                    null,
                    cause);
        }
        // Anything else (a bug, an interrupted or shut-down client) is not worth retrying blindly.
        return new MembersFetchException(
                where + ": " + redact(String.valueOf(cause), secret), false, null);
    }

    /** {@code url} with {@code page} and {@code per=50} appended to its query. */
    static String pageUrl(String url, int page) {
        String query = "page=" + page + "&per=" + PER_PAGE;
        int hash = url.indexOf('#');
        String fragment = hash >= 0 ? url.substring(hash) : "";
        String base = hash >= 0 ? url.substring(0, hash) : url;
        String separator;
        if (base.endsWith("?") || base.endsWith("&")) {
            separator = "";
        } else {
            separator = base.indexOf('?') >= 0 ? "&" : "?";
        }
        return base + separator + query + fragment;
    }

    /**
     * The url as messages and {@code import_jobs.error} show it (SPEC §4.1): without its query
     * string and fragment (a query may carry a token, e.g. {@code ?api_key=…}) and with any user
     * info masked ({@code https://***@host/…}). Works on unparseable input too, by cutting at the
     * first {@code ?} or {@code #}.
     */
    public static String displayUrl(String url) {
        if (url == null) {
            return "<no url>";
        }
        String shown = url;
        int cut = indexOfAny(shown, '?', '#');
        if (cut >= 0) {
            shown = shown.substring(0, cut);
        }
        int start = shown.indexOf("//");
        if (start >= 0) {
            int end = shown.indexOf('/', start + 2);
            int at = shown.lastIndexOf('@', end < 0 ? shown.length() - 1 : end);
            if (at > start) {
                shown = shown.substring(0, start + 2) + "***" + shown.substring(at);
            }
        }
        return shown;
    }

    private static int indexOfAny(String s, char a, char b) {
        int i = s.indexOf(a);
        int j = s.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }

    private static String redact(String message, String secret) {
        if (message == null || secret == null || secret.isEmpty()) {
            return message;
        }
        return message.replace(secret, "<redacted>");
    }

    private static <T> CompletableFuture<T> failed(MembersFetchException e) {
        return CompletableFuture.failedFuture(e);
    }

    /**
     * Parses a members API body. Requires a JSON object with a {@code data} array of objects whose
     * {@code id}, {@code email}, {@code name} and {@code username} are strings, null or absent (an
     * {@code id} may also be an integer), and a {@code pagination} object with non-negative integer
     * {@code current_page}, {@code total_page} and {@code total_count}. Other fields are ignored.
     */
    static MembersPage parse(String body) throws MalformedBodyException {
        if (body == null || body.isBlank()) {
            throw new MalformedBodyException("empty body");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new MalformedBodyException("not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new MalformedBodyException("not a JSON object");
        }
        JsonNode data = root.get("data");
        if (data == null || !data.isArray()) {
            throw new MalformedBodyException("missing \"data\" array");
        }
        JsonNode pagination = root.get("pagination");
        if (pagination == null || !pagination.isObject()) {
            throw new MalformedBodyException("missing \"pagination\" object");
        }
        int currentPage = (int) integer(pagination, "current_page", Integer.MAX_VALUE);
        int totalPages = (int) integer(pagination, "total_page", MAX_TOTAL_PAGES);
        long totalCount = integer(pagination, "total_count", Long.MAX_VALUE);
        List<MembersPage.Member> members = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            JsonNode m = data.get(i);
            if (!m.isObject()) {
                throw new MalformedBodyException("data[" + i + "] is not an object");
            }
            members.add(
                    new MembersPage.Member(
                            text(m, "id", i, true),
                            text(m, "email", i, false),
                            text(m, "name", i, false),
                            text(m, "username", i, false)));
        }
        return new MembersPage(currentPage, totalPages, totalCount, members);
    }

    private static long integer(JsonNode pagination, String field, long max)
            throws MalformedBodyException {
        JsonNode v = pagination.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new MalformedBodyException("pagination." + field + " is not an integer");
        }
        long value = v.asLong();
        if (value < 0 || value > max) {
            throw new MalformedBodyException("pagination." + field + " out of range");
        }
        return value;
    }

    private static String text(JsonNode member, String field, int index, boolean integerAllowed)
            throws MalformedBodyException {
        JsonNode v = member.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        if (integerAllowed && v.isIntegralNumber()) {
            return v.asText();
        }
        throw new MalformedBodyException("data[" + index + "]." + field + " is not a string");
    }

    /** The body went over the cap; the exchange was cancelled. */
    static final class BodyTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        BodyTooLargeException(long limit) {
            super("body larger than " + limit + " bytes");
        }
    }

    /** Collects a body up to {@code limit} bytes; beyond it, cancels the stream and fails. */
    static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final long limit;
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        LimitedBody(long limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if (bytes.size() + (long) b.remaining() > limit) {
                    subscription.cancel();
                    body.completeExceptionally(new BodyTooLargeException(limit));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            body.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toByteArray());
        }
    }

    /** A 2xx body that is not the §4.2 shape; its message says what is wrong, never the body. */
    static final class MalformedBodyException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedBodyException(String message) {
            super(message);
        }
    }
}
