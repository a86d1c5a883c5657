package tw.eid.pki.ca.ceremony;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.SecretKeyType;

/**
 * A ceremony as a reviewable file (after Boulder's {@code cmd/ceremony}): which tokens, which
 * custodians, and the steps in order. Everything is checked here, before a token or the database
 * is touched; unknown fields are refused so a typo cannot silently drop a step.
 *
 * <pre>
 * version: 1
 * name: initial
 * output: ./data/ceremony/initial
 * tokens:
 *   offline: {label: eid-offline, initialize: true}
 *   online:  {label: eid-online, initialize: true}
 * custodians:
 *   threshold: 2
 *   shares: ./data/custody
 *   members:
 *     - {name: alice, passphraseFile: ./data/demo/alice.pass}
 *     - ...
 * steps:
 *   - key: {token: offline, label: citizen-root-key, algorithm: ec-p384}
 *   - certificate: {name: citizen-root, profile: citizen-root, key: citizen-root-key}
 *   - certificate: {name: citizen-ca, profile: citizen-ca, key: citizen-ca-key, issuer: citizen-root}
 *   - crl: {issuer: citizen-root, nextUpdateDays: 365}
 * transcriptSigner: citizen-root-key
 * auditCheckpointKey: audit-key
 * </pre>
 */
public record CeremonyFile(
        int version,
        String name,
        String output,
        Map<String, TokenSpec> tokens,
        Custodians custodians,
        Publication publication,
        List<Step> steps,
        String transcriptSigner,
        String auditCheckpointKey) {

    public static final int VERSION = 1;
    public static final Set<String> TOKEN_ROLES = Set.of("offline", "online");

    public record TokenSpec(String label, String library, boolean initialize) {}

    public record Custodians(int threshold, String shares, List<Member> members, List<String> present) {}

    /**
     * @param passphraseFile a file (owner-only permissions) holding the passphrase; for the demo and
     *                       tests. Without it the custodian types the passphrase at the console.
     */
    public record Member(String name, String passphraseFile) {}

    /** Where relying parties fetch what this ceremony publishes (AIA and CRL DP URLs). */
    public record Publication(String baseUrl, String organization) {}

    public record Step(KeyStep key, SecretStep secret, CertificateStep certificate, CrlStep crl) {
        int kinds() {
            int n = 0;
            n += key != null ? 1 : 0;
            n += secret != null ? 1 : 0;
            n += certificate != null ? 1 : 0;
            n += crl != null ? 1 : 0;
            return n;
        }
    }

    public record KeyStep(String token, String label, String algorithm) {}

    public record SecretStep(String token, String label, String type) {}

    /**
     * @param name    what the certificate is called in the output and the store, e.g. {@code citizen-ca}
     * @param issuer  the name of an earlier certificate of this ceremony, or of a CA in the store;
     *                absent for a self-signed certificate
     */
    public record CertificateStep(String name, String profile, String key, String issuer) {}

    public record CrlStep(
            String issuer, @JsonProperty("nextUpdateDays") int nextUpdateDays) {}

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Reads and checks a ceremony file; any problem is one clear line. */
    public static CeremonyFile read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CeremonyException("ceremony file not found: " + file);
        }
        CeremonyFile f;
        try {
            f = YAML.readValue(file.toFile(), CeremonyFile.class);
        } catch (UnrecognizedPropertyException e) {
            throw new CeremonyException(file + ": unknown field '" + e.getPropertyName() + "' at line "
                    + e.getLocation().getLineNr());
        } catch (JsonProcessingException e) {
            throw new CeremonyException(file + ": malformed ceremony file at line "
                    + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CeremonyException("cannot read " + file + ": " + e.getMessage());
        }
        if (f == null) {
            throw new CeremonyException(file + ": empty ceremony file");
        }
        f.check();
        return f;
    }

    /** The key algorithm each key step creates, by label; and each step's token. */
    Map<String, KeyStep> keySteps() {
        Map<String, KeyStep> keys = new LinkedHashMap<>();
        for (Step s : steps) {
            if (s.key() != null) {
                keys.put(s.key().label(), s.key());
            }
        }
        return keys;
    }

    private void check() {
        if (version != VERSION) {
            throw new CeremonyException(
                    "ceremony file version " + version + " is not supported (expected " + VERSION + ")");
        }
        require(
                name != null && name.matches("[a-z0-9][a-z0-9-]{0,62}"),
                "name must be lower-case letters, digits and '-'");
        require(
                output != null && !output.isBlank(),
                "output (a directory for certificates, CRLs and the transcript) is required");
        require(tokens != null && !tokens.isEmpty(), "tokens are required");
        Set<String> labels = new HashSet<>();
        for (Map.Entry<String, TokenSpec> t : tokens.entrySet()) {
            require(TOKEN_ROLES.contains(t.getKey()), "unknown token role '" + t.getKey() + "' (offline or online)");
            TokenSpec spec = t.getValue();
            // 28, not 32: the SO PIN's shares are filed under the label plus ".so".
            require(
                    spec != null && spec.label() != null && spec.label().matches("[A-Za-z0-9_-]{1,28}"),
                    "token " + t.getKey() + ": label must be 1–28 characters of A-Z a-z 0-9 _ -");
            require(labels.add(spec.label()), "tokens offline and online must have different labels");
        }
        require(custodians != null, "custodians are required");
        List<Member> members = custodians.members();
        require(members != null && members.size() >= 2, "custodians: at least 2 members");
        require(custodians.threshold() >= 2, "custodians: threshold k must be at least 2");
        require(
                custodians.threshold() <= members.size(),
                "custodians: threshold k=" + custodians.threshold() + " is greater than n=" + members.size());
        require(
                custodians.shares() != null && !custodians.shares().isBlank(),
                "custodians: shares directory is required");
        Set<String> names = new HashSet<>();
        for (Member m : members) {
            require(
                    m != null && m.name() != null && m.name().matches("[a-z0-9][a-z0-9._-]{0,31}"),
                    "custodians: member names must be 1–32 lower-case letters, digits, '.', '_' or '-'");
            require(names.add(m.name()), "custodians: duplicate custodian '" + m.name() + "'");
        }
        if (custodians.present() != null) {
            Set<String> seen = new HashSet<>();
            for (String p : custodians.present()) {
                require(names.contains(p), "custodians: '" + p + "' is present but not a member");
                require(seen.add(p), "custodians: '" + p + "' is listed twice as present");
            }
        }
        require(
                publication != null
                        && publication.baseUrl() != null
                        && publication.baseUrl().startsWith("http://"),
                "publication.baseUrl must be an http:// URL (RFC 5280 §4.2.1.13: CRL and AIA URLs are plain HTTP)");
        require(steps != null && !steps.isEmpty(), "steps are required");

        Set<String> keyLabels = new HashSet<>();
        Set<String> certificates = new HashSet<>();
        Map<String, String> certificateProfiles = new LinkedHashMap<>();
        int i = 0;
        for (Step s : steps) {
            i++;
            String where = "step " + i + ": ";
            require(s != null && s.kinds() == 1, where + "each step is exactly one of key, secret, certificate, crl");
            if (s.key() != null) {
                KeyStep k = s.key();
                require(tokens.containsKey(k.token()), where + "unknown token '" + k.token() + "'");
                requireLabel(where, k.label());
                require(keyLabels.add(k.label()), where + "label '" + k.label() + "' is created twice");
                try {
                    KeyAlgorithm.fromId(String.valueOf(k.algorithm()));
                } catch (IllegalArgumentException e) {
                    throw new CeremonyException(where + e.getMessage());
                }
            } else if (s.secret() != null) {
                SecretStep k = s.secret();
                require(tokens.containsKey(k.token()), where + "unknown token '" + k.token() + "'");
                require("online".equals(k.token()), where + "data-protection keys belong in the online token");
                requireLabel(where, k.label());
                require(keyLabels.add(k.label()), where + "label '" + k.label() + "' is created twice");
                try {
                    SecretKeyType.fromId(String.valueOf(k.type()));
                } catch (IllegalArgumentException e) {
                    throw new CeremonyException(where + e.getMessage());
                }
            } else if (s.certificate() != null) {
                CertificateStep c = s.certificate();
                require(
                        c.name() != null && c.name().matches("[a-z0-9][a-z0-9-]{0,62}"),
                        where + "certificate name must be lower-case letters, digits and '-'");
                require(certificates.add(c.name()), where + "certificate '" + c.name() + "' is issued twice");
                CertificateProfile profile = profile(where, c.profile());
                require(c.key() != null, where + "certificate '" + c.name() + "' names no key");
                require(
                        profile.isSelfSigned() == (c.issuer() == null),
                        where
                                + profile.profileName()
                                + (profile.isSelfSigned() ? " is self-signed: no issuer" : " needs an issuer"));
                if (c.issuer() != null) {
                    require(
                            certificateProfiles.containsKey(c.issuer()),
                            where + "issuer '" + c.issuer() + "' is not issued earlier in this ceremony");
                    CertificateProfile issuer = CertificateProfile.valueOf(certificateProfiles.get(c.issuer()));
                    require(
                            profile.mayBeIssuedBy(issuer),
                            where + issuer.profileName() + " may not issue " + profile.profileName());
                }
                certificateProfiles.put(c.name(), profile.name());
            } else {
                CrlStep c = s.crl();
                require(
                        c.issuer() != null && certificateProfiles.containsKey(c.issuer()),
                        where + "CRL issuer '" + c.issuer() + "' is not issued earlier in this ceremony");
                CertificateProfile issuer = CertificateProfile.valueOf(certificateProfiles.get(c.issuer()));
                require(
                        issuer == CertificateProfile.CITIZEN_ROOT || issuer == CertificateProfile.CSCA,
                        where + "only the offline roots (citizen-root, csca) sign CRLs at a ceremony");
                int max = issuer == CertificateProfile.CSCA ? 90 : 365;
                require(
                        c.nextUpdateDays() >= 1 && c.nextUpdateDays() <= max,
                        where + "nextUpdateDays must be 1–" + max + " for " + issuer.profileName());
            }
        }
        for (Step s : steps) {
            if (s.certificate() != null) {
                require(
                        keyLabels.contains(s.certificate().key()),
                        "certificate '" + s.certificate().name() + "': key '"
                                + s.certificate().key() + "' is not created in this ceremony");
            }
        }
        require(
                transcriptSigner != null && keyLabels.contains(transcriptSigner),
                "transcriptSigner must name an offline key created in this ceremony");
        require("offline".equals(keySteps().get(transcriptSigner).token()), "transcriptSigner must be an offline key");
        if (auditCheckpointKey != null) {
            require(
                    keyLabels.contains(auditCheckpointKey)
                            && keySteps().containsKey(auditCheckpointKey)
                            && "online"
                                    .equals(keySteps().get(auditCheckpointKey).token()),
                    "auditCheckpointKey must name an online signing key created in this ceremony");
        }
    }

    /** What a ceremony issues; end-entity profiles (citizens, operators, TLS) are the RA's. */
    private static final Set<CertificateProfile> CEREMONY_PROFILES = Set.of(
            CertificateProfile.CITIZEN_ROOT,
            CertificateProfile.CITIZEN_CA,
            CertificateProfile.OCSP_SIGNER,
            CertificateProfile.RA_OPERATORS_CA,
            CertificateProfile.CSCA,
            CertificateProfile.DOCUMENT_SIGNER);

    private static CertificateProfile profile(String where, String name) {
        for (CertificateProfile p : CEREMONY_PROFILES) {
            if (p.profileName().equals(name)) {
                return p;
            }
        }
        throw new CeremonyException(where + "unknown ceremony profile '" + name + "' (a ceremony issues citizen-root,"
                + " citizen-ca, ocsp-signer, ra-operators-ca, csca, document-signer)");
    }

    static CertificateProfile profile(String name) {
        return profile("", name);
    }

    private static void requireLabel(String where, String label) {
        require(
                label != null && label.matches("[A-Za-z0-9._-]{1,64}"),
                where + "key label must be 1–64 characters of A-Z a-z 0-9 . _ -");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new CeremonyException(message);
        }
    }
}
