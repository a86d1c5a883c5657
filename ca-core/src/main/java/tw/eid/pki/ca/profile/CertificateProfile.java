package tw.eid.pki.ca.profile;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * The certificate profiles of docs/profiles.md, one constant per certificate type, each with a stable
 * name and a version ({@link #id()}, e.g. {@code citizen-root/1}). A change to what a profile
 * issues is a new version, never an edit of a published one, so that a stored certificate can
 * always be traced to the rules it was issued under.
 *
 * <p>The rules are package-private: issuance and {@link ProfileLint} read them, callers name a
 * profile and nothing more. The profiles the RA API issues (citizen signature and encryption,
 * operator, RA TLS server) need registration data, which comes with the request ({@link
 * CertificateRequest.EndEntity}). The CSCA link certificate and the master list signer are issued
 * by the document side's ceremonies (tw.eid.pki.ca.document).
 */
public enum CertificateProfile {

    /** Self-signed, 25 y, CA pathLen 1; KU keyCertSign+cRLSign; C=TW,O,CN; SKI only. */
    CITIZEN_ROOT(
            "citizen-root",
            1,
            "citizen-root",
            1,
            KeyUsage.keyCertSign | KeyUsage.cRLSign,
            List.of(),
            EnumSet.of(Feature.SUBJECT_KEY_IDENTIFIER),
            EnumSet.of(PublicKeyType.EC_P384, PublicKeyType.RSA_4096)),

    /** Root-issued, 15 y, CA pathLen 0; C=TW,O,OU,CN; AKI+SKI; AIA caIssuers; CRL DP (root ARL); policies. */
    CITIZEN_CA(
            "citizen-ca",
            1,
            "citizen-ca",
            0,
            KeyUsage.keyCertSign | KeyUsage.cRLSign,
            List.of(),
            EnumSet.of(
                    Feature.SUBJECT_HAS_OU,
                    Feature.SUBJECT_KEY_IDENTIFIER,
                    Feature.AUTHORITY_KEY_IDENTIFIER,
                    Feature.ISSUER_LINKS,
                    Feature.POLICIES),
            EnumSet.of(PublicKeyType.EC_P384, PublicKeyType.RSA_4096)),

    /** Issued by an online CA, ≤ 90 d; P-256; KU digitalSignature; EKU OCSPSigning; ocsp-nocheck; AKI. */
    OCSP_SIGNER(
            "ocsp-signer",
            1,
            null,
            null,
            KeyUsage.digitalSignature,
            List.of(KeyPurposeId.id_kp_OCSPSigning),
            EnumSet.of(Feature.AUTHORITY_KEY_IDENTIFIER, Feature.OCSP_NO_CHECK),
            EnumSet.of(PublicKeyType.EC_P256)),

    /** Root-issued, 10 y, CA pathLen 0; P-384; C=TW,O,CN; AKI+SKI; AIA caIssuers; CRL DP (root ARL). */
    RA_OPERATORS_CA(
            "ra-operators-ca",
            1,
            "ra-operators-ca",
            0,
            KeyUsage.keyCertSign | KeyUsage.cRLSign,
            List.of(),
            EnumSet.of(Feature.SUBJECT_KEY_IDENTIFIER, Feature.AUTHORITY_KEY_IDENTIFIER, Feature.ISSUER_LINKS),
            EnumSet.of(PublicKeyType.EC_P384)),

    /**
     * Self-signed ICAO country signing CA; CA pathLen 0; SKI; privateKeyUsagePeriod; validity =
     * key usage period + longest Document Signer validity. No AKI: docs/profiles.md lists only SKI, RFC
     * 5280 §4.2.1.1 lets a self-signed certificate omit it and ICAO 9303-12 makes it optional for
     * a self-signed CSCA; the link certificates of a key rollover carry it.
     */
    CSCA(
            "csca",
            2,
            "csca",
            0,
            KeyUsage.keyCertSign | KeyUsage.cRLSign,
            List.of(),
            EnumSet.of(Feature.SUBJECT_KEY_IDENTIFIER, Feature.PRIVATE_KEY_USAGE_PERIOD),
            EnumSet.of(PublicKeyType.EC_P384, PublicKeyType.EC_BRAINPOOL_P384R1)),

    /** CSCA-issued; KU digitalSignature; AKI; privateKeyUsagePeriod; validity = key usage + card lifetime. */
    DOCUMENT_SIGNER(
            "document-signer",
            2,
            null,
            null,
            KeyUsage.digitalSignature,
            List.of(),
            EnumSet.of(Feature.AUTHORITY_KEY_IDENTIFIER, Feature.PRIVATE_KEY_USAGE_PERIOD),
            EnumSet.of(PublicKeyType.EC_P256, PublicKeyType.EC_P384)),

    /**
     * The seal signer of the temporary ID certificate's Visible Digital Seal (ICAO Doc 9303-13 §3,
     * whose signer certificates follow Doc 9303-12's Document Signer profile; issue 24):
     * CSCA-issued; P-256 only (the seal's signature is ECDSA P-256/SHA-256); KU digitalSignature;
     * AKI; privateKeyUsagePeriod as a Document Signer's; validity = key usage period + the longest
     * temporary certificate ({@value #TEMPORARY_CERTIFICATE_MAX_DAYS} days), so a seal signed on the
     * last day of the usage period verifies until it expires.
     */
    SEAL_SIGNER(
            "seal-signer",
            1,
            null,
            null,
            KeyUsage.digitalSignature,
            List.of(),
            EnumSet.of(Feature.AUTHORITY_KEY_IDENTIFIER, Feature.PRIVATE_KEY_USAGE_PERIOD),
            EnumSet.of(PublicKeyType.EC_P256)),

    /**
     * CSCA key rollover (ICAO 9303-12 §5.1.1): the old CSCA key certifies the new one (old → new
     * only). Subject, key, extensions and privateKeyUsagePeriod as the new CSCA's self-signed
     * certificate, plus AKI (the old key's SKI); notAfter is the new CSCA's, capped at the old
     * CSCA's notAfter so the link nests in its issuer.
     */
    CSCA_LINK(
            "csca-link",
            2,
            "csca",
            0,
            KeyUsage.keyCertSign | KeyUsage.cRLSign,
            List.of(),
            EnumSet.of(
                    Feature.SUBJECT_KEY_IDENTIFIER, Feature.AUTHORITY_KEY_IDENTIFIER, Feature.PRIVATE_KEY_USAGE_PERIOD),
            EnumSet.of(PublicKeyType.EC_P384, PublicKeyType.EC_BRAINPOOL_P384R1)),

    /**
     * The CSCA master list signer (ICAO 9303-12 §9; docs/profiles.md): CSCA-issued, 3 y; KU
     * digitalSignature; extKeyUsage id-icao-mrtd-security-cscaMasterListSigningKey (2.23.136.1.1.3),
     * critical; AKI.
     */
    MASTER_LIST_SIGNER(
            "master-list-signer",
            1,
            null,
            null,
            KeyUsage.digitalSignature,
            List.of(KeyPurposeId.getInstance(new ASN1ObjectIdentifier("2.23.136.1.1.3"))),
            EnumSet.of(Feature.AUTHORITY_KEY_IDENTIFIER),
            EnumSet.of(PublicKeyType.EC_P256, PublicKeyType.EC_P384)),

    /**
     * Citizen CA-issued, 5 y (a renewal of the same key: 8 y at most from its first issuance); chip
     * key RSA-2048 or P-256; no basicConstraints; KU digitalSignature+nonRepudiation; EKU from
     * settings (clientAuth, emailProtection); C=TW,CN=name,serialNumber=subscriber id;
     * subjectDirectoryAttributes with the national ID's last four digits; policies; AKI; AIA OCSP and
     * caIssuers; CRL DP = the certificate's own CRL partition.
     */
    CITIZEN_SIGNATURE(
            "citizen-signature",
            1,
            null,
            null,
            KeyUsage.digitalSignature | KeyUsage.nonRepudiation,
            List.of(),
            EnumSet.of(Feature.AUTHORITY_KEY_IDENTIFIER, Feature.ISSUER_LINKS, Feature.POLICIES),
            EnumSet.of(PublicKeyType.RSA_2048, PublicKeyType.EC_P256)),

    /**
     * As {@link #CITIZEN_SIGNATURE} for the chip's second key, except KU (RSA: keyEncipherment; EC:
     * keyAgreement, RFC 5480 §3: an EC key encrypts by key agreement) and EKU emailProtection.
     */
    CITIZEN_ENCRYPTION(
            "citizen-encryption",
            1,
            null,
            null,
            KeyUsage.keyEncipherment,
            List.of(KeyPurposeId.id_kp_emailProtection),
            EnumSet.of(Feature.AUTHORITY_KEY_IDENTIFIER, Feature.ISSUER_LINKS, Feature.POLICIES),
            EnumSet.of(PublicKeyType.RSA_2048, PublicKeyType.EC_P256)),

    /**
     * RA Operators CA-issued, ≤ 2 y (settings); KU digitalSignature; EKU clientAuth;
     * C=TW,O,OU=office,CN=operator id; exactly one policy, the role's; AKI; AIA caIssuers; CRL DP.
     */
    OPERATOR(
            "operator",
            1,
            null,
            null,
            KeyUsage.digitalSignature,
            List.of(KeyPurposeId.id_kp_clientAuth),
            EnumSet.of(
                    Feature.SUBJECT_HAS_OU, Feature.AUTHORITY_KEY_IDENTIFIER, Feature.ISSUER_LINKS, Feature.POLICIES),
            EnumSet.of(PublicKeyType.EC_P256, PublicKeyType.EC_P384, PublicKeyType.RSA_2048, PublicKeyType.RSA_3072)),

    /**
     * The RA API's TLS server certificate: RA Operators CA-issued, ≤ 397 d (settings); P-256 or
     * P-384; KU digitalSignature (ECDHE only: no keyEncipherment for EC keys); EKU serverAuth;
     * subjectAltName from the request; C=TW,O,CN=first host name; AKI; AIA caIssuers; CRL DP.
     */
    RA_TLS_SERVER(
            "ra-tls-server",
            1,
            null,
            null,
            KeyUsage.digitalSignature,
            List.of(KeyPurposeId.id_kp_serverAuth),
            EnumSet.of(Feature.AUTHORITY_KEY_IDENTIFIER, Feature.ISSUER_LINKS),
            EnumSet.of(PublicKeyType.EC_P256, PublicKeyType.EC_P384));

    /** The parts a profile has or lacks, named (they were seven positional booleans). */
    enum Feature {
        /** The subject has an organizational unit (OU). */
        SUBJECT_HAS_OU,
        /** subjectKeyIdentifier. */
        SUBJECT_KEY_IDENTIFIER,
        /** authorityKeyIdentifier (the issuer's SKI). */
        AUTHORITY_KEY_IDENTIFIER,
        /** AIA caIssuers and CRL DP pointing at the issuer's published certificate and CRL. */
        ISSUER_LINKS,
        /** certificatePolicies. */
        POLICIES,
        /** id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1). */
        OCSP_NO_CHECK,
        /** privateKeyUsagePeriod (ICAO 9303-12). */
        PRIVATE_KEY_USAGE_PERIOD;

        /** No feature at all. */
        static Set<Feature> none() {
            return EnumSet.noneOf(Feature.class);
        }
    }

    /** Master list signer certificates: 3 years. */
    static final int MASTER_LIST_SIGNER_YEARS = 3;

    /** The longest a temporary ID certificate is valid, in days (issue 24; docs/profiles.md). */
    public static final int TEMPORARY_CERTIFICATE_MAX_DAYS = 30;

    /** Citizen certificates: 5 years (docs/profiles.md). */
    static final int CITIZEN_YEARS = 5;
    /** A renewal of a citizen key extends its certification to 8 years at most in all (docs/profiles.md). */
    static final int CITIZEN_RENEWAL_CAP_YEARS = 8;

    private final String profileName;
    private final int version;
    private final String caSlug;
    private final Integer pathLen;
    private final int keyUsage;
    private final List<KeyPurposeId> extendedKeyUsage;
    private final Set<Feature> features;
    private final Set<PublicKeyType> keyTypes;

    CertificateProfile(
            String profileName,
            int version,
            String caSlug,
            Integer pathLen,
            int keyUsage,
            List<KeyPurposeId> extendedKeyUsage,
            Set<Feature> features,
            Set<PublicKeyType> keyTypes) {
        this.profileName = profileName;
        this.version = version;
        this.caSlug = caSlug;
        this.pathLen = pathLen;
        this.keyUsage = keyUsage;
        this.extendedKeyUsage = extendedKeyUsage;
        this.features = features.isEmpty() ? EnumSet.noneOf(Feature.class) : EnumSet.copyOf(features);
        this.keyTypes = Set.copyOf(keyTypes);
    }

    /** The stable name, e.g. {@code citizen-root}. */
    public String profileName() {
        return profileName;
    }

    /** The profile version; bumped whenever what the profile issues changes. */
    public int version() {
        return version;
    }

    /** Name and version, e.g. {@code citizen-root/1}: what a certificate record stores. */
    public String id() {
        return profileName + "/" + version;
    }

    /** Whether the certificate is a CA certificate (basicConstraints cA TRUE). */
    public boolean isCertificateAuthority() {
        return pathLen != null;
    }

    /** Whether the certificate is self-signed (issuer = subject, signed by its own key). */
    public boolean isSelfSigned() {
        return this == CITIZEN_ROOT || this == CSCA;
    }

    /** Key types this profile certifies. */
    public Set<PublicKeyType> keyTypes() {
        return keyTypes;
    }

    /** Whether a CA of profile {@code issuer} may issue this profile (docs/profiles.md, "issuer" rows). */
    public boolean mayBeIssuedBy(CertificateProfile issuer) {
        return switch (this) {
            case CITIZEN_ROOT, CSCA -> false;
            case CITIZEN_CA, RA_OPERATORS_CA -> issuer == CITIZEN_ROOT;
            // RFC 6960 §4.2.2.2: the delegated signer is issued directly by the CA it answers for.
            case OCSP_SIGNER -> issuer == CITIZEN_CA || issuer == RA_OPERATORS_CA;
            case DOCUMENT_SIGNER, SEAL_SIGNER, CSCA_LINK, MASTER_LIST_SIGNER -> issuer == CSCA;
            case CITIZEN_SIGNATURE, CITIZEN_ENCRYPTION -> issuer == CITIZEN_CA;
            case OPERATOR, RA_TLS_SERVER -> issuer == RA_OPERATORS_CA;
        };
    }

    /** The path segment of a CA's published certificate and CRL ({@code citizen-root}, …). */
    String caSlug() {
        if (caSlug == null) {
            throw new IllegalArgumentException(id() + " is not a CA profile");
        }
        return caSlug;
    }

    /** basicConstraints pathLenConstraint, or null when basicConstraints is absent. */
    Integer pathLen() {
        return pathLen;
    }

    /**
     * The exact keyUsage bits (Bouncy Castle {@link KeyUsage} constants) for a subject key of type
     * {@code subjectKey}; always critical here. Only the encryption certificate depends on the key:
     * RSA encrypts keys (keyEncipherment), EC agrees on them (keyAgreement, RFC 5480 §3).
     */
    int keyUsage(PublicKeyType subjectKey) {
        if (this == CITIZEN_ENCRYPTION && subjectKey.isEc()) {
            return KeyUsage.keyAgreement;
        }
        return keyUsage;
    }

    /** extKeyUsage in order; the citizen signature certificate's comes from settings. */
    List<KeyPurposeId> extendedKeyUsage(ProfileSettings settings) {
        if (this == CITIZEN_SIGNATURE) {
            return settings.citizenSignatureExtendedKeyUsages().stream()
                    .map(oid -> KeyPurposeId.getInstance(new ASN1ObjectIdentifier(oid)))
                    .toList();
        }
        return extendedKeyUsage;
    }

    /** docs/profiles.md: the master list signer's extKeyUsage is critical; every other profile's is not. */
    boolean extendedKeyUsageCritical() {
        return this == MASTER_LIST_SIGNER;
    }

    /**
     * The validity of a certificate of this profile issued by {@code issuer} (null when
     * self-signed): {@link #validity(ProfileSettings, Instant, Instant)}, with a link certificate's
     * notAfter capped at its issuer's.
     */
    Validity validity(ProfileSettings settings, Instant notBefore, Instant firstIssuance, CaCertificate issuer) {
        Validity v = validity(settings, notBefore, firstIssuance);
        if (this == CSCA_LINK && issuer != null) {
            Instant cap = issuer.certificate().getNotAfter().toInstant();
            if (v.notAfter().isAfter(cap)) {
                return new Validity(v.notBefore(), cap, v.usageNotBefore(), v.usageNotAfter());
            }
        }
        return v;
    }

    /** Citizen signature or encryption certificate. */
    boolean isCitizen() {
        return this == CITIZEN_SIGNATURE || this == CITIZEN_ENCRYPTION;
    }

    /** Whether the profile is issued from RA registration data ({@link CertificateRequest.EndEntity}). */
    boolean needsRequestData() {
        return isCitizen() || this == OPERATOR || this == RA_TLS_SERVER;
    }

    /** AIA id-ad-ocsp (the online CA's responder) besides caIssuers. */
    boolean hasOcspUrl() {
        return isCitizen();
    }

    /** CRL DP names the certificate's own partition of the issuer's CRL. */
    boolean hasPartitionedCrl() {
        return isCitizen();
    }

    /** subjectDirectoryAttributes with the last four digits of the national ID. */
    boolean hasSubjectDirectoryAttributes() {
        return isCitizen();
    }

    /** subjectAltName from the request. */
    boolean hasSubjectAltName() {
        return this == RA_TLS_SERVER;
    }

    /**
     * The certificatePolicies OIDs, in order: the configured CA or citizen policies, or the one
     * role policy of an operator.
     */
    List<String> policyOids(ProfileSettings settings, CertificateRequest.EndEntity endEntity) {
        if (this == CITIZEN_CA) {
            return settings.citizenCaPolicies();
        }
        if (isCitizen()) {
            return settings.citizenPolicies();
        }
        if (this == OPERATOR && endEntity instanceof CertificateRequest.Operator o) {
            return List.of(settings.operatorRolePolicies().get(o.role()));
        }
        return List.of();
    }

    boolean subjectHasOu() {
        return features.contains(Feature.SUBJECT_HAS_OU);
    }

    boolean hasSubjectKeyIdentifier() {
        return features.contains(Feature.SUBJECT_KEY_IDENTIFIER);
    }

    boolean hasAuthorityKeyIdentifier() {
        return features.contains(Feature.AUTHORITY_KEY_IDENTIFIER);
    }

    /** AIA caIssuers → the issuer's certificate URL and CRL DP → the issuer's CRL URL. */
    boolean hasIssuerLinks() {
        return features.contains(Feature.ISSUER_LINKS);
    }

    boolean hasPolicies() {
        return features.contains(Feature.POLICIES);
    }

    boolean hasOcspNoCheck() {
        return features.contains(Feature.OCSP_NO_CHECK);
    }

    boolean hasPrivateKeyUsagePeriod() {
        return features.contains(Feature.PRIVATE_KEY_USAGE_PERIOD);
    }

    /**
     * The validity of a certificate of this profile whose notBefore is {@code notBefore}.
     * notAfter is one second before the end of the period because RFC 5280 §4.1.2.5 makes the
     * validity inclusive of both ends (as Boulder does).
     */
    Validity validity(ProfileSettings settings, Instant notBefore) {
        return validity(settings, notBefore, null);
    }

    /**
     * As {@link #validity(ProfileSettings, Instant)}, for a citizen key first certified at {@code
     * firstIssuance} (a renewal; null otherwise): 5 years, but never past 8 years after the first
     * issuance (docs/profiles.md: the natural-person certificate's extension, 8 years at most in all).
     */
    Validity validity(ProfileSettings settings, Instant notBefore, Instant firstIssuance) {
        return switch (this) {
            case CITIZEN_SIGNATURE, CITIZEN_ENCRYPTION -> {
                Instant end = plusYears(notBefore, CITIZEN_YEARS);
                if (firstIssuance != null) {
                    Instant cap = renewalCap(firstIssuance);
                    yield Validity.of(notBefore, cap.isBefore(end) ? cap : end, null);
                }
                yield Validity.of(notBefore, end, null);
            }
            case OPERATOR -> Validity.of(notBefore, notBefore.plus(settings.operatorValidity()), null);
            case RA_TLS_SERVER -> Validity.of(notBefore, notBefore.plus(settings.raTlsServerValidity()), null);
            case CITIZEN_ROOT -> Validity.of(notBefore, plusYears(notBefore, 25), null);
            case CITIZEN_CA -> Validity.of(notBefore, plusYears(notBefore, 15), null);
            case RA_OPERATORS_CA -> Validity.of(notBefore, plusYears(notBefore, 10), null);
            case OCSP_SIGNER -> Validity.of(notBefore, notBefore.plus(settings.ocspSignerValidity()), null);
            case DOCUMENT_SIGNER -> {
                // docs/profiles.md: validity = key usage period + card lifetime (a card signed on the last
                // day of the key usage period must verify for the whole life of the card).
                // Version 2: the card lifetime is added rounding up (a card signed on 29 February
                // expires on the 28th of a common year at the latest; version 1 ended the DS a day early).
                Instant usageEnd = notBefore.plus(settings.documentSignerKeyUsage());
                yield Validity.of(notBefore, plusYearsRoundingUp(usageEnd, settings.cardLifetimeYears()), usageEnd);
            }
            case SEAL_SIGNER -> {
                Instant usageEnd = notBefore.plus(settings.documentSignerKeyUsage());
                yield Validity.of(notBefore, usageEnd.plus(Duration.ofDays(TEMPORARY_CERTIFICATE_MAX_DAYS)), usageEnd);
            }
            case MASTER_LIST_SIGNER -> Validity.of(notBefore, plusYears(notBefore, MASTER_LIST_SIGNER_YEARS), null);
            case CSCA, CSCA_LINK -> {
                // docs/profiles.md: validity = key usage period + the longest Document Signer validity
                // (a DS certified on the last day of the CSCA's key usage period must stay verifiable).
                // Version 2: both additions of years round up, so that a DS certified at the last
                // instant of the key usage period nests on every date. Version 1 added the card lifetime
                // with the calendar's clamp of 29 February to the 28th, which ended the CSCA a day before
                // a DS certified a second earlier whenever usage end + DS key usage fell on a 29 February
                // (a CSCA issued 2026-12-01: DocumentSignerNestingPropertyTest).
                Instant usageEnd = plusYears(notBefore, settings.cscaKeyUsageYears());
                Instant longestDs = plusYearsRoundingUp(
                        usageEnd.plus(settings.documentSignerKeyUsage()), settings.cardLifetimeYears());
                yield Validity.of(notBefore, longestDs, usageEnd);
            }
        };
    }

    /** The exclusive end of a citizen key's certification: its first issuance (whole seconds) + 8 y. */
    static Instant renewalCap(Instant firstIssuance) {
        return plusYears(Asn1Times.seconds(firstIssuance), CITIZEN_RENEWAL_CAP_YEARS);
    }

    private static Instant plusYears(Instant t, int years) {
        return t.atOffset(ZoneOffset.UTC).plusYears(years).toInstant();
    }

    /**
     * {@code t} plus {@code years}, except that a 29 February the target year lacks becomes the
     * end of its 28 February (1 March 00:00:00) instead of the 28th at {@code t}'s time of day.
     * Unlike the calendar's own addition, this never maps a later instant before an earlier one, so
     * an end computed from the last instant of a period covers every instant before it.
     */
    static Instant plusYearsRoundingUp(Instant t, int years) {
        OffsetDateTime from = t.atOffset(ZoneOffset.UTC);
        OffsetDateTime to = from.plusYears(years);
        if (to.getDayOfMonth() != from.getDayOfMonth()) {
            return to.toLocalDate().plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        }
        return to.toInstant();
    }

    /**
     * notBefore..notAfter, both inclusive, and the private key usage period (ICAO 9303-12;
     * RFC 3280 §4.2.1.4) where the profile has one.
     */
    record Validity(Instant notBefore, Instant notAfter, Instant usageNotBefore, Instant usageNotAfter) {
        static Validity of(Instant notBefore, Instant endExclusive, Instant usageEndExclusive) {
            Duration second = Duration.ofSeconds(1);
            return new Validity(
                    notBefore,
                    endExclusive.minus(second),
                    usageEndExclusive == null ? null : notBefore,
                    usageEndExclusive == null ? null : usageEndExclusive.minus(second));
        }
    }
}
