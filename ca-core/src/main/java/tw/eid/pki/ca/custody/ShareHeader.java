package tw.eid.pki.ca.custody;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a share file says about itself, in the clear: which split and token it belongs to, whose
 * share it is, its index, k and n, and the PIN verifier. All of it is bound into the AES-GCM
 * associated data of the share, so a header edited after the ceremony fails to open.
 */
record ShareHeader(
        String splitId,
        String tokenLabel,
        String custodian,
        int index,
        int k,
        int n,
        Instant createdAt,
        PinVerifier verifier) {

    static final int FORMAT_VERSION = 1;
    static final String FORMAT_NAME = "eidpki-pin-share";

    /** PKCS#11 §3.2 (CK_TOKEN_INFO): a token label is at most 32 bytes of UTF-8. */
    static final int MAX_TOKEN_LABEL_BYTES = 32;

    private static final Pattern SPLIT_ID = Pattern.compile("[0-9a-f]{32}");

    ShareHeader {
        if (splitId == null || !SPLIT_ID.matcher(splitId).matches()) {
            throw new IllegalArgumentException("split id must be 32 lower-case hex digits");
        }
        tokenLabelProblem(tokenLabel).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        if (custodian == null || custodian.isBlank()) {
            throw new IllegalArgumentException("custodian name is blank");
        }
        if (k < PinSplitter.MIN_THRESHOLD || n > PinSplitter.MAX_CUSTODIANS || k > n) {
            throw new IllegalArgumentException("k=" + k + ", n=" + n + " is not a valid k-of-n split");
        }
        if (index < 1 || index > n) {
            throw new IllegalArgumentException("share index " + index + " is not in [1, " + n + "]");
        }
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(verifier, "verifier");
    }

    /** Why {@code label} cannot name a PKCS#11 token, if it cannot. */
    static Optional<String> tokenLabelProblem(String label) {
        if (label == null || label.isBlank()) {
            return Optional.of("token label is blank");
        }
        if (!label.equals(label.strip())) {
            return Optional.of("token label '" + label + "' has leading or trailing spaces");
        }
        if (label.getBytes(StandardCharsets.UTF_8).length > MAX_TOKEN_LABEL_BYTES) {
            return Optional.of("token label '" + label + "' is longer than 32 bytes");
        }
        if (label.codePoints().anyMatch(Character::isISOControl)) {
            return Optional.of("token label contains control characters");
        }
        return Optional.empty();
    }

    /**
     * The AES-GCM associated data: every header field, length-prefixed so that no two different
     * headers encode alike, independent of how the JSON happens to be laid out.
     *
     * <p>The scrypt parameters and salt are not in here: changing them changes the derived key, which
     * the passphrase check already catches.
     */
    byte[] associatedData() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeText(out, FORMAT_NAME);
            out.writeInt(FORMAT_VERSION);
            writeText(out, splitId);
            writeText(out, tokenLabel);
            writeText(out, custodian);
            out.writeInt(index);
            out.writeInt(k);
            out.writeInt(n);
            writeText(out, createdAt.toString());
            out.writeInt(verifier.cost().log2N());
            out.writeInt(verifier.cost().r());
            out.writeInt(verifier.cost().p());
            writeBytes(out, verifier.salt());
            writeBytes(out, verifier.hash());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Whether {@code other} describes a share of the same split as this one. */
    boolean sameSplitAs(ShareHeader other) {
        return splitId.equals(other.splitId)
                && tokenLabel.equals(other.tokenLabel)
                && k == other.k
                && n == other.n
                && createdAt.equals(other.createdAt)
                && verifier.equals(other.verifier);
    }

    private static void writeText(DataOutputStream out, String text) throws IOException {
        writeBytes(out, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }
}
