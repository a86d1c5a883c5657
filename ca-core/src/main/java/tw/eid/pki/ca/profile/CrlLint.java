package tw.eid.pki.ca.profile;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CertificateList;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.TBSCertList;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.cert.X509CRLHolder;

/**
 * Checks a ceremony CRL against its {@link CrlProfile} (docs/profiles.md, "CRLs" and "CSCA CRL") and
 * RFC 5280 §5. Runs on the lint-signed CRL before the real signature; usable on any CRL.
 */
public final class CrlLint {

    private final ProfileSettings settings;

    public CrlLint(ProfileSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Findings for {@code crl} under {@code profile}, signed by {@code issuer}; empty when it fits. */
    public List<LintFinding> check(CrlProfile profile, X509CRLHolder crl, CaCertificate issuer) {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(crl, "crl");
        Objects.requireNonNull(issuer, "issuer");
        ProfileLint.Findings f = new ProfileLint.Findings();
        if (issuer.profile() != profile.issuer()) {
            f.add(
                    "issuer-profile",
                    profile.id() + " is not signed by " + issuer.profile().id());
        }
        CertificateList list = crl.toASN1Structure();
        TBSCertList tbs = list.getTBSCertList();
        X509CRL jdk = parseIndependently(crl, f);

        // RFC 5280 §5.1.2.1: v2 because the CRL has extensions.
        if (tbs.getVersionNumber() != 2) {
            f.add("version", "CRL version is " + tbs.getVersionNumber() + ", not 2");
        }
        if (!list.getSignatureAlgorithm().equals(tbs.getSignature())) {
            f.add(
                    "signature-algorithm",
                    "outer signatureAlgorithm differs from the TBS signature field (RFC 5280 §5.1.1.2)");
        }
        if (!SignatureAlgorithms.forIssuer(issuer.certificate().getSubjectPublicKeyInfo())
                .equals(tbs.getSignature())) {
            f.add(
                    "signature-algorithm",
                    "signature algorithm " + tbs.getSignature().getAlgorithm() + " does not match the CA key");
        }
        byte[] issuerName = jdk != null ? jdk.getIssuerX500Principal().getEncoded() : ProfileLint.der(tbs.getIssuer());
        if (!Arrays.equals(issuerName, ProfileLint.rawSubject(issuer.certificate()))) {
            f.add("issuer-name", "CRL issuer is not byte-identical to the CA's subject (RFC 5280 §5.1.2.3)");
        }
        checkTimes(profile, tbs, issuer, f);
        checkExtensions(tbs.getExtensions(), issuer, f);
        checkEntries(tbs, f);
        return f.list;
    }

    private static X509CRL parseIndependently(X509CRLHolder crl, ProfileLint.Findings f) {
        try {
            return (X509CRL)
                    CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(crl.getEncoded()));
        } catch (CRLException | CertificateException | IOException | RuntimeException e) {
            f.add("encoding", "Java's CRL parser refuses the CRL: " + e.getMessage());
            return null;
        }
    }

    private void checkTimes(CrlProfile profile, TBSCertList tbs, CaCertificate issuer, ProfileLint.Findings f) {
        Time thisUpdate = tbs.getThisUpdate();
        Time nextUpdate = tbs.getNextUpdate();
        if (nextUpdate == null) {
            f.add("next-update", "nextUpdate is missing (RFC 5280 §5.1.2.5: conforming CAs MUST include it)");
            return;
        }
        for (Time t : List.of(thisUpdate, nextUpdate)) {
            String problem = Asn1Times.problem(t);
            if (problem != null) {
                f.add("time-encoding", problem);
            }
        }
        Instant from = thisUpdate.getDate().toInstant();
        Instant to = nextUpdate.getDate().toInstant();
        Duration lifetime = Duration.between(from, to);
        if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(profile.lifetime(settings)) > 0) {
            f.add(
                    "next-update",
                    "nextUpdate − thisUpdate is " + lifetime + "; " + profile.id() + " allows "
                            + profile.lifetime(settings));
        }
        Instant caFrom = issuer.certificate().getNotBefore().toInstant();
        Instant caTo = issuer.certificate().getNotAfter().toInstant();
        if (from.isBefore(caFrom) || from.isAfter(caTo)) {
            f.add("this-update", "thisUpdate " + from + " is outside the CA's validity");
        }
    }

    private static void checkExtensions(Extensions exts, CaCertificate issuer, ProfileLint.Findings f) {
        Set<ASN1ObjectIdentifier> expected = Set.of(Extension.authorityKeyIdentifier, Extension.cRLNumber);
        List<ASN1ObjectIdentifier> present = exts == null ? List.of() : Arrays.asList(exts.getExtensionOIDs());
        for (ASN1ObjectIdentifier oid : present) {
            if (!expected.contains(oid)) {
                // Includes issuingDistributionPoint and deltaCRLIndicator: a ceremony CRL is complete.
                f.add("unexpected-extension", "CRL extension " + oid + " is not in the profile");
            }
        }
        for (ASN1ObjectIdentifier oid : expected) {
            if (!present.contains(oid)) {
                f.add("missing-extension", "CRL extension " + oid + " is missing");
            }
        }
        if (exts == null) {
            return;
        }
        try {
            Extension aki = exts.getExtension(Extension.authorityKeyIdentifier);
            if (aki != null) {
                AuthorityKeyIdentifier value = AuthorityKeyIdentifier.getInstance(aki.getParsedValue());
                if (aki.isCritical()
                        || !Arrays.equals(value.getKeyIdentifierOctets(), issuer.keyIdentifier())
                        || value.getAuthorityCertIssuer() != null
                        || value.getAuthorityCertSerialNumber() != null) {
                    f.add(
                            "authority-key-identifier",
                            "AKI must be non-critical, keyIdentifier = the CA's SKI (RFC 5280 §5.2.1)");
                }
            }
            Extension number = exts.getExtension(Extension.cRLNumber);
            if (number != null) {
                BigInteger n = CRLNumber.getInstance(number.getParsedValue()).getCRLNumber();
                if (number.isCritical() || n.signum() < 0 || n.toByteArray().length > 20) {
                    f.add(
                            "crl-number",
                            "CRL number must be non-critical, non-negative, at most 20 octets (RFC 5280 §5.2.3)");
                }
            }
        } catch (RuntimeException e) {
            f.add("extension-encoding", "a CRL extension does not parse: " + e);
        }
    }

    private static void checkEntries(TBSCertList tbs, ProfileLint.Findings f) {
        // RFC 5280 §5.1.2.6: with no revoked certificates the list MUST be absent, not empty.
        ASN1Sequence raw = ASN1Sequence.getInstance(tbs.toASN1Primitive());
        for (ASN1Encodable element : raw) {
            if (element instanceof ASN1Sequence s && s.size() == 0) {
                f.add("revoked-certificates", "an empty revokedCertificates list is present");
            }
        }
        Instant thisUpdate = tbs.getThisUpdate().getDate().toInstant();
        Set<BigInteger> seen = new HashSet<>();
        for (TBSCertList.CRLEntry entry : tbs.getRevokedCertificates()) {
            BigInteger serial = entry.getUserCertificate().getValue();
            if (serial.signum() <= 0 || serial.toByteArray().length > 20) {
                f.add("entry-serial", "entry serial " + serial + " is not positive or longer than 20 octets");
            }
            if (!seen.add(serial)) {
                f.add("entry-serial", "serial " + serial.toString(16) + " is listed twice");
            }
            String problem = Asn1Times.problem(entry.getRevocationDate());
            if (problem != null) {
                f.add("time-encoding", "revocationDate of " + serial.toString(16) + ": " + problem);
            }
            if (entry.getRevocationDate().getDate().toInstant().isAfter(thisUpdate)) {
                f.add("revocation-date", "serial " + serial.toString(16) + " is revoked after thisUpdate");
            }
            checkEntryExtensions(serial, entry.getExtensions(), f);
        }
    }

    private static void checkEntryExtensions(BigInteger serial, Extensions exts, ProfileLint.Findings f) {
        String who = "serial " + serial.toString(16);
        if (exts == null || exts.getExtension(Extension.reasonCode) == null) {
            f.add("reason-code", who + " has no reasonCode (docs/profiles.md: every entry says why)");
            return;
        }
        for (ASN1ObjectIdentifier oid : exts.getExtensionOIDs()) {
            if (!Extension.reasonCode.equals(oid)) {
                f.add("unexpected-entry-extension", who + " carries entry extension " + oid);
            }
        }
        Extension reason = exts.getExtension(Extension.reasonCode);
        if (reason.isCritical()) {
            f.add("reason-code", who + " has a critical reasonCode (RFC 5280 §5.3.1: non-critical)");
        }
        try {
            int code = ASN1Enumerated.getInstance(reason.getParsedValue()).intValueExact();
            // docs/profiles.md: never unspecified(0); removeFromCRL(8) belongs to delta CRLs only.
            RevocationReason.ofCode(code);
        } catch (RuntimeException e) {
            f.add("reason-code", who + ": " + e.getMessage());
        }
    }
}
