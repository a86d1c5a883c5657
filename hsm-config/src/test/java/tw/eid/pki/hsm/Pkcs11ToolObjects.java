package tw.eid.pki.hsm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A token's objects as OpenSC's {@code pkcs11-tool} sees them from its own process: the
 * independent witness of what the token holds (a key destroyed through {@link Token} must be gone
 * for it too). The user PIN reaches the tool through its environment, never its argument list.
 */
public final class Pkcs11ToolObjects {
    private static final String PIN_VARIABLE = "EIDPKI_TEST_USER_PIN";

    private Pkcs11ToolObjects() {}

    /** One object of {@code --list-objects}: its kind ("Private Key", "Public Key", "Certificate", ...) and label. */
    public record P11Object(String kind, String label) {}

    /** Every object of the token, as {@code pkcs11-tool --list-objects --login} prints them. */
    public static List<P11Object> list(SoftHsmTestTokens.TestToken token) {
        String listing = run(token, "--list-objects");
        List<P11Object> objects = new ArrayList<>();
        String kind = null;
        for (String line : listing.split("\n")) {
            if (!line.isBlank() && !Character.isWhitespace(line.charAt(0)) && line.contains(" Object")) {
                kind = line.substring(0, line.indexOf(" Object"));
            } else if (kind != null && line.strip().startsWith("label:")) {
                objects.add(new P11Object(
                        kind, line.strip().substring("label:".length()).strip()));
                kind = null;
            }
        }
        return objects;
    }

    /** The labels of the token's objects of {@code kind}. */
    public static List<String> labels(SoftHsmTestTokens.TestToken token, String kind) {
        return list(token).stream()
                .filter(o -> o.kind().equals(kind))
                .map(P11Object::label)
                .toList();
    }

    /** Stores {@code der} in the token as a certificate object labelled {@code label} (as a vendor tool would). */
    public static void writeCertificate(SoftHsmTestTokens.TestToken token, String label, byte[] der)
            throws IOException {
        Path file = Files.createTempFile("p11-cert", ".der");
        try {
            Files.write(file, der);
            run(
                    token,
                    "--write-object",
                    file.toString(),
                    "--type",
                    "cert",
                    "--label",
                    label,
                    "--id",
                    java.util.HexFormat.of().formatHex(label.getBytes(StandardCharsets.UTF_8)));
        } finally {
            Files.delete(file);
        }
    }

    /** Deletes the token's private key labelled {@code label} and nothing else (half of a destruction). */
    public static void deletePrivateKey(SoftHsmTestTokens.TestToken token, String label) {
        run(token, "--delete-object", "--type", "privkey", "--label", label);
    }

    private static String run(SoftHsmTestTokens.TestToken token, String... args) {
        List<String> command = new ArrayList<>(List.of(
                "pkcs11-tool",
                "--module",
                TokenConfig.SOFTHSM2_LIBRARY.toString(),
                "--token-label",
                token.label(),
                "--login",
                "--pin",
                "env:" + PIN_VARIABLE));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SOFTHSM2_CONF", SoftHsmTestTokens.conf().toString());
        pb.environment().put(PIN_VARIABLE, new String(token.userPin()));
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError("pkcs11-tool " + String.join(" ", args) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run pkcs11-tool (install opensc)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
