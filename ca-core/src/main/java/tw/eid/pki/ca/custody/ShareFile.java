package tw.eid.pki.ca.custody;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;

/**
 * One custodian's share file, version 1: the {@link ShareHeader} in the clear, the scrypt
 * parameters that turn the custodian's passphrase into a key, and the AES-256-GCM encrypted
 * share.
 *
 * <pre>
 * {
 *   "format": "eidpki-pin-share", "version": 1,
 *   "splitId": "…32 hex…", "tokenLabel": "…", "custodian": "…",
 *   "index": 1, "k": 2, "n": 3, "createdAt": "2025-01-01T00:00:00Z",
 *   "pinVerifier": {"algorithm": "scrypt", "log2N": 15, "r": 8, "p": 1, "salt": b64, "hash": b64},
 *   "kdf": {"algorithm": "scrypt", "log2N": 15, "r": 8, "p": 1, "salt": b64, "passphraseCheck": b64},
 *   "cipher": {"algorithm": "AES-256-GCM", "nonce": b64, "ciphertext": b64}
 * }
 * </pre>
 *
 * <p>Parsing is strict (unknown or duplicate fields, wrong types and trailing data are refused):
 * these files are read at a ceremony, and anything unexpected in them is a reason to stop.
 */
record ShareFile(
        ShareHeader header,
        ScryptCost kdfCost,
        byte[] kdfSalt,
        byte[] passphraseCheck,
        byte[] nonce,
        byte[] ciphertext) {

    static final String SCRYPT = "scrypt";
    static final String AES_256_GCM = "AES-256-GCM";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private static final Set<String> TOP_FIELDS = Set.of(
            "format",
            "version",
            "splitId",
            "tokenLabel",
            "custodian",
            "index",
            "k",
            "n",
            "createdAt",
            "pinVerifier",
            "kdf",
            "cipher");
    private static final Set<String> VERIFIER_FIELDS = Set.of("algorithm", "log2N", "r", "p", "salt", "hash");
    private static final Set<String> KDF_FIELDS = Set.of("algorithm", "log2N", "r", "p", "salt", "passphraseCheck");
    private static final Set<String> CIPHER_FIELDS = Set.of("algorithm", "nonce", "ciphertext");

    ShareFile {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(kdfCost, "kdfCost");
        requireLength("kdf salt", kdfSalt, ShareSeal.SALT_BYTES);
        requireLength("passphrase check", passphraseCheck, ShareSeal.CHECK_BYTES);
        requireLength("nonce", nonce, ShareSeal.NONCE_BYTES);
        Objects.requireNonNull(ciphertext, "ciphertext");
        if (ciphertext.length <= ShareSeal.TAG_BYTES) {
            throw new IllegalArgumentException("ciphertext is shorter than a GCM tag");
        }
    }

    byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", ShareHeader.FORMAT_NAME);
        root.put("version", ShareHeader.FORMAT_VERSION);
        root.put("splitId", header.splitId());
        root.put("tokenLabel", header.tokenLabel());
        root.put("custodian", header.custodian());
        root.put("index", header.index());
        root.put("k", header.k());
        root.put("n", header.n());
        root.put("createdAt", header.createdAt().toString());
        ObjectNode verifier = root.putObject("pinVerifier");
        putScrypt(verifier, header.verifier().cost());
        verifier.put("salt", base64(header.verifier().salt()));
        verifier.put("hash", base64(header.verifier().hash()));
        ObjectNode kdf = root.putObject("kdf");
        putScrypt(kdf, kdfCost);
        kdf.put("salt", base64(kdfSalt));
        kdf.put("passphraseCheck", base64(passphraseCheck));
        ObjectNode cipher = root.putObject("cipher");
        cipher.put("algorithm", AES_256_GCM);
        cipher.put("nonce", base64(nonce));
        cipher.put("ciphertext", base64(ciphertext));
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a share file.
     *
     * @throws IllegalArgumentException naming what is wrong, if the bytes are not a version 1 share
     *     file
     */
    static ShareFile parse(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON (" + firstLine(e.getMessage()) + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        onlyFields(root, TOP_FIELDS, "share file");
        if (!ShareHeader.FORMAT_NAME.equals(text(root, "format"))) {
            throw new IllegalArgumentException("format is not " + ShareHeader.FORMAT_NAME);
        }
        int version = integer(root, "version");
        if (version != ShareHeader.FORMAT_VERSION) {
            throw new IllegalArgumentException("unsupported format version " + version);
        }
        JsonNode verifierNode = object(root, "pinVerifier");
        onlyFields(verifierNode, VERIFIER_FIELDS, "pinVerifier");
        PinVerifier verifier =
                new PinVerifier(scrypt(verifierNode), bytes(verifierNode, "salt"), bytes(verifierNode, "hash"));
        ShareHeader header = new ShareHeader(
                text(root, "splitId"),
                text(root, "tokenLabel"),
                text(root, "custodian"),
                integer(root, "index"),
                integer(root, "k"),
                integer(root, "n"),
                instant(root, "createdAt"),
                verifier);
        JsonNode kdf = object(root, "kdf");
        onlyFields(kdf, KDF_FIELDS, "kdf");
        JsonNode cipher = object(root, "cipher");
        onlyFields(cipher, CIPHER_FIELDS, "cipher");
        if (!AES_256_GCM.equals(text(cipher, "algorithm"))) {
            throw new IllegalArgumentException("cipher is not " + AES_256_GCM);
        }
        return new ShareFile(
                header,
                scrypt(kdf),
                bytes(kdf, "salt"),
                bytes(kdf, "passphraseCheck"),
                bytes(cipher, "nonce"),
                bytes(cipher, "ciphertext"));
    }

    private static void putScrypt(ObjectNode node, ScryptCost cost) {
        node.put("algorithm", SCRYPT);
        node.put("log2N", cost.log2N());
        node.put("r", cost.r());
        node.put("p", cost.p());
    }

    private static ScryptCost scrypt(JsonNode node) {
        if (!SCRYPT.equals(text(node, "algorithm"))) {
            throw new IllegalArgumentException("key derivation is not " + SCRYPT);
        }
        return new ScryptCost(integer(node, "log2N"), integer(node, "r"), integer(node, "p"));
    }

    private static void onlyFields(JsonNode node, Set<String> allowed, String where) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException("unknown field '" + name + "' in " + where);
            }
        }
    }

    private static JsonNode field(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("field '" + name + "' is missing");
        }
        return value;
    }

    private static JsonNode object(JsonNode node, String name) {
        JsonNode value = field(node, name);
        if (!value.isObject()) {
            throw new IllegalArgumentException("field '" + name + "' is not an object");
        }
        return value;
    }

    private static String text(JsonNode node, String name) {
        JsonNode value = field(node, name);
        if (!value.isTextual()) {
            throw new IllegalArgumentException("field '" + name + "' is not a string");
        }
        return value.textValue();
    }

    private static int integer(JsonNode node, String name) {
        JsonNode value = field(node, name);
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new IllegalArgumentException("field '" + name + "' is not an integer");
        }
        return value.intValue();
    }

    private static Instant instant(JsonNode node, String name) {
        try {
            return Instant.parse(text(node, name));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("field '" + name + "' is not an instant", e);
        }
    }

    private static byte[] bytes(JsonNode node, String name) {
        try {
            return Base64.getDecoder().decode(text(node, name));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field '" + name + "' is not valid base64", e);
        }
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static void requireLength(String what, byte[] bytes, int length) {
        Objects.requireNonNull(bytes, what);
        if (bytes.length != length) {
            throw new IllegalArgumentException(what + " must be " + length + " bytes");
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
