package tw.eid.pki.ca.profile;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * The certificate profiles of PROFILES.md, one constant per certificate type, each with a stable
 * name and a version ({@link #id()}, e.g. {@code citizen-root/1}). A change to what a profile
 * issues is a new version, never an edit of a published one, so that a stored certificate can
 * always be traced to the rules it was issued under.
 *
 * <p>The rules are package-private: issuance and {@link ProfileLint} read them, callers name a
 * profile and nothing more. The citizen end-entity profiles (signature, encryption) and the
 * operator, link and master-list-signer profiles come with their issues; they add constants here
 * and, where they need request data (the CRL partition URL, subjectDirectoryAttributes), fields
 * on {@link CertificateRequest}.
 */
public enum CertificateProfile {

  /** Self-signed, 25 y, CA pathLen 1; KU keyCertSign+cRLSign; C=TW,O,CN; SKI only. */
  CITIZEN_ROOT("citizen-root", 1, "citizen-root", 1,
      KeyUsage.keyCertSign | KeyUsage.cRLSign, List.of(), false,
      true, false, false, false, false, false,
      EnumSet.of(PublicKeyType.EC_P384, PublicKeyType.RSA_4096)),

  /** Root-issued, 15 y, CA pathLen 0; C=TW,O,OU,CN; AKI+SKI; AIA caIssuers; CRL DP (root ARL); policies. */
  CITIZEN_CA("citizen-ca", 1, "citizen-ca", 0,
      KeyUsage.keyCertSign | KeyUsage.cRLSign, List.of(), true,
      true, true, true, true, false, false,
      EnumSet.of(PublicKeyType.EC_P384, PublicKeyType.RSA_4096)),

  /** Issued by an online CA, ≤ 90 d; P-256; KU digitalSignature; EKU OCSPSigning; ocsp-nocheck; AKI. */
  OCSP_SIGNER("ocsp-signer", 1, null, null,
      KeyUsage.digitalSignature, List.of(KeyPurposeId.id_kp_OCSPSigning), false,
      false, true, false, false, true, false,
      EnumSet.of(PublicKeyType.EC_P256)),

  /** Root-issued, 10 y, CA pathLen 0; P-384; C=TW,O,CN; AKI+SKI; AIA caIssuers; CRL DP (root ARL). */
  RA_OPERATORS_CA("ra-operators-ca", 1, "ra-operators-ca", 0,
      KeyUsage.keyCertSign | KeyUsage.cRLSign, List.of(), false,
      true, true, true, false, false, false,
      EnumSet.of(PublicKeyType.EC_P384)),

  /**
   * Self-signed ICAO country signing CA; CA pathLen 0; SKI; privateKeyUsagePeriod; validity =
   * key usage period + longest Document Signer validity. No AKI: PROFILES.md lists only SKI, RFC
   * 5280 §4.2.1.1 lets a self-signed certificate omit it and ICAO 9303-12 makes it optional for
   * a self-signed CSCA; the link certificates of a key rollover carry it.
   */
  CSCA("csca", 1, "csca", 0,
      KeyUsage.keyCertSign | KeyUsage.cRLSign, List.of(), false,
      true, false, false, false, false, true,
      EnumSet.of(PublicKeyType.EC_P384, PublicKeyType.EC_BRAINPOOL_P384R1)),

  /** CSCA-issued; KU digitalSignature; AKI; privateKeyUsagePeriod; validity = key usage + card lifetime. */
  DOCUMENT_SIGNER("document-signer", 1, null, null,
      KeyUsage.digitalSignature, List.of(), false,
      false, true, false, false, false, true,
      EnumSet.of(PublicKeyType.EC_P256, PublicKeyType.EC_P384));

  private final String profileName;
  private final int version;
  private final String caSlug;
  private final Integer pathLen;
  private final int keyUsage;
  private final List<KeyPurposeId> extendedKeyUsage;
  private final boolean subjectHasOu;
  private final boolean subjectKeyIdentifier;
  private final boolean authorityKeyIdentifier;
  private final boolean issuerLinks;
  private final boolean policies;
  private final boolean ocspNoCheck;
  private final boolean privateKeyUsagePeriod;
  private final Set<PublicKeyType> keyTypes;

  CertificateProfile(String profileName, int version, String caSlug, Integer pathLen, int keyUsage,
      List<KeyPurposeId> extendedKeyUsage, boolean subjectHasOu, boolean subjectKeyIdentifier,
      boolean authorityKeyIdentifier, boolean issuerLinks, boolean policies, boolean ocspNoCheck,
      boolean privateKeyUsagePeriod, Set<PublicKeyType> keyTypes) {
    this.profileName = profileName;
    this.version = version;
    this.caSlug = caSlug;
    this.pathLen = pathLen;
    this.keyUsage = keyUsage;
    this.extendedKeyUsage = extendedKeyUsage;
    this.subjectHasOu = subjectHasOu;
    this.subjectKeyIdentifier = subjectKeyIdentifier;
    this.authorityKeyIdentifier = authorityKeyIdentifier;
    this.issuerLinks = issuerLinks;
    this.policies = policies;
    this.ocspNoCheck = ocspNoCheck;
    this.privateKeyUsagePeriod = privateKeyUsagePeriod;
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

  /** Whether a CA of profile {@code issuer} may issue this profile (PROFILES.md, "issuer" rows). */
  public boolean mayBeIssuedBy(CertificateProfile issuer) {
    return switch (this) {
      case CITIZEN_ROOT, CSCA -> false;
      case CITIZEN_CA, RA_OPERATORS_CA -> issuer == CITIZEN_ROOT;
      // RFC 6960 §4.2.2.2: the delegated signer is issued directly by the CA it answers for.
      case OCSP_SIGNER -> issuer == CITIZEN_CA || issuer == RA_OPERATORS_CA;
      case DOCUMENT_SIGNER -> issuer == CSCA;
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

  /** The exact keyUsage bits (Bouncy Castle {@link KeyUsage} constants); always critical here. */
  int keyUsage() {
    return keyUsage;
  }

  List<KeyPurposeId> extendedKeyUsage() {
    return extendedKeyUsage;
  }

  boolean subjectHasOu() {
    return subjectHasOu;
  }

  boolean hasSubjectKeyIdentifier() {
    return subjectKeyIdentifier;
  }

  boolean hasAuthorityKeyIdentifier() {
    return authorityKeyIdentifier;
  }

  /** AIA caIssuers → the issuer's certificate URL and CRL DP → the issuer's CRL URL. */
  boolean hasIssuerLinks() {
    return issuerLinks;
  }

  boolean hasPolicies() {
    return policies;
  }

  boolean hasOcspNoCheck() {
    return ocspNoCheck;
  }

  boolean hasPrivateKeyUsagePeriod() {
    return privateKeyUsagePeriod;
  }

  /**
   * The validity of a certificate of this profile whose notBefore is {@code notBefore}.
   * notAfter is one second before the end of the period because RFC 5280 §4.1.2.5 makes the
   * validity inclusive of both ends (as Boulder does).
   */
  Validity validity(ProfileSettings settings, Instant notBefore) {
    return switch (this) {
      case CITIZEN_ROOT -> Validity.of(notBefore, plusYears(notBefore, 25), null);
      case CITIZEN_CA -> Validity.of(notBefore, plusYears(notBefore, 15), null);
      case RA_OPERATORS_CA -> Validity.of(notBefore, plusYears(notBefore, 10), null);
      case OCSP_SIGNER -> Validity.of(notBefore, notBefore.plus(settings.ocspSignerValidity()), null);
      case DOCUMENT_SIGNER -> {
        // PROFILES.md: validity = key usage period + card lifetime (a card signed on the last
        // day of the key usage period must verify for the whole life of the card).
        Instant usageEnd = notBefore.plus(settings.documentSignerKeyUsage());
        yield Validity.of(notBefore, plusYears(usageEnd, settings.cardLifetimeYears()), usageEnd);
      }
      case CSCA -> {
        // PROFILES.md: validity = key usage period + the longest Document Signer validity
        // (a DS certified on the last day of the CSCA's key usage period must stay verifiable).
        Instant usageEnd = plusYears(notBefore, settings.cscaKeyUsageYears());
        Instant longestDs = plusYears(usageEnd.plus(settings.documentSignerKeyUsage()), settings.cardLifetimeYears());
        yield Validity.of(notBefore, longestDs, usageEnd);
      }
    };
  }

  private static Instant plusYears(Instant t, int years) {
    return t.atOffset(ZoneOffset.UTC).plusYears(years).toInstant();
  }

  /**
   * notBefore..notAfter, both inclusive, and the private key usage period (ICAO 9303-12;
   * RFC 3280 §4.2.1.4) where the profile has one.
   */
  record Validity(Instant notBefore, Instant notAfter, Instant usageNotBefore, Instant usageNotAfter) {
    static Validity of(Instant notBefore, Instant endExclusive, Instant usageEndExclusive) {
      Duration second = Duration.ofSeconds(1);
      return new Validity(notBefore, endExclusive.minus(second),
          usageEndExclusive == null ? null : notBefore,
          usageEndExclusive == null ? null : usageEndExclusive.minus(second));
    }
  }
}
