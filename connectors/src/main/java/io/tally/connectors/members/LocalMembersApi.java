package io.tally.connectors.members;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real HTTP server on 127.0.0.1 speaking the members API of SPEC §4.2 (the Whop v2 shape), for
 * tests and {@code tally demo}. Audiences are served at {@code /api/v2/audiences/<name>/members};
 * {@code GET …?page=P&per=N} (page 1-based, default 1; per default 50) answers
 *
 * <pre>{"data":[{"id","email","name","username"},…],
 *  "pagination":{"current_page":P,"total_page":max(1,ceil(count/per)),"total_count":count}}</pre>
 *
 * A page past the last answers an empty {@code data}. With {@link #requireSecret} set, a request
 * without {@code Authorization: Bearer <secret>} answers 401. Faults are injected per audience and
 * page ({@link #failPage}, {@link #malformPage}, {@link #slowPage}, {@link #failAlways}), and every
 * request is recorded ({@link #requests()}) so that tests can tell which pages were fetched, and
 * how often. Thread-safe; each request is served on its own thread, so a slow page delays only
 * itself.
 */
public final class LocalMembersApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalMembersApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "/api/v2/audiences/";
    private static final Pattern PATH = Pattern.compile("^/api/v2/audiences/([^/]+)/members/?$");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

    /** One request as the server saw it; {@code page} is -1 if it had none parsable. */
    public record Request(String audience, int page, int status, String authorization) {}

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, List<MembersPage.Member>> audiences = new HashMap<>();
    private final Map<String, Faults> faults = new HashMap<>();
    private final List<Request> requests = new ArrayList<>();
    private final Map<String, Integer> claimedTotalPages = new HashMap<>();
    private String secret;

    private LocalMembersApi(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts a server on 127.0.0.1:{@code port} (0 = any free port). */
    public static LocalMembersApi start(int port) {
        HttpServer server;
        try {
            server =
                    HttpServer.create(
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor =
                Executors.newCachedThreadPool(
                        r -> {
                            Thread t =
                                    new Thread(r, "local-members-api-" + threads.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
        LocalMembersApi api = new LocalMembersApi(server, executor);
        server.createContext("/", api::handle);
        server.setExecutor(executor);
        server.start();
        LOG.info("Local members API on {}", api.baseUrl());
        return api;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * Serves {@code members} (in this order) as audience {@code name} ([A-Za-z0-9._-]+), replacing
     * an audience of that name. Returns its path, {@code /api/v2/audiences/<name>/members}.
     */
    public synchronized String addAudience(String name, List<MembersPage.Member> members) {
        checkName(name);
        audiences.put(name, List.copyOf(members));
        return path(name);
    }

    /** The full url of audience {@code name}: {@code baseUrl() + path}. */
    public String audienceUrl(String name) {
        checkName(name);
        return baseUrl() + path(name);
    }

    /** From now on, a request without {@code Authorization: Bearer <secret>} answers 401. */
    public synchronized void requireSecret(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("secret must not be empty");
        }
        this.secret = secret;
    }

    /** The next {@code times} requests of that page answer {@code status} (e.g. 503, 429). */
    public synchronized void failPage(String name, int page, int times, int status) {
        checkStatus(status);
        Faults f = faults(name, page);
        for (int i = 0; i < times; i++) {
            f.failures.add(status);
        }
    }

    /**
     * The next {@code times} requests of that page answer 200 with a malformed body (in turn:
     * truncated JSON, an HTML page, JSON without {@code pagination}), after any {@link #failPage}
     * failures.
     */
    public synchronized void malformPage(String name, int page, int times) {
        faults(name, page).malformed += Math.max(0, times);
    }

    /** Every request of that page waits {@code delay} before answering (zero: no more delay). */
    public synchronized void slowPage(String name, int page, Duration delay) {
        faults(name, page).delay = delay.isNegative() ? Duration.ZERO : delay;
    }

    /** Every request of that page answers {@code status}, until {@link #clearFaults}. */
    public synchronized void failAlways(String name, int page, int status) {
        checkStatus(status);
        faults(name, page).always = status;
    }

    /**
     * From now on, audience {@code name} answers {@code total_page} = {@code totalPages} whatever
     * its size (an API that promises pages it does not have; pages past the data are empty).
     */
    public synchronized void claimTotalPages(String name, int totalPages) {
        claimedTotalPages.put(name, totalPages);
    }

    /** Removes every fault of audience {@code name}. */
    public synchronized void clearFaults(String name) {
        faults.keySet().removeIf(k -> k.startsWith(name + "\n"));
    }

    /** Every request so far, in arrival order. */
    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The requests so far of audience {@code name}, in arrival order. */
    public synchronized List<Request> requests(String name) {
        return requests.stream().filter(r -> name.equals(r.audience())).toList();
    }

    public synchronized void clearRequests() {
        requests.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---------------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            Matcher m = PATH.matcher(path);
            if (!m.matches()) {
                record(null, -1, 404, authorization);
                send(exchange, 404, error("not found"));
                return;
            }
            String name = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            int page = positive(query.get("page"), 1);
            int per = positive(query.get("per"), MembersClient.PER_PAGE);
            if (!"GET".equals(exchange.getRequestMethod())) {
                record(name, page, 405, authorization);
                send(exchange, 405, error("method not allowed"));
                return;
            }
            Response response = decide(name, page, per, authorization);
            if (response.delay.toMillis() > 0) {
                Thread.sleep(response.delay.toMillis());
            }
            send(exchange, response.status, response.body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.debug("Local members API: client went away: {}", e.toString());
        } catch (RuntimeException e) {
            LOG.warn("Local members API: request failed", e);
        }
    }

    private record Response(int status, String body, Duration delay) {}

    /** Decides and records the answer; the caller then waits the page's delay and sends it. */
    private synchronized Response decide(String name, int page, int per, String authorization) {
        Faults f = page > 0 ? faults.get(key(name, page)) : null;
        Duration delay = f == null ? Duration.ZERO : f.delay;
        int status;
        String body;
        List<MembersPage.Member> members = audiences.get(name);
        if (secret != null && !("Bearer " + secret).equals(authorization)) {
            status = 401;
            body = error("unauthorized");
        } else if (members == null) {
            status = 404;
            body = error("no such audience");
        } else if (page < 1 || per < 1) {
            status = 400;
            body = error("page and per must be positive integers");
        } else if (f != null && f.always != null) {
            status = f.always;
            body = error("injected failure");
        } else if (f != null && !f.failures.isEmpty()) {
            status = f.failures.poll();
            body = error("injected failure");
        } else if (f != null && f.malformed > 0) {
            f.malformed--;
            status = 200;
            body = malformed(f.malformedServed++);
        } else {
            status = 200;
            body = page(members, page, per, claimed(name));
        }
        record(name, page, status, authorization);
        return new Response(status, body, delay);
    }

    private synchronized Integer claimed(String name) {
        return claimedTotalPages.get(name);
    }

    private synchronized void record(String name, int page, int status, String authorization) {
        requests.add(new Request(name, page, status, authorization));
    }

    private static String page(
            List<MembersPage.Member> members, int page, int per, Integer claimed) {
        int count = members.size();
        int totalPages = Math.max(1, (int) ((count + (long) per - 1) / per));
        if (claimed != null) {
            totalPages = claimed;
        }
        ObjectNode root = JSON.createObjectNode();
        ArrayNode data = root.putArray("data");
        long from = (long) (page - 1) * per;
        for (long i = from; i < Math.min(count, from + per); i++) {
            MembersPage.Member m = members.get((int) i);
            ObjectNode node = data.addObject();
            node.put("id", m.id());
            node.put("email", m.email());
            node.put("name", m.name());
            node.put("username", m.username());
        }
        ObjectNode pagination = root.putObject("pagination");
        pagination.put("current_page", page);
        pagination.put("total_page", totalPages);
        pagination.put("total_count", count);
        return root.toString();
    }

    private static String malformed(int n) {
        return switch (n % 3) {
            case 0 -> "{\"data\":[{\"id\":\"mem_1\",\"email\":\"a@exa";
            case 1 -> "<html><body>502 Bad Gateway</body></html>";
            default -> "{\"data\":[]}";
        };
    }

    private static String error(String message) {
        return JSON.createObjectNode().put("error", message).toString();
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> params = new HashMap<>();
        if (rawQuery == null) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            params.putIfAbsent(
                    URLDecoder.decode(k, StandardCharsets.UTF_8),
                    URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return params;
    }

    /** The parameter as a positive int, {@code dflt} if absent, 0 if not a positive int. */
    private static int positive(String value, int dflt) {
        if (value == null) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(value);
            return v > 0 ? v : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static final class Faults {
        final Deque<Integer> failures = new ArrayDeque<>();
        int malformed;
        int malformedServed;
        Duration delay = Duration.ZERO;
        Integer always;
    }

    private Faults faults(String name, int page) {
        checkName(name);
        if (page < 1) {
            throw new IllegalArgumentException("pages are 1-based: " + page);
        }
        return faults.computeIfAbsent(key(name, page), k -> new Faults());
    }

    private static String key(String name, int page) {
        return name + "\n" + page;
    }

    private static String path(String name) {
        return PREFIX + name + "/members";
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("audience name must match [A-Za-z0-9._-]+: " + name);
        }
    }

    private static void checkStatus(int status) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Generated audiences

    private static final String[] NAMES = {
        "Ada Lovelace",
        "Chloé",
        "李 雷 x",
        "Grace Brewster Hopper",
        "Alan Turing",
        "Zoë Ångström",
        "Mary Ann Evans",
        "O'Neil",
        "José María García",
        "Sam",
        "Ngozi Okonjo-Iweala",
        "Björk",
    };
    private static final String[] DOMAINS = {
        "example.com", "Example.org", "mail.test", "whop.example", "exämple.net"
    };
    private static final String[] INVALID = {null, "", "no-at-sign.example.com", "ada(at)example"};

    private enum Kind {
        FRESH,
        DUPLICATE,
        INVALID
    }

    /**
     * {@code count} members, deterministic for {@code seed}: ids {@code mem_<seed-hash>_<n>}
     * (unique), names from a pool that includes spaces and non-ASCII ("Ada Lovelace", "Chloé", "李 雷
     * x", a single token), usernames, and emails of which exactly {@code round(count *
     * invalidShare)} are invalid (null, empty, no {@code @}) and {@code round(count *
     * duplicateShare)} (at most what remains; at least one fresh email is kept if there are
     * duplicates) are case variants of an earlier fresh email ({@code Ada@Example.com} after {@code
     * ada@example.com}). Every other email is fresh and distinct once lower-cased, so the number of
     * distinct contacts is {@code count} minus invalid minus duplicates.
     */
    public static List<MembersPage.Member> generate(
            long seed, int count, double duplicateShare, double invalidShare) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0: " + count);
        }
        if (!(duplicateShare >= 0
                && duplicateShare <= 1
                && invalidShare >= 0
                && invalidShare <= 1)) {
            throw new IllegalArgumentException("shares must be within [0, 1]");
        }
        Random rnd = new Random(seed);
        int invalid = (int) Math.min(count, Math.round(count * invalidShare));
        int duplicates = (int) Math.min(count - invalid, Math.round(count * duplicateShare));
        if (duplicates > 0 && count - invalid - duplicates == 0) {
            duplicates--;
        }
        List<Kind> kinds = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            kinds.add(
                    i < invalid
                            ? Kind.INVALID
                            : i < invalid + duplicates ? Kind.DUPLICATE : Kind.FRESH);
        }
        java.util.Collections.shuffle(kinds, rnd);
        int firstFresh = kinds.indexOf(Kind.FRESH);
        if (firstFresh > 0) {
            java.util.Collections.swap(kinds, 0, firstFresh);
        }
        String idPrefix = "mem_" + Long.toString(seed & 0xffffffL, 36) + "_";
        List<String> fresh = new ArrayList<>();
        List<MembersPage.Member> members = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = NAMES[rnd.nextInt(NAMES.length)];
            String handle = handle(name, i);
            String email =
                    switch (kinds.get(i)) {
                        case INVALID -> INVALID[rnd.nextInt(INVALID.length)];
                        case DUPLICATE -> caseVariant(fresh.get(rnd.nextInt(fresh.size())), rnd);
                        case FRESH -> {
                            String e =
                                    handle.replace('_', '.')
                                            + "@"
                                            + DOMAINS[rnd.nextInt(DOMAINS.length)];
                            e = rnd.nextInt(4) == 0 ? caseVariant(e, rnd) : e;
                            fresh.add(e);
                            yield e;
                        }
                    };
            members.add(new MembersPage.Member(idPrefix + (i + 1), email, name, handle));
        }
        return members;
    }

    /** A username from the name's letters and the index, e.g. {@code ada_lovelace_17}. */
    private static String handle(String name, int index) {
        StringBuilder b = new StringBuilder();
        for (String token : name.toLowerCase(Locale.ROOT).split(" ")) {
            String ascii = token.replaceAll("[^a-z0-9]", "");
            if (!ascii.isEmpty()) {
                b.append(ascii).append('_');
            }
        }
        if (b.length() == 0) {
            b.append("user_");
        }
        return b.append(index + 1).toString();
    }

    /** The same email with the case of some letters flipped (at least one, if it has letters). */
    private static String caseVariant(String email, Random rnd) {
        char[] chars = email.toCharArray();
        boolean changed = false;
        for (int i = 0; i < chars.length; i++) {
            if (Character.isLetter(chars[i]) && rnd.nextInt(3) == 0) {
                chars[i] = flip(chars[i]);
                changed = true;
            }
        }
        if (!changed) {
            for (int i = 0; i < chars.length; i++) {
                if (Character.isLetter(chars[i])) {
                    chars[i] = flip(chars[i]);
                    break;
                }
            }
        }
        return new String(chars);
    }

    private static char flip(char c) {
        return Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c);
    }
}
