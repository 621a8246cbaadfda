package io.tally.pipeline.members;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Resolves a credential name to its secret when a request is sent (SPEC §4.1): the environment
 * variable {@code TALLY_CREDENTIAL_<NAME>} (upper-cased, every non-alphanumeric character as {@code
 * _}), else a file named for it in the YAML config ({@code credentials: {name: {file: …}}}),
 * trimmed. Only names and file paths are held — never a secret — so this object can travel with the
 * job graph.
 */
public final class Credentials implements Serializable {
    private static final long serialVersionUID = 1L;

    private final HashMap<String, String> files;

    public Credentials(Map<String, String> files) {
        this.files = new HashMap<>(files);
    }

    public static String envName(String credential) {
        return "TALLY_CREDENTIAL_"
                + credential.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** The secret; {@link IllegalArgumentException} with a clear message when it is unknown. */
    public String resolve(String credential) {
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
