package tw.eid.pki.conformance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenSC's pkcs11-tool against the run's SoftHSM2 token directory. The user PIN reaches the tool
 * through its environment ({@code --pin env:VAR}), never its argument list.
 */
final class Pkcs11Tool {
    static final String LIBRARY = "/usr/lib/softhsm/libsofthsm2.so";
    private static final String PIN_VARIABLE = "EIDPKI_CONFORMANCE_PIN";
    private static final Pattern LABEL = Pattern.compile("^\\s*token label\\s*:\\s*(.*?)\\s*$");

    /** One object as {@code --list-objects} prints it. */
    record P11Object(String kind, String type, Map<String, String> fields) {
        String label() {
            return fields.get("label");
        }

        String id() {
            return fields.get("ID");
        }

        Set<String> usage() {
            return flags("Usage");
        }

        Set<String> access() {
            return flags("Access");
        }

        private Set<String> flags(String field) {
            String v = fields.getOrDefault(field, "").strip();
            Set<String> s = new LinkedHashSet<>(Arrays.asList(v.split(",\\s*")));
            s.remove("");
            s.remove("none");
            return s;
        }

        boolean isPrivateKey() {
            return kind.equals("Private Key");
        }

        boolean isPublicKey() {
            return kind.equals("Public Key");
        }

        boolean isSecretKey() {
            return kind.equals("Secret Key");
        }
    }

    private Pkcs11Tool() {}

    /** Runs pkcs11-tool without logging in. */
    static Tools.Result run(String... args) {
        List<String> command = new ArrayList<>(List.of("pkcs11-tool", "--module", LIBRARY));
        command.addAll(List.of(args));
        return Tools.run(command, Cli.environment());
    }

    /** Runs pkcs11-tool logged in to {@code tokenLabel} as the user. */
    static Tools.Result runLoggedIn(String tokenLabel, char[] pin, String... args) {
        List<String> command = new ArrayList<>(List.of(
                "pkcs11-tool",
                "--module",
                LIBRARY,
                "--token-label",
                tokenLabel,
                "--login",
                "--pin",
                "env:" + PIN_VARIABLE));
        command.addAll(List.of(args));
        Map<String, String> env = new HashMap<>(Cli.environment());
        env.put(PIN_VARIABLE, new String(pin));
        return Tools.run(command, env);
    }

    /** {@code pkcs11-tool -L}: the slot listing, as text. */
    static String slotListing() {
        Tools.Result r = run("-L");
        if (r.exitCode() != 0) {
            throw new AssertionError("pkcs11-tool -L failed: " + r.describe());
        }
        return r.stdout();
    }

    /** The labels of the initialised tokens, in slot order. */
    static List<String> tokenLabels() {
        List<String> labels = new ArrayList<>();
        for (String line : slotListing().split("\n")) {
            Matcher m = LABEL.matcher(line);
            if (m.matches()) {
                labels.add(m.group(1));
            }
        }
        return labels;
    }

    /** {@code --list-objects} of a token, logged in, parsed. */
    static List<P11Object> objects(String tokenLabel, char[] pin) {
        Tools.Result r = runLoggedIn(tokenLabel, pin, "--list-objects");
        if (r.exitCode() != 0) {
            throw new AssertionError("pkcs11-tool --list-objects failed: " + r.describe());
        }
        return parse(r.stdout());
    }

    /**
     * Parses the listing: a header line {@code <Kind> Object; <type>} followed by indented
     * {@code name: value} lines.
     */
    static List<P11Object> parse(String listing) {
        List<P11Object> objects = new ArrayList<>();
        String kind = null;
        String type = null;
        Map<String, String> fields = null;
        for (String line : listing.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (!Character.isWhitespace(line.charAt(0)) && line.contains(" Object")) {
                if (kind != null) {
                    objects.add(new P11Object(kind, type, fields));
                }
                kind = line.substring(0, line.indexOf(" Object"));
                int semi = line.indexOf(';');
                type = semi < 0 ? "" : line.substring(semi + 1).strip();
                fields = new LinkedHashMap<>();
            } else if (fields != null && line.contains(":")) {
                int colon = line.indexOf(':');
                fields.put(
                        line.substring(0, colon).strip(),
                        line.substring(colon + 1).strip());
            }
        }
        if (kind != null) {
            objects.add(new P11Object(kind, type, fields));
        }
        return objects;
    }
}
