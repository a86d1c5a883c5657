package tw.eid.pki.hsm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Initialises a token (label, SO PIN, user PIN) with OpenSC's {@code pkcs11-tool}: the JDK's
 * PKCS#11 wrapper has no C_InitToken, C_InitPIN or C_SetPIN. PINs reach the tool through its
 * environment ({@code --so-pin env:VAR}), never its command line, where {@code ps} would show them.
 */
public final class TokenInitializer {
    private static final Pattern SLOT = Pattern.compile("^Slot \\d+ \\((0x[0-9a-fA-F]+)\\):");
    private static final Pattern LABEL = Pattern.compile("^\\s*token label\\s*:\\s*(.*?)\\s*$");

    private final Path library;
    private final Map<String, String> baseEnvironment;

    /**
     * @param library         the PKCS#11 library
     * @param baseEnvironment extra environment for the tool, e.g. {@code SOFTHSM2_CONF}
     */
    public TokenInitializer(Path library, Map<String, String> baseEnvironment) {
        this.library = library;
        this.baseEnvironment = Map.copyOf(baseEnvironment);
    }

    /** The labels of the initialised tokens the library shows now. */
    public List<String> labels() {
        List<String> labels = new ArrayList<>();
        for (String line : run(List.of("-L"), Map.of()).split("\n")) {
            Matcher m = LABEL.matcher(line);
            if (m.matches()) {
                labels.add(m.group(1));
            }
        }
        return labels;
    }

    /**
     * Initialises a free slot's token with {@code label}, then its user PIN. Refuses a label that
     * already exists: a token is never re-initialised (that would destroy its keys).
     */
    public void initialize(String label, char[] soPin, char[] userPin) {
        if (label.isBlank() || label.length() > 32) {
            throw new IllegalArgumentException("token label must be 1–32 characters: '" + label + "'");
        }
        if (labels().contains(label)) {
            throw new TokenException(
                    TokenException.Code.LABEL_EXISTS, "a token labelled '" + label + "' already exists");
        }
        String free = freeSlot();
        Map<String, String> pins = Map.of("EIDPKI_SO_PIN", new String(soPin), "EIDPKI_USER_PIN", new String(userPin));
        run(List.of("--slot", free, "--init-token", "--label", label, "--so-pin", "env:EIDPKI_SO_PIN"), pins);
        run(
                List.of(
                        "--token-label",
                        label,
                        "--login",
                        "--login-type",
                        "so",
                        "--so-pin",
                        "env:EIDPKI_SO_PIN",
                        "--init-pin",
                        "--new-pin",
                        "env:EIDPKI_USER_PIN"),
                pins);
    }

    private String freeSlot() {
        String listing = run(List.of("-L"), Map.of());
        String current = null;
        for (String line : listing.split("\n")) {
            Matcher m = SLOT.matcher(line);
            if (m.find()) {
                current = m.group(1);
            } else if (current != null && line.contains("uninitialized")) {
                return current;
            }
        }
        throw new TokenException(TokenException.Code.TOKEN_NOT_FOUND, "no free (uninitialised) slot in " + library);
    }

    private String run(List<String> args, Map<String, String> secrets) {
        List<String> command = new ArrayList<>();
        command.add("pkcs11-tool");
        command.add("--module");
        command.add(library.toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(baseEnvironment);
        pb.environment().putAll(secrets);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = readAll(p.getInputStream());
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new TokenException(TokenException.Code.TOKEN_UNAVAILABLE, "pkcs11-tool did not finish in 60 s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                String last = text.strip();
                last = last.substring(last.lastIndexOf('\n') + 1);
                throw new TokenException(
                        TokenException.Code.OPERATION_REFUSED,
                        "pkcs11-tool " + String.join(" ", args.subList(0, Math.min(2, args.size()))) + " failed: "
                                + last);
            }
            return text;
        } catch (IOException e) {
            throw new TokenException(
                    TokenException.Code.LIBRARY_UNUSABLE,
                    "cannot run pkcs11-tool (install opensc): " + e.getMessage(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenException(TokenException.Code.TOKEN_UNAVAILABLE, "interrupted", e);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }
}
