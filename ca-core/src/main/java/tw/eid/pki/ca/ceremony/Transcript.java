package tw.eid.pki.ca.ceremony;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a ceremony did, for the record: every key's label, algorithm and public-key SHA-256, every
 * certificate's and CRL's SHA-256, the custodians present and the time. Serialised as JSON with a
 * fixed field order; the offline root key signs those exact bytes.
 */
final class Transcript {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Map<String, Object> root = new LinkedHashMap<>();
    private final List<Map<String, Object>> tokens = new ArrayList<>();
    private final List<Map<String, Object>> keys = new ArrayList<>();
    private final List<Map<String, Object>> certificates = new ArrayList<>();
    private final List<Map<String, Object>> crls = new ArrayList<>();
    private final List<Map<String, Object>> shares = new ArrayList<>();

    Transcript(String ceremony, byte[] fileSha256, Instant started, List<String> custodiansPresent) {
        root.put("format", "eidpki-ceremony-transcript/1");
        root.put("ceremony", ceremony);
        root.put("fileSha256", hex(fileSha256));
        root.put("started", started.toString());
        root.put("custodiansPresent", List.copyOf(custodiansPresent));
        root.put("tokens", tokens);
        root.put("keys", keys);
        root.put("certificates", certificates);
        root.put("crls", crls);
        root.put("custodianShares", shares);
    }

    void token(String role, String label, boolean initialized) {
        tokens.add(entry("role", role, "label", label, "initializedAtThisCeremony", initialized));
    }

    void key(String token, String label, String algorithm, byte[] publicKeyDer) {
        keys.add(entry(
                "token", token, "label", label, "algorithm", algorithm, "publicKeySha256", hex(sha256(publicKeyDer))));
    }

    void secretKey(String token, String label, String type) {
        keys.add(entry("token", token, "label", label, "algorithm", type, "publicKeySha256", null));
    }

    void certificate(String name, String profile, String serialHex, String subject, String issuer, byte[] der) {
        certificates.add(entry(
                "name",
                name,
                "profile",
                profile,
                "serial",
                serialHex,
                "subject",
                subject,
                "issuer",
                issuer,
                "sha256",
                hex(sha256(der))));
    }

    void crl(String issuer, String profile, long number, Instant thisUpdate, Instant nextUpdate, byte[] der) {
        crls.add(entry(
                "issuer",
                issuer,
                "profile",
                profile,
                "crlNumber",
                number,
                "thisUpdate",
                thisUpdate.toString(),
                "nextUpdate",
                nextUpdate.toString(),
                "sha256",
                hex(sha256(der))));
    }

    void share(String token, String custodian, String file, byte[] content) {
        shares.add(entry("token", token, "custodian", custodian, "file", file, "sha256", hex(sha256(content))));
    }

    void finished(Instant at) {
        root.put("finished", at.toString());
    }

    byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> entry(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
