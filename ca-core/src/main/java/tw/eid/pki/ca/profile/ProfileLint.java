package tw.eid.pki.ca.profile;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1PrintableString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.ASN1UTF8String;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.PolicyInformation;
import org.bouncycastle.asn1.x509.PrivateKeyUsagePeriod;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * Checks a certificate against every row of its profile in docs/profiles.md (and the RFC 5280 rules
 * underneath). Issuance runs it on a certificate signed by a throwaway key before the real
 * signature, and refuses on any finding; tests and audits can run it on any certificate.
 *
 * <p>The checks read the certificate's own bytes and compare with what the profile says,
 * independently of the code that built it, so a bug in the builder shows up here.
 */
public final class ProfileLint {

    private static final int MAX_SERIAL_OCTETS = 20;
    private static final Pattern DOCUMENT_SIGNER_NUMBER = Pattern.compile(" ([0-9]{3})$");

    private final ProfileSettings settings;

    public ProfileLint(ProfileSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Findings for a self-signed profile's certificate (Citizen Root CA, CSCA); empty when it fits. */
    public List<LintFinding> checkSelfSigned(CertificateProfile profile, X509CertificateHolder candidate) {
        if (!profile.isSelfSigned()) {
            return List.of(new LintFinding("issuer-profile", profile.id() + " is not self-signed; name its issuer"));
        }
        return check(profile, null, candidate, null);
    }

    /**
     * Findings for {@code candidate}, issued under {@code profile} by {@code issuer}; empty when it
     * fits. The profiles the RA API issues (citizen, operator, RA TLS server) are checked against
     * their registration data: use {@link #check(CertificateRequest, X509CertificateHolder,
     * CaCertificate)} for them.
     */
    public List<LintFinding> check(CertificateProfile profile, X509CertificateHolder candidate, CaCertificate issuer) {
        Objects.requireNonNull(profile, "profile");
        if (profile.needsRequestData()) {
            return List.of(
                    new LintFinding("request", profile.id() + " is checked against its request's registration data"));
        }
        return check(profile, null, candidate, issuer);
    }

    /**
     * Findings for {@code candidate}, issued for {@code request} by {@code issuer}; empty when it
     * fits. Besides the profile's rows, the certificate must carry exactly the request's key and,
     * for the RA API's profiles, exactly its registration data (holder name byte for byte, subscriber
     * id, national ID's last four digits, CRL partition, renewal cap, role, host names).
     */
    public List<LintFinding> check(CertificateRequest request, X509CertificateHolder candidate, CaCertificate issuer) {
        Objects.requireNonNull(request, "request");
        List<LintFinding> findings = new ArrayList<>(check(request.profile(), request, candidate, issuer));
        if (!Arrays.equals(der(request.subjectPublicKey()), der(candidate.getSubjectPublicKeyInfo()))) {
            findings.add(new LintFinding("subject-key", "the certified key is not the request's key"));
        }
        return findings;
    }

    private List<LintFinding> check(
            CertificateProfile profile,
            CertificateRequest request,
            X509CertificateHolder candidate,
            CaCertificate issuer) {
        Objects.requireNonNull(candidate, "candidate");
        Findings f = new Findings();
        if (profile.isSelfSigned() && issuer != null) {
            f.add("issuer-profile", profile.id() + " is self-signed but an issuer was given");
            return f.list;
        }
        if (!profile.isSelfSigned()) {
            if (issuer == null) {
                f.add("issuer-profile", profile.id() + " needs an issuer");
                return f.list;
            }
            if (!profile.mayBeIssuedBy(issuer.profile())) {
                f.add(
                        "issuer-profile",
                        profile.id() + " may not be issued by "
                                + issuer.profile().id());
            }
        }
        Certificate cert = candidate.toASN1Structure();
        TBSCertificate tbs = cert.getTBSCertificate();

        X509Certificate jdk = parseIndependently(candidate, f);

        // RFC 5280 §4.1.2.1: extensions present, so v3.
        if (candidate.getVersionNumber() != 3) {
            f.add("version", "version is " + candidate.getVersionNumber() + ", not 3");
        }
        checkSerial(candidate.getSerialNumber(), f);

        // Issuer key: the issuer certificate's, or the candidate's own for self-signed profiles.
        SubjectPublicKeyInfo issuerKey = issuer == null
                ? candidate.getSubjectPublicKeyInfo()
                : issuer.certificate().getSubjectPublicKeyInfo();
        checkSignatureAlgorithm(cert, issuerKey, f);
        checkIssuerName(candidate, jdk, issuer, f);

        if (tbs.getIssuerUniqueId() != null || tbs.getSubjectUniqueId() != null) {
            // RFC 5280 §4.1.2.8: conforming CAs MUST NOT generate unique identifiers.
            f.add("unique-identifiers", "issuerUniqueID or subjectUniqueID present");
        }

        CertificateRequest.EndEntity endEntity = request == null ? null : request.endEntity();
        if (profile.needsRequestData() && endEntity == null) {
            f.add("request", profile.id() + " needs its registration data");
            return f.list;
        }
        CertificateProfile.Validity validity =
                checkValidity(profile, endEntity, tbs.getStartDate(), tbs.getEndDate(), issuer, f);
        checkSubject(profile, endEntity, candidate.getSubject(), issuer, f);
        checkKey(profile, candidate.getSubjectPublicKeyInfo(), issuerKey, issuer != null, f);
        checkExtensions(profile, endEntity, candidate, issuer, validity, f);
        checkNoNationalId(candidate, f);
        return f.list;
    }

    private static X509Certificate parseIndependently(X509CertificateHolder candidate, Findings f) {
        try {
            // Java's own X.509 parser, a second opinion on the encoding.
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(candidate.getEncoded()));
        } catch (CertificateException | IOException | RuntimeException e) {
            f.add("encoding", "Java's X.509 parser refuses the certificate: " + e.getMessage());
            return null;
        }
    }

    static void checkSerial(BigInteger serial, Findings f) {
        // RFC 5280 §4.1.2.2: positive, at most 20 octets; docs/profiles.md: at least 64 bits from a CSPRNG.
        if (serial.signum() <= 0) {
            f.add("serial", "serial number is not positive");
            return;
        }
        if (serial.toByteArray().length > MAX_SERIAL_OCTETS) {
            f.add("serial", "serial number is longer than 20 octets");
        }
        if (serial.bitLength() < SerialNumbers.MIN_BITS) {
            f.add("serial", "serial number has fewer than 64 bits");
        }
    }

    private static void checkSignatureAlgorithm(Certificate cert, SubjectPublicKeyInfo issuerKey, Findings f) {
        // RFC 5280 §4.1.1.2: signatureAlgorithm MUST equal the signature field of the TBS.
        if (!cert.getSignatureAlgorithm().equals(cert.getTBSCertificate().getSignature())) {
            f.add("signature-algorithm", "outer signatureAlgorithm differs from the TBS signature field");
        }
        try {
            if (!SignatureAlgorithms.forIssuer(issuerKey)
                    .equals(cert.getTBSCertificate().getSignature())) {
                f.add(
                        "signature-algorithm",
                        "signature algorithm "
                                + cert.getTBSCertificate().getSignature().getAlgorithm()
                                + " does not match the issuer key (expected "
                                + SignatureAlgorithms.forIssuer(issuerKey).getAlgorithm() + ")");
            }
        } catch (IllegalArgumentException e) {
            f.add("signature-algorithm", "issuer key not usable: " + e.getMessage());
        }
    }

    private static void checkIssuerName(
            X509CertificateHolder candidate, X509Certificate jdk, CaCertificate issuer, Findings f) {
        byte[] expected;
        byte[] actual;
        if (issuer == null) {
            expected = jdk != null ? jdk.getSubjectX500Principal().getEncoded() : der(candidate.getSubject());
        } else {
            expected = rawSubject(issuer.certificate());
        }
        actual = jdk != null ? jdk.getIssuerX500Principal().getEncoded() : der(candidate.getIssuer());
        // RFC 5280 §4.1.2.4 and §7.1: chaining compares names; we keep them byte-identical.
        if (!Arrays.equals(expected, actual)) {
            f.add(
                    "issuer-name",
                    "issuer name is not byte-identical to the "
                            + (issuer == null ? "certificate's own subject" : "issuer certificate's subject"));
        }
    }

    /** The subject exactly as encoded in the certificate (Java keeps the original bytes). */
    static byte[] rawSubject(X509CertificateHolder cert) {
        try {
            return ((X509Certificate) CertificateFactory.getInstance("X.509")
                            .generateCertificate(new ByteArrayInputStream(cert.getEncoded())))
                    .getSubjectX500Principal()
                    .getEncoded();
        } catch (CertificateException | IOException | RuntimeException e) {
            return der(cert.getSubject());
        }
    }

    private CertificateProfile.Validity checkValidity(
            CertificateProfile profile,
            CertificateRequest.EndEntity endEntity,
            Time start,
            Time end,
            CaCertificate issuer,
            Findings f) {
        for (Time t : List.of(start, end)) {
            String problem = Asn1Times.problem(t);
            if (problem != null) {
                f.add("validity-encoding", problem);
            }
        }
        Instant notBefore = start.getDate().toInstant();
        Instant notAfter = end.getDate().toInstant();
        Instant firstIssuance = endEntity instanceof CertificateRequest.Citizen c ? c.firstIssuance() : null;
        CertificateProfile.Validity expected = profile.validity(settings, notBefore, firstIssuance, issuer);
        if (!expected.notAfter().equals(notAfter) || !notAfter.isAfter(notBefore)) {
            f.add(
                    "validity-period",
                    "notAfter " + notAfter + " is not " + expected.notAfter() + " (" + profile.id() + " from notBefore "
                            + notBefore + (firstIssuance == null ? "" : ", first issuance " + firstIssuance) + ")");
        }
        if (firstIssuance != null) {
            // docs/profiles.md: a renewal may extend a key's certification to 8 years at most in all.
            Instant last = CertificateProfile.renewalCap(firstIssuance).minusSeconds(1);
            if (notAfter.isAfter(last)) {
                f.add(
                        "validity-renewal-cap",
                        "notAfter " + notAfter + " is past " + last + ", "
                                + CertificateProfile.CITIZEN_RENEWAL_CAP_YEARS
                                + " years after the key's first issuance");
            }
            if (firstIssuance.isAfter(notBefore)) {
                f.add("validity-renewal-cap", "the key's first issuance " + firstIssuance + " is after notBefore");
            }
        }
        if (issuer != null) {
            Instant issuerNotBefore = issuer.certificate().getNotBefore().toInstant();
            Instant issuerNotAfter = issuer.certificate().getNotAfter().toInstant();
            if (notBefore.isBefore(issuerNotBefore) || notAfter.isAfter(issuerNotAfter)) {
                f.add(
                        "validity-nesting",
                        "validity " + notBefore + ".." + notAfter + " is outside the issuer's " + issuerNotBefore + ".."
                                + issuerNotAfter);
            }
            Extension pkup = issuer.certificate().getExtension(ProfileExtensions.PRIVATE_KEY_USAGE_PERIOD);
            if (pkup != null) {
                // ICAO 9303-12: a CSCA signs only within its private key usage period.
                Instant[] period = usagePeriod(pkup);
                if (period != null && (notBefore.isBefore(period[0]) || notBefore.isAfter(period[1]))) {
                    f.add(
                            "issuer-key-usage-period",
                            "issued at " + notBefore + ", outside the issuer's private key usage period " + period[0]
                                    + ".." + period[1]);
                }
            }
        }
        return expected;
    }

    private void checkSubject(
            CertificateProfile profile,
            CertificateRequest.EndEntity endEntity,
            X500Name subject,
            CaCertificate issuer,
            Findings f) {
        PkiNames names = settings.names();
        X500Name expected = switch (profile) {
            case CITIZEN_SIGNATURE, CITIZEN_ENCRYPTION -> {
                CertificateRequest.Citizen c = (CertificateRequest.Citizen) endEntity;
                checkHolderName(subject, c.holderName(), f);
                yield PkiNames.citizen(c.holderName(), c.subscriberId());
            }
            case OPERATOR -> {
                CertificateRequest.Operator o = (CertificateRequest.Operator) endEntity;
                yield names.operator(o.office(), o.operatorId());
            }
            case RA_TLS_SERVER ->
                names.raTlsServer(
                        ((CertificateRequest.RaTlsServer) endEntity).hostNames().get(0));
            case OCSP_SIGNER -> issuer == null ? null : names.ocspResponder(issuer.profile());
            case MASTER_LIST_SIGNER -> names.masterListSigner();
            case DOCUMENT_SIGNER -> {
                String cn = commonName(subject);
                Matcher m = cn == null ? null : DOCUMENT_SIGNER_NUMBER.matcher(cn);
                yield m != null && m.find() && Integer.parseInt(m.group(1)) > 0
                        ? names.documentSigner(Integer.parseInt(m.group(1)))
                        : null;
            }
            case SEAL_SIGNER -> {
                String cn = commonName(subject);
                Matcher m = cn == null ? null : DOCUMENT_SIGNER_NUMBER.matcher(cn);
                yield m != null && m.find() && Integer.parseInt(m.group(1)) > 0
                        ? names.sealSigner(Integer.parseInt(m.group(1)))
                        : null;
            }
            default -> names.caSubject(profile);
        };
        if (expected == null) {
            f.add("subject", "subject " + subject + " does not have the shape of " + profile.id());
            return;
        }
        // Byte comparison: the attribute types, their order and their string types (C as
        // PrintableString, the rest UTF8String) all must be as PkiNames builds them.
        if (!Arrays.equals(der(expected), der(subject))) {
            f.add(
                    "subject",
                    "subject " + subject + " is not " + expected + " (or not encoded as docs/profiles.md says)");
        }
        if (profile.subjectHasOu() != (subject.getRDNs(BCStyle.OU).length > 0)) {
            f.add("subject", "OU " + (profile.subjectHasOu() ? "missing" : "not allowed"));
        }
    }

    /**
     * docs/profiles.md, "Names": the CN is one UTF8String whose contents octets are exactly the UTF-8 of
     * the holder's NFC name, and that name passes the holder-name rules under the configured
     * Private Use allow-list (so a CN built around the checks still fails here).
     */
    private void checkHolderName(X500Name subject, HolderName expected, Findings f) {
        var rdns = subject.getRDNs(BCStyle.CN);
        if (rdns.length != 1
                || rdns[0].isMultiValued()
                || !(rdns[0].getFirst().getValue() instanceof ASN1UTF8String cn)) {
            f.add("holder-name", "the subject has no single UTF8String CN");
            return;
        }
        byte[] encoded = der(cn);
        byte[] want = der(new DERUTF8String(expected.value()));
        if (!Arrays.equals(encoded, want)) {
            f.add("holder-name", "CN is not byte for byte the UTF-8 of the holder's NFC name");
        }
        try {
            if (!HolderName.of(cn.getString(), settings.holderNamePrivateUse())
                    .value()
                    .equals(cn.getString())) {
                f.add("holder-name", "CN is not in Unicode NFC");
            }
        } catch (InvalidHolderNameException e) {
            f.add("holder-name", "CN breaks a holder-name rule: " + e.code().id());
        }
    }

    /**
     * docs/profiles.md: the full national ID number is never in a certificate. Looks for its shape (a
     * letter, 1 or 2, eight digits) in every string of the subject and of every extension, decoded
     * (so a BMPString or full-width form is found) and in the raw bytes (so a string inside an
     * OCTET STRING or an implicitly tagged field is found too).
     */
    private static void checkNoNationalId(X509CertificateHolder candidate, Findings f) {
        List<String> texts = new ArrayList<>();
        collectStrings(candidate.getSubject().toASN1Primitive(), texts, 0);
        texts.add(new String(der(candidate.getSubject()), StandardCharsets.ISO_8859_1));
        Extensions exts = candidate.getExtensions();
        if (exts != null) {
            for (ASN1ObjectIdentifier oid : exts.getExtensionOIDs()) {
                byte[] value = exts.getExtension(oid).getExtnValue().getOctets();
                texts.add(new String(value, StandardCharsets.ISO_8859_1));
                try {
                    collectStrings(ASN1Primitive.fromByteArray(value), texts, 0);
                } catch (IOException | RuntimeException e) {
                    // Unparsable values are findings of their own; the raw bytes were searched.
                }
            }
        }
        for (String text : texts) {
            if (NationalIds.appearsIn(text)) {
                f.add("national-id", "the subject or an extension contains a national ID number (docs/profiles.md)");
                return;
            }
        }
    }

    private static void collectStrings(ASN1Primitive p, List<String> out, int depth) {
        if (depth > 16) {
            return;
        }
        if (p instanceof ASN1String s) {
            out.add(s.getString());
        } else if (p instanceof ASN1Sequence seq) {
            for (ASN1Encodable e : seq) {
                collectStrings(e.toASN1Primitive(), out, depth + 1);
            }
        } else if (p instanceof ASN1Set set) {
            for (ASN1Encodable e : set) {
                collectStrings(e.toASN1Primitive(), out, depth + 1);
            }
        } else if (p instanceof ASN1TaggedObject tagged) {
            try {
                collectStrings(tagged.getBaseObject().toASN1Primitive(), out, depth + 1);
            } catch (RuntimeException e) {
                // An implicitly tagged primitive: its raw bytes are searched by the caller.
            }
        } else if (p instanceof ASN1OctetString octets) {
            try {
                collectStrings(ASN1Primitive.fromByteArray(octets.getOctets()), out, depth + 1);
            } catch (IOException | RuntimeException e) {
                // Not nested DER: raw bytes were searched by the caller.
            }
        }
    }

    private static String commonName(X500Name name) {
        var rdns = name.getRDNs(BCStyle.CN);
        if (rdns.length != 1 || !(rdns[0].getFirst().getValue() instanceof DERUTF8String s)) {
            return null;
        }
        return s.getString();
    }

    private static void checkKey(
            CertificateProfile profile,
            SubjectPublicKeyInfo key,
            SubjectPublicKeyInfo issuerKey,
            boolean hasIssuer,
            Findings f) {
        try {
            PublicKeyType type = PublicKeyType.of(key);
            if (!profile.keyTypes().contains(type)) {
                f.add(
                        "key-type",
                        type + " is not allowed for " + profile.id() + " (allowed: " + profile.keyTypes() + ")");
            }
        } catch (IllegalArgumentException e) {
            f.add("key-type", e.getMessage());
        }
        if (hasIssuer && Arrays.equals(der(key), der(issuerKey))) {
            f.add("key-reuse", "the subject key is the issuer's own key");
        }
    }

    private void checkExtensions(
            CertificateProfile profile,
            CertificateRequest.EndEntity endEntity,
            X509CertificateHolder candidate,
            CaCertificate issuer,
            CertificateProfile.Validity validity,
            Findings f) {
        Extensions exts = candidate.getExtensions();
        Set<ASN1ObjectIdentifier> expected = new LinkedHashSet<>();
        expected.add(Extension.keyUsage);
        if (profile.pathLen() != null) {
            expected.add(Extension.basicConstraints);
        }
        if (!profile.extendedKeyUsage(settings).isEmpty()) {
            expected.add(Extension.extendedKeyUsage);
        }
        if (profile.hasSubjectKeyIdentifier()) {
            expected.add(Extension.subjectKeyIdentifier);
        }
        if (profile.hasAuthorityKeyIdentifier()) {
            expected.add(Extension.authorityKeyIdentifier);
        }
        if (profile.hasPolicies()) {
            expected.add(Extension.certificatePolicies);
        }
        if (profile.hasIssuerLinks()) {
            expected.add(Extension.authorityInfoAccess);
            expected.add(Extension.cRLDistributionPoints);
        }
        if (profile.hasPrivateKeyUsagePeriod()) {
            expected.add(ProfileExtensions.PRIVATE_KEY_USAGE_PERIOD);
        }
        if (profile.hasOcspNoCheck()) {
            expected.add(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck);
        }
        if (profile.hasSubjectAltName()) {
            expected.add(Extension.subjectAlternativeName);
        }
        if (profile.hasSubjectDirectoryAttributes()) {
            expected.add(Extension.subjectDirectoryAttributes);
        }
        List<ASN1ObjectIdentifier> present = exts == null ? List.of() : Arrays.asList(exts.getExtensionOIDs());
        for (ASN1ObjectIdentifier oid : present) {
            if (!expected.contains(oid)) {
                f.add("unexpected-extension", "extension " + oid + " is not in " + profile.id());
            }
        }
        for (ASN1ObjectIdentifier oid : expected) {
            if (!present.contains(oid)) {
                f.add("missing-extension", "extension " + oid + " is missing from " + profile.id());
            }
        }
        if (exts == null) {
            return;
        }
        // Content checks only for the extensions the profile has; any other is already a finding.
        List<Extension> kept = new ArrayList<>();
        for (ASN1ObjectIdentifier oid : present) {
            if (expected.contains(oid)) {
                kept.add(exts.getExtension(oid));
            }
        }
        Extensions profiled = new Extensions(kept.toArray(Extension[]::new));
        try {
            checkBasicConstraints(profile, profiled.getExtension(Extension.basicConstraints), f);
            checkKeyUsage(profile, candidate.getSubjectPublicKeyInfo(), profiled.getExtension(Extension.keyUsage), f);
            checkExtendedKeyUsage(profile, profiled.getExtension(Extension.extendedKeyUsage), f);
            checkKeyIdentifiers(candidate, issuer, profiled, f);
            checkPolicies(profile, endEntity, issuer, profiled.getExtension(Extension.certificatePolicies), f);
            if (issuer != null) {
                checkIssuerLinks(profile, endEntity, issuer, profiled, f);
            }
            checkSubjectAltName(endEntity, profiled.getExtension(Extension.subjectAlternativeName), f);
            checkSubjectDirectoryAttributes(endEntity, profiled.getExtension(Extension.subjectDirectoryAttributes), f);
            checkUsagePeriod(
                    profiled.getExtension(ProfileExtensions.PRIVATE_KEY_USAGE_PERIOD),
                    validity,
                    candidate.getNotAfter().toInstant(),
                    f);
            checkOcspNoCheck(profiled.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck), f);
        } catch (RuntimeException e) {
            f.add("extension-encoding", "an extension does not parse: " + e);
        }
    }

    private static void checkBasicConstraints(CertificateProfile profile, Extension ext, Findings f) {
        if (ext == null) {
            return;
        }
        if (!ext.isCritical()) {
            f.add("basic-constraints", "basicConstraints is not critical (RFC 5280 §4.2.1.9)");
        }
        BasicConstraints bc = BasicConstraints.getInstance(ext.getParsedValue());
        if (!bc.isCA()) {
            f.add("basic-constraints", "cA is not TRUE");
        }
        BigInteger pathLen = bc.getPathLenConstraint();
        if (profile.pathLen() != null && (pathLen == null || pathLen.intValue() != profile.pathLen())) {
            f.add("basic-constraints", "pathLenConstraint is " + pathLen + ", not " + profile.pathLen());
        }
    }

    private static void checkKeyUsage(CertificateProfile profile, SubjectPublicKeyInfo key, Extension ext, Findings f) {
        if (ext == null) {
            return;
        }
        PublicKeyType keyType;
        try {
            keyType = PublicKeyType.of(key);
        } catch (IllegalArgumentException e) {
            return; // already a key-type finding
        }
        int want = profile.keyUsage(keyType);
        if (!ext.isCritical()) {
            f.add("key-usage", "keyUsage is not critical");
        }
        ASN1BitString bits = ASN1BitString.getInstance(ext.getParsedValue());
        int actual = bits.intValue();
        if (actual != want) {
            f.add(
                    "key-usage",
                    "keyUsage bits " + Integer.toBinaryString(actual) + " are not " + Integer.toBinaryString(want)
                            + " (" + profile.id() + ", " + keyType + " key)");
        }
        // X.690 §11.2.2: a named bit list in DER has no trailing zero bits.
        if (!Arrays.equals(der(new KeyUsage(actual)), der(bits))) {
            f.add("key-usage", "keyUsage is not minimally DER-encoded");
        }
    }

    private void checkExtendedKeyUsage(CertificateProfile profile, Extension ext, Findings f) {
        if (ext == null) {
            return;
        }
        if (ext.isCritical() != profile.extendedKeyUsageCritical()) {
            f.add("extended-key-usage", "extKeyUsage is " + (ext.isCritical() ? "" : "not ") + "critical");
        }
        KeyPurposeId[] usages =
                ExtendedKeyUsage.getInstance(ext.getParsedValue()).getUsages();
        List<KeyPurposeId> want = profile.extendedKeyUsage(settings);
        if (!Arrays.asList(usages).equals(want)) {
            f.add("extended-key-usage", "extKeyUsage " + Arrays.toString(usages) + " is not " + want);
        }
    }

    private static void checkKeyIdentifiers(
            X509CertificateHolder candidate, CaCertificate issuer, Extensions exts, Findings f) {
        Extension ski = exts.getExtension(Extension.subjectKeyIdentifier);
        if (ski != null) {
            // RFC 5280 §4.2.1.2: MUST be non-critical; we use method (1).
            if (ski.isCritical()) {
                f.add("subject-key-identifier", "subjectKeyIdentifier is critical");
            }
            byte[] id = SubjectKeyIdentifier.getInstance(ski.getParsedValue()).getKeyIdentifier();
            if (!Arrays.equals(id, ProfileExtensions.keyIdentifier(candidate.getSubjectPublicKeyInfo()))) {
                f.add(
                        "subject-key-identifier",
                        "subjectKeyIdentifier is not the SHA-1 of the subject key (RFC 5280 §4.2.1.2 (1))");
            }
        }
        Extension aki = exts.getExtension(Extension.authorityKeyIdentifier);
        if (aki != null) {
            // RFC 5280 §4.2.1.1: MUST be non-critical; keyIdentifier equal to the issuer's SKI.
            if (aki.isCritical()) {
                f.add("authority-key-identifier", "authorityKeyIdentifier is critical");
            }
            AuthorityKeyIdentifier value = AuthorityKeyIdentifier.getInstance(aki.getParsedValue());
            if (value.getAuthorityCertIssuer() != null || value.getAuthorityCertSerialNumber() != null) {
                f.add(
                        "authority-key-identifier",
                        "authorityKeyIdentifier carries issuer and serial; keyIdentifier only");
            }
            if (issuer != null && !Arrays.equals(value.getKeyIdentifierOctets(), issuer.keyIdentifier())) {
                f.add("authority-key-identifier", "authorityKeyIdentifier is not the issuer's subjectKeyIdentifier");
            }
        }
    }

    private void checkPolicies(
            CertificateProfile profile,
            CertificateRequest.EndEntity endEntity,
            CaCertificate issuer,
            Extension ext,
            Findings f) {
        if (ext == null) {
            return;
        }
        List<String> want = profile.policyOids(settings, endEntity);
        if (ext.isCritical()) {
            f.add("certificate-policies", "certificatePolicies is critical");
        }
        List<String> oids = new ArrayList<>();
        for (PolicyInformation p :
                CertificatePolicies.getInstance(ext.getParsedValue()).getPolicyInformation()) {
            oids.add(p.getPolicyIdentifier().getId());
            if (p.getPolicyQualifiers() != null) {
                f.add("certificate-policies", "policy " + p.getPolicyIdentifier() + " has qualifiers");
            }
        }
        if (!oids.equals(want)) {
            f.add("certificate-policies", "policies " + oids + " are not the configured " + want);
        }
        if (profile == CertificateProfile.OPERATOR && oids.size() != 1) {
            f.add(
                    "certificate-policies",
                    "an operator certificate carries exactly one role policy, not " + oids.size());
        }
        // RFC 5280 §6.1.3 (d): a policy the issuing CA's certificate does not carry (nor anyPolicy)
        // does not survive path validation.
        Extension issuerPolicies =
                issuer == null ? null : issuer.certificate().getExtension(Extension.certificatePolicies);
        if (issuerPolicies != null && !profile.isCertificateAuthority()) {
            List<String> caOids = new ArrayList<>();
            for (PolicyInformation p : CertificatePolicies.getInstance(issuerPolicies.getParsedValue())
                    .getPolicyInformation()) {
                caOids.add(p.getPolicyIdentifier().getId());
            }
            if (!caOids.contains("2.5.29.32.0") && !caOids.containsAll(oids)) {
                f.add("certificate-policies", "policies " + oids + " are not all among the issuer's " + caOids);
            }
        }
    }

    private static void checkSubjectAltName(CertificateRequest.EndEntity endEntity, Extension ext, Findings f) {
        if (ext == null || !(endEntity instanceof CertificateRequest.RaTlsServer server)) {
            return;
        }
        // RFC 5280 §4.2.1.6: non-critical when the subject is not empty.
        if (ext.isCritical()) {
            f.add("subject-alt-name", "subjectAltName is critical although the subject is not empty");
        }
        GeneralName[] names = GeneralNames.getInstance(ext.getParsedValue()).getNames();
        List<String> hosts = server.hostNames();
        boolean ok = names.length == hosts.size();
        for (int i = 0; ok && i < names.length; i++) {
            String host = hosts.get(i);
            if (CertificateRequest.RaTlsServer.isIpLiteral(host)) {
                ok = names[i].getTagNo() == GeneralName.iPAddress
                        && Arrays.equals(
                                ASN1OctetString.getInstance(names[i].getName()).getOctets(),
                                CertificateRequest.RaTlsServer.address(host));
            } else {
                ok = names[i].getTagNo() == GeneralName.dNSName
                        && names[i].getName() instanceof ASN1IA5String s
                        && host.equals(s.getString());
            }
        }
        if (!ok) {
            f.add("subject-alt-name", "subjectAltName is not exactly the request's host names " + hosts);
        }
    }

    /**
     * docs/profiles.md: the last four digits of the national ID only, as attribute 2.16.886.1.100.2.51:
     * one Attribute, one value, a PrintableString of four digits equal to the request's.
     */
    private static void checkSubjectDirectoryAttributes(
            CertificateRequest.EndEntity endEntity, Extension ext, Findings f) {
        if (ext == null || !(endEntity instanceof CertificateRequest.Citizen citizen)) {
            return;
        }
        // RFC 5280 §4.2.1.8: MUST be non-critical.
        if (ext.isCritical()) {
            f.add("subject-directory-attributes", "subjectDirectoryAttributes is critical (RFC 5280 §4.2.1.8)");
        }
        ASN1Sequence attributes = ASN1Sequence.getInstance(ext.getParsedValue());
        boolean ok = attributes.size() == 1;
        if (ok) {
            ASN1Sequence attribute = ASN1Sequence.getInstance(attributes.getObjectAt(0));
            ok = attribute.size() == 2 && ProfileExtensions.NATIONAL_ID_LAST4.equals(attribute.getObjectAt(0));
            if (ok) {
                ASN1Set values = ASN1Set.getInstance(attribute.getObjectAt(1));
                ok = values.size() == 1
                        && values.getObjectAt(0) instanceof ASN1PrintableString p
                        && p.getString().matches("[0-9]{4}")
                        && p.getString().equals(citizen.nationalIdLast4());
            }
        }
        if (!ok) {
            f.add(
                    "subject-directory-attributes",
                    "subjectDirectoryAttributes is not exactly one " + ProfileExtensions.NATIONAL_ID_LAST4
                            + " attribute with the national ID's last four digits as a PrintableString");
        }
    }

    private void checkIssuerLinks(
            CertificateProfile profile,
            CertificateRequest.EndEntity endEntity,
            CaCertificate issuer,
            Extensions exts,
            Findings f) {
        Extension aia = exts.getExtension(Extension.authorityInfoAccess);
        if (aia != null) {
            if (aia.isCritical()) {
                f.add("authority-info-access", "authorityInfoAccess is critical (RFC 5280 §4.2.2.1)");
            }
            AccessDescription[] ads =
                    AuthorityInformationAccess.getInstance(aia.getParsedValue()).getAccessDescriptions();
            List<String> want = new ArrayList<>();
            if (profile.hasOcspUrl()) {
                want.add("ocsp " + settings.ocspUrl());
            }
            want.add("caIssuers " + settings.caCertificateUrl(issuer.profile()));
            List<String> actual = new ArrayList<>();
            for (AccessDescription ad : ads) {
                String method = AccessDescription.id_ad_ocsp.equals(ad.getAccessMethod())
                        ? "ocsp"
                        : AccessDescription.id_ad_caIssuers.equals(ad.getAccessMethod())
                                ? "caIssuers"
                                : ad.getAccessMethod().getId();
                actual.add(method + " " + uri(ad.getAccessLocation()));
            }
            if (!actual.equals(want)) {
                f.add("authority-info-access", "authorityInfoAccess is " + actual + ", not exactly " + want);
            }
        }
        Extension crldp = exts.getExtension(Extension.cRLDistributionPoints);
        if (crldp != null) {
            if (crldp.isCritical()) {
                f.add("crl-distribution-points", "cRLDistributionPoints is critical");
            }
            DistributionPoint[] dps =
                    CRLDistPoint.getInstance(crldp.getParsedValue()).getDistributionPoints();
            String want;
            if (profile.hasPartitionedCrl()) {
                // docs/profiles.md: the URL of the certificate's own CRL partition, fixed at issuance.
                want = endEntity instanceof CertificateRequest.Citizen c
                        ? settings.crlPartitionUrl(issuer.profile(), c.crlPartition())
                                .toString()
                        : "(a partition URL)";
            } else {
                want = settings.crlUrl(issuer.profile()).toString();
            }
            boolean ok = dps.length == 1
                    && dps[0].getReasons() == null
                    && dps[0].getCRLIssuer() == null
                    && dps[0].getDistributionPoint() != null
                    && dps[0].getDistributionPoint().getType() == DistributionPointName.FULL_NAME;
            if (ok) {
                GeneralName[] names = GeneralNames.getInstance(
                                dps[0].getDistributionPoint().getName())
                        .getNames();
                ok = names.length == 1 && want.equals(uri(names[0]));
            }
            if (!ok) {
                f.add("crl-distribution-points", "cRLDistributionPoints is not exactly one fullName " + want);
            }
        }
    }

    private static String uri(GeneralName name) {
        return name.getTagNo() == GeneralName.uniformResourceIdentifier
                ? name.getName().toString()
                : null;
    }

    private static void checkUsagePeriod(
            Extension ext, CertificateProfile.Validity validity, Instant notAfter, Findings f) {
        if (ext == null) {
            return;
        }
        if (ext.isCritical()) {
            f.add("private-key-usage-period", "privateKeyUsagePeriod is critical (RFC 3280 §4.2.1.4)");
        }
        ASN1Sequence seq = ASN1Sequence.getInstance(ext.getParsedValue());
        if (seq.size() != 2) {
            f.add("private-key-usage-period", "privateKeyUsagePeriod needs both notBefore and notAfter");
            return;
        }
        Instant[] period = new Instant[2];
        for (int i = 0; i < 2; i++) {
            ASN1TaggedObject tagged = ASN1TaggedObject.getInstance(seq.getObjectAt(i));
            if (tagged.getTagNo() != i) {
                f.add(
                        "private-key-usage-period",
                        "privateKeyUsagePeriod element " + i + " has tag " + tagged.getTagNo());
                return;
            }
            ASN1GeneralizedTime t = ASN1GeneralizedTime.getInstance(tagged, false);
            String problem = Asn1Times.problem(t, null);
            if (problem != null) {
                f.add("private-key-usage-period", problem);
            }
            period[i] = Asn1Times.instant(t);
        }
        if (validity.usageNotBefore() != null
                && (!period[0].equals(validity.usageNotBefore()) || !period[1].equals(validity.usageNotAfter()))) {
            f.add(
                    "private-key-usage-period",
                    "privateKeyUsagePeriod " + period[0] + ".." + period[1] + " is not " + validity.usageNotBefore()
                            + ".." + validity.usageNotAfter());
        }
        if (period[1].isAfter(notAfter)) {
            f.add("private-key-usage-period", "privateKeyUsagePeriod ends after the certificate");
        }
    }

    /** notBefore and notAfter of a privateKeyUsagePeriod extension, or null when it does not parse. */
    static Instant[] usagePeriod(Extension ext) {
        try {
            PrivateKeyUsagePeriod p = PrivateKeyUsagePeriod.getInstance(ext.getParsedValue());
            if (p.getNotBefore() == null || p.getNotAfter() == null) {
                return null;
            }
            return new Instant[] {Asn1Times.instant(p.getNotBefore()), Asn1Times.instant(p.getNotAfter())};
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static void checkOcspNoCheck(Extension ext, Findings f) {
        if (ext == null) {
            return;
        }
        // RFC 6960 §4.2.2.2.1: the value is NULL; we keep it non-critical.
        if (ext.isCritical()) {
            f.add("ocsp-nocheck", "id-pkix-ocsp-nocheck is critical");
        }
        if (!Arrays.equals(ext.getExtnValue().getOctets(), der(DERNull.INSTANCE))) {
            f.add("ocsp-nocheck", "id-pkix-ocsp-nocheck value is not NULL");
        }
    }

    static byte[] der(ASN1Encodable value) {
        try {
            return value.toASN1Primitive().getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Collects findings in order. */
    static final class Findings {
        final List<LintFinding> list = new ArrayList<>();

        void add(String rule, String detail) {
            list.add(new LintFinding(rule, detail));
        }
    }
}
