package tw.eid.pki.ca.profile;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
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
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.PolicyInformation;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * Checks a certificate against every row of its profile in PROFILES.md (and the RFC 5280 rules
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
    return check(profile, candidate, null);
  }

  /** Findings for {@code candidate}, issued under {@code profile} by {@code issuer}; empty when it fits. */
  public List<LintFinding> check(CertificateProfile profile, X509CertificateHolder candidate, CaCertificate issuer) {
    Objects.requireNonNull(profile, "profile");
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
        f.add("issuer-profile", profile.id() + " may not be issued by " + issuer.profile().id());
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
    SubjectPublicKeyInfo issuerKey = issuer == null ? candidate.getSubjectPublicKeyInfo()
        : issuer.certificate().getSubjectPublicKeyInfo();
    checkSignatureAlgorithm(cert, issuerKey, f);
    checkIssuerName(candidate, jdk, issuer, f);

    if (tbs.getIssuerUniqueId() != null || tbs.getSubjectUniqueId() != null) {
      // RFC 5280 §4.1.2.8: conforming CAs MUST NOT generate unique identifiers.
      f.add("unique-identifiers", "issuerUniqueID or subjectUniqueID present");
    }

    CertificateProfile.Validity validity = checkValidity(profile, tbs.getStartDate(), tbs.getEndDate(), issuer, f);
    checkSubject(profile, candidate.getSubject(), issuer, f);
    checkKey(profile, candidate.getSubjectPublicKeyInfo(), issuerKey, issuer != null, f);
    checkExtensions(profile, candidate, issuer, validity, f);
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
    // RFC 5280 §4.1.2.2: positive, at most 20 octets; PROFILES.md: at least 64 bits from a CSPRNG.
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
      if (!SignatureAlgorithms.forIssuer(issuerKey).equals(cert.getTBSCertificate().getSignature())) {
        f.add("signature-algorithm", "signature algorithm " + cert.getTBSCertificate().getSignature().getAlgorithm()
            + " does not match the issuer key (expected "
            + SignatureAlgorithms.forIssuer(issuerKey).getAlgorithm() + ")");
      }
    } catch (IllegalArgumentException e) {
      f.add("signature-algorithm", "issuer key not usable: " + e.getMessage());
    }
  }

  private static void checkIssuerName(X509CertificateHolder candidate, X509Certificate jdk, CaCertificate issuer,
      Findings f) {
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
      f.add("issuer-name", "issuer name is not byte-identical to the "
          + (issuer == null ? "certificate's own subject" : "issuer certificate's subject"));
    }
  }

  /** The subject exactly as encoded in the certificate (Java keeps the original bytes). */
  static byte[] rawSubject(X509CertificateHolder cert) {
    try {
      return ((X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(cert.getEncoded()))).getSubjectX500Principal().getEncoded();
    } catch (CertificateException | IOException | RuntimeException e) {
      return der(cert.getSubject());
    }
  }

  private CertificateProfile.Validity checkValidity(CertificateProfile profile, Time start, Time end,
      CaCertificate issuer, Findings f) {
    for (Time t : List.of(start, end)) {
      String problem = Asn1Times.problem(t);
      if (problem != null) {
        f.add("validity-encoding", problem);
      }
    }
    Instant notBefore = start.getDate().toInstant();
    Instant notAfter = end.getDate().toInstant();
    CertificateProfile.Validity expected = profile.validity(settings, notBefore);
    if (!expected.notAfter().equals(notAfter)) {
      f.add("validity-period", "notAfter " + notAfter + " is not " + expected.notAfter() + " (" + profile.id()
          + " from notBefore " + notBefore + ")");
    }
    if (issuer != null) {
      Instant issuerNotBefore = issuer.certificate().getNotBefore().toInstant();
      Instant issuerNotAfter = issuer.certificate().getNotAfter().toInstant();
      if (notBefore.isBefore(issuerNotBefore) || notAfter.isAfter(issuerNotAfter)) {
        f.add("validity-nesting", "validity " + notBefore + ".." + notAfter + " is outside the issuer's "
            + issuerNotBefore + ".." + issuerNotAfter);
      }
      Extension pkup = issuer.certificate().getExtension(ProfileExtensions.PRIVATE_KEY_USAGE_PERIOD);
      if (pkup != null) {
        // ICAO 9303-12: a CSCA signs only within its private key usage period.
        Instant[] period = usagePeriod(pkup);
        if (period != null && (notBefore.isBefore(period[0]) || notBefore.isAfter(period[1]))) {
          f.add("issuer-key-usage-period", "issued at " + notBefore + ", outside the issuer's private key usage period "
              + period[0] + ".." + period[1]);
        }
      }
    }
    return expected;
  }

  private void checkSubject(CertificateProfile profile, X500Name subject, CaCertificate issuer, Findings f) {
    PkiNames names = settings.names();
    X500Name expected = switch (profile) {
      case OCSP_SIGNER -> issuer == null ? null : names.ocspResponder(issuer.profile());
      case DOCUMENT_SIGNER -> {
        String cn = commonName(subject);
        Matcher m = cn == null ? null : DOCUMENT_SIGNER_NUMBER.matcher(cn);
        yield m != null && m.find() && Integer.parseInt(m.group(1)) > 0
            ? names.documentSigner(Integer.parseInt(m.group(1))) : null;
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
      f.add("subject", "subject " + subject + " is not " + expected + " (or not encoded as PROFILES.md says)");
    }
    if (profile.subjectHasOu() != (subject.getRDNs(org.bouncycastle.asn1.x500.style.BCStyle.OU).length > 0)) {
      f.add("subject", "OU " + (profile.subjectHasOu() ? "missing" : "not allowed"));
    }
  }

  private static String commonName(X500Name name) {
    var rdns = name.getRDNs(org.bouncycastle.asn1.x500.style.BCStyle.CN);
    if (rdns.length != 1 || !(rdns[0].getFirst().getValue() instanceof DERUTF8String s)) {
      return null;
    }
    return s.getString();
  }

  private static void checkKey(CertificateProfile profile, SubjectPublicKeyInfo key, SubjectPublicKeyInfo issuerKey,
      boolean hasIssuer, Findings f) {
    try {
      PublicKeyType type = PublicKeyType.of(key);
      if (!profile.keyTypes().contains(type)) {
        f.add("key-type", type + " is not allowed for " + profile.id() + " (allowed: " + profile.keyTypes() + ")");
      }
    } catch (IllegalArgumentException e) {
      f.add("key-type", e.getMessage());
    }
    if (hasIssuer && Arrays.equals(der(key), der(issuerKey))) {
      f.add("key-reuse", "the subject key is the issuer's own key");
    }
  }

  private void checkExtensions(CertificateProfile profile, X509CertificateHolder candidate, CaCertificate issuer,
      CertificateProfile.Validity validity, Findings f) {
    Extensions exts = candidate.getExtensions();
    Set<ASN1ObjectIdentifier> expected = new LinkedHashSet<>();
    expected.add(Extension.keyUsage);
    if (profile.pathLen() != null) {
      expected.add(Extension.basicConstraints);
    }
    if (!profile.extendedKeyUsage().isEmpty()) {
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
      checkKeyUsage(profile, profiled.getExtension(Extension.keyUsage), f);
      checkExtendedKeyUsage(profile, profiled.getExtension(Extension.extendedKeyUsage), f);
      checkKeyIdentifiers(candidate, issuer, profiled, f);
      checkPolicies(profiled.getExtension(Extension.certificatePolicies), f);
      if (issuer != null) {
        checkIssuerLinks(issuer, profiled, f);
      }
      checkUsagePeriod(profiled.getExtension(ProfileExtensions.PRIVATE_KEY_USAGE_PERIOD), validity,
          candidate.getNotAfter().toInstant(), f);
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

  private static void checkKeyUsage(CertificateProfile profile, Extension ext, Findings f) {
    if (ext == null) {
      return;
    }
    if (!ext.isCritical()) {
      f.add("key-usage", "keyUsage is not critical");
    }
    org.bouncycastle.asn1.ASN1BitString bits = org.bouncycastle.asn1.ASN1BitString.getInstance(ext.getParsedValue());
    int actual = bits.intValue();
    if (actual != profile.keyUsage()) {
      f.add("key-usage", "keyUsage bits " + Integer.toBinaryString(actual) + " are not "
          + Integer.toBinaryString(profile.keyUsage()));
    }
    // X.690 §11.2.2: a named bit list in DER has no trailing zero bits.
    if (!Arrays.equals(der(new KeyUsage(actual)), der(bits))) {
      f.add("key-usage", "keyUsage is not minimally DER-encoded");
    }
  }

  private static void checkExtendedKeyUsage(CertificateProfile profile, Extension ext, Findings f) {
    if (ext == null) {
      return;
    }
    KeyPurposeId[] usages = ExtendedKeyUsage.getInstance(ext.getParsedValue()).getUsages();
    if (!Arrays.asList(usages).equals(profile.extendedKeyUsage())) {
      f.add("extended-key-usage", "extKeyUsage " + Arrays.toString(usages) + " is not " + profile.extendedKeyUsage());
    }
  }

  private static void checkKeyIdentifiers(X509CertificateHolder candidate, CaCertificate issuer, Extensions exts,
      Findings f) {
    Extension ski = exts.getExtension(Extension.subjectKeyIdentifier);
    if (ski != null) {
      // RFC 5280 §4.2.1.2: MUST be non-critical; we use method (1).
      if (ski.isCritical()) {
        f.add("subject-key-identifier", "subjectKeyIdentifier is critical");
      }
      byte[] id = SubjectKeyIdentifier.getInstance(ski.getParsedValue()).getKeyIdentifier();
      if (!Arrays.equals(id, ProfileExtensions.keyIdentifier(candidate.getSubjectPublicKeyInfo()))) {
        f.add("subject-key-identifier", "subjectKeyIdentifier is not the SHA-1 of the subject key (RFC 5280 §4.2.1.2 (1))");
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
        f.add("authority-key-identifier", "authorityKeyIdentifier carries issuer and serial; keyIdentifier only");
      }
      if (issuer != null && !Arrays.equals(value.getKeyIdentifierOctets(), issuer.keyIdentifier())) {
        f.add("authority-key-identifier", "authorityKeyIdentifier is not the issuer's subjectKeyIdentifier");
      }
    }
  }

  private void checkPolicies(Extension ext, Findings f) {
    if (ext == null) {
      return;
    }
    if (ext.isCritical()) {
      f.add("certificate-policies", "certificatePolicies is critical");
    }
    List<String> oids = new ArrayList<>();
    for (PolicyInformation p : CertificatePolicies.getInstance(ext.getParsedValue()).getPolicyInformation()) {
      oids.add(p.getPolicyIdentifier().getId());
      if (p.getPolicyQualifiers() != null) {
        f.add("certificate-policies", "policy " + p.getPolicyIdentifier() + " has qualifiers");
      }
    }
    if (!oids.equals(settings.citizenCaPolicies())) {
      f.add("certificate-policies", "policies " + oids + " are not the configured " + settings.citizenCaPolicies());
    }
  }

  private void checkIssuerLinks(CaCertificate issuer, Extensions exts, Findings f) {
    Extension aia = exts.getExtension(Extension.authorityInfoAccess);
    if (aia != null) {
      if (aia.isCritical()) {
        f.add("authority-info-access", "authorityInfoAccess is critical (RFC 5280 §4.2.2.1)");
      }
      AccessDescription[] ads = AuthorityInformationAccess.getInstance(aia.getParsedValue()).getAccessDescriptions();
      String want = settings.caCertificateUrl(issuer.profile()).toString();
      if (ads.length != 1 || !AccessDescription.id_ad_caIssuers.equals(ads[0].getAccessMethod())
          || !want.equals(uri(ads[0].getAccessLocation()))) {
        f.add("authority-info-access", "authorityInfoAccess is not exactly caIssuers " + want);
      }
    }
    Extension crldp = exts.getExtension(Extension.cRLDistributionPoints);
    if (crldp != null) {
      if (crldp.isCritical()) {
        f.add("crl-distribution-points", "cRLDistributionPoints is critical");
      }
      DistributionPoint[] dps = CRLDistPoint.getInstance(crldp.getParsedValue()).getDistributionPoints();
      String want = settings.crlUrl(issuer.profile()).toString();
      boolean ok = dps.length == 1 && dps[0].getReasons() == null && dps[0].getCRLIssuer() == null
          && dps[0].getDistributionPoint() != null
          && dps[0].getDistributionPoint().getType() == org.bouncycastle.asn1.x509.DistributionPointName.FULL_NAME;
      if (ok) {
        GeneralName[] names = org.bouncycastle.asn1.x509.GeneralNames.getInstance(
            dps[0].getDistributionPoint().getName()).getNames();
        ok = names.length == 1 && want.equals(uri(names[0]));
      }
      if (!ok) {
        f.add("crl-distribution-points", "cRLDistributionPoints is not exactly one fullName " + want);
      }
    }
  }

  private static String uri(GeneralName name) {
    return name.getTagNo() == GeneralName.uniformResourceIdentifier ? name.getName().toString() : null;
  }

  private static void checkUsagePeriod(Extension ext, CertificateProfile.Validity validity, Instant notAfter,
      Findings f) {
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
        f.add("private-key-usage-period", "privateKeyUsagePeriod element " + i + " has tag " + tagged.getTagNo());
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
      f.add("private-key-usage-period", "privateKeyUsagePeriod " + period[0] + ".." + period[1] + " is not "
          + validity.usageNotBefore() + ".." + validity.usageNotAfter());
    }
    if (period[1].isAfter(notAfter)) {
      f.add("private-key-usage-period", "privateKeyUsagePeriod ends after the certificate");
    }
  }

  /** notBefore and notAfter of a privateKeyUsagePeriod extension, or null when it does not parse. */
  static Instant[] usagePeriod(Extension ext) {
    try {
      org.bouncycastle.asn1.x509.PrivateKeyUsagePeriod p =
          org.bouncycastle.asn1.x509.PrivateKeyUsagePeriod.getInstance(ext.getParsedValue());
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

  static byte[] der(org.bouncycastle.asn1.ASN1Encodable value) {
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
