package io.tally.pipeline.members.logic;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * SPEC §4.1 "a credential goes only where it is allowed to go": whether a request's {@code
 * source.url} lies under one of its credential's allowed URL prefixes. Plain Java, no Flink.
 *
 * <p>Both sides are parsed with {@link URI} — the same parser the HTTP client uses to decide where
 * a request goes — and compared part by part, never as strings, so {@code
 * https://api.whop.com@evil.com/} (user info) or {@code https://api.whop.com.evil.com/} (a longer
 * host) cannot pass for {@code https://api.whop.com/}. A url is under a prefix when:
 *
 * <ul>
 *   <li>both are absolute {@code http}/{@code https} URLs with a host and without user info;
 *   <li>the schemes are the same (so {@code http://} only where the prefix says {@code http://});
 *   <li>the hosts are equal ignoring case, and the effective ports (80/443 when absent) too;
 *   <li>the url's path contains no encoded dot, slash or backslash ({@code %2e}, {@code %2f},
 *       {@code %5c}, any case) and no {@code ..}/{@code .} segment survives {@link URI#normalize()}
 *       (servers decode or resolve those after we compared, e.g. {@code /api/v2/..%2f..%2fadmin},
 *       or Tomcat's {@code /..;/});
 *   <li>the normalized path starts with the prefix's path, and when the prefix path does not end in
 *       {@code /}, the url's path continues with {@code /} or ends there ({@code /api/v2} covers
 *       {@code /api/v2/members}, not {@code /api/v2-admin}).
 * </ul>
 *
 * The url's query and fragment are not compared. Anything that does not parse matches nothing.
 */
public final class AllowedUrlPrefixes {
    private static final Pattern ENCODED_DOT_OR_SLASH =
            Pattern.compile("%(2e|2f|5c)", Pattern.CASE_INSENSITIVE);

    private AllowedUrlPrefixes() {}

    /** True when {@code url} is under at least one of {@code prefixes}. */
    public static boolean allows(List<String> prefixes, String url) {
        if (prefixes == null || url == null) {
            return false;
        }
        for (String prefix : prefixes) {
            if (allows(prefix, url)) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code url} is under {@code prefix} (the rules in the class comment). */
    public static boolean allows(String prefix, String url) {
        Parsed p = parse(prefix);
        Parsed u = parse(url);
        if (p == null || u == null) {
            return false;
        }
        if (!p.scheme.equals(u.scheme) || !p.host.equals(u.host) || p.port != u.port) {
            return false;
        }
        String prefixPath = p.path;
        String path = u.path;
        if (!path.startsWith(prefixPath)) {
            return false;
        }
        return prefixPath.endsWith("/")
                || path.length() == prefixPath.length()
                || path.charAt(prefixPath.length()) == '/';
    }

    private record Parsed(String scheme, String host, int port, String path) {}

    private static Parsed parse(String s) {
        if (s == null) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(s.trim());
        } catch (URISyntaxException e) {
            return null;
        }
        if (!uri.isAbsolute() || uri.isOpaque()) {
            return null;
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return null;
        }
        // A host the URI parser could not take as a server (e.g. with '_' or non-ASCII) is null:
        // the HTTP client refuses such a url too.
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            return null;
        }
        String rawPath = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (ENCODED_DOT_OR_SLASH.matcher(rawPath).find()) {
            return null;
        }
        String path = uri.normalize().getRawPath();
        if (path == null || path.isEmpty()) {
            path = "/";
        }
        for (String segment : path.split("/", -1)) {
            int semicolon = segment.indexOf(';');
            String name = semicolon >= 0 ? segment.substring(0, semicolon) : segment;
            if (name.equals(".") || name.equals("..")) {
                return null;
            }
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        return new Parsed(scheme, uri.getHost().toLowerCase(Locale.ROOT), port, path);
    }
}
