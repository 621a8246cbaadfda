package io.tally.pipeline.members.logic;

import io.tally.connectors.members.MembersClient;
import io.tally.pipeline.config.TallyConfig;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves a credential name to its secret when a request is sent (SPEC §4.1): the environment
 * variable {@code TALLY_CREDENTIAL_<NAME>} (upper-cased, every non-alphanumeric character as {@code
 * _}), else a file named for it in the YAML config ({@code credentials: {name: {file: …}}}),
 * trimmed. Only names, file paths and allowed URL prefixes are held — never a secret — so this
 * object can travel with the job graph.
 *
 * <p>SPEC §4.1 "a credential goes only where it is allowed to go": {@link #secretFor} hands out a
 * secret only for a URL under one of the credential's allowed prefixes ({@link
 * AllowedUrlPrefixes}), and checks that before the secret is even looked up.
 */
public final class Credentials implements Serializable {
    private static final long serialVersionUID = 1L;

    private final HashMap<String, String> files;

    /** By {@link TallyConfig#credentialKey}; lists of URL prefixes. */
    private final HashMap<String, ArrayList<String>> allowedUrls;

    public Credentials(Map<String, String> files, Map<String, ? extends List<String>> allowedUrls) {
        this.files = new HashMap<>(files);
        this.allowedUrls = new HashMap<>();
        allowedUrls.forEach((k, v) -> this.allowedUrls.put(k, new ArrayList<>(v)));
    }

    public static String envName(String credential) {
        return "TALLY_CREDENTIAL_" + TallyConfig.credentialKey(credential);
    }

    /** The environment variable that lists where {@code credential} may be sent. */
    public static String allowedUrlsEnvName(String credential) {
        return envName(credential) + "_ALLOWED_URLS";
    }

    /** The URL prefixes {@code credential} may be sent to; empty when none are configured. */
    public List<String> allowedUrls(String credential) {
        List<String> urls = allowedUrls.get(TallyConfig.credentialKey(credential));
        return urls == null ? List.of() : List.copyOf(urls);
    }

    /**
     * The secret of {@code credential}, for a request to {@code url} — only when {@code url} is
     * under one of the credential's allowed prefixes. Otherwise, and for an unknown credential,
     * {@link IllegalArgumentException} with a message that names the allowed prefixes and the url
     * without its query (it ends up in {@code import_jobs.error}). The url is checked first: a
     * refused request never reads the secret.
     */
    public String secretFor(String credential, String url) {
        List<String> prefixes = allowedUrls(credential);
        if (prefixes.isEmpty()) {
            throw new IllegalArgumentException(
                    "credential '"
                            + credential
                            + "' has no allowed URLs: set "
                            + allowedUrlsEnvName(credential)
                            + " or credentials."
                            + credential
                            + ".allowed-urls");
        }
        if (!AllowedUrlPrefixes.allows(prefixes, url)) {
            throw new IllegalArgumentException(
                    "credential '"
                            + credential
                            + "' may only be sent to URLs under "
                            + String.join(", ", prefixes)
                            + "; "
                            + MembersClient.displayUrl(url)
                            + " is not one of them");
        }
        return resolve(credential);
    }

    /**
     * The secret, wherever it is to be sent; {@link IllegalArgumentException} with a clear message
     * when it is unknown. Requests use {@link #secretFor}.
     */
    String resolve(String credential) {
        String env = System.getenv(envName(credential));
        if (env != null && !env.isEmpty()) {
            return env;
        }
        String file = files.get(credential);
        if (file != null) {
            try {
                return Files.readString(Path.of(file)).trim();
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "credential '"
                                + credential
                                + "': cannot read its file "
                                + file
                                + ": "
                                + e.getMessage());
            }
        }
        throw new IllegalArgumentException(
                "unknown credential '"
                        + credential
                        + "': set "
                        + envName(credential)
                        + " or credentials."
                        + credential
                        + ".file in the config");
    }
}
