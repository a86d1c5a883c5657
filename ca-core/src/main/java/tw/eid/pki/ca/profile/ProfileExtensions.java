package tw.eid.pki.ca.profile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.PolicyInformation;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/** The extensions a profile puts into a certificate; {@link ProfileLint} checks the same rows. */
final class ProfileExtensions {

  /** privateKeyUsagePeriod (RFC 3280 §4.2.1.4; ICAO 9303-12 for CSCA and Document Signer). */
  static final ASN1ObjectIdentifier PRIVATE_KEY_USAGE_PERIOD = Extension.privateKeyUsagePeriod;

  private ProfileExtensions() {}

  static Extensions build(CertificateProfile profile, ProfileSettings settings, SubjectPublicKeyInfo subjectKey,
      CaCertificate issuer, CertificateProfile.Validity validity) {
    try {
      ExtensionsGenerator g = new ExtensionsGenerator();
      if (profile.pathLen() != null) {
        // RFC 5280 §4.2.1.9: MUST be critical in CA certificates that sign certificates.
        g.addExtension(Extension.basicConstraints, true, new BasicConstraints(profile.pathLen()));
      }
      // RFC 5280 §4.2.1.3: SHOULD be critical; PROFILES.md makes it critical everywhere.
      g.addExtension(Extension.keyUsage, true, new KeyUsage(profile.keyUsage()));
      if (!profile.extendedKeyUsage().isEmpty()) {
        g.addExtension(Extension.extendedKeyUsage, false,
            new ExtendedKeyUsage(profile.extendedKeyUsage().toArray(KeyPurposeId[]::new)));
      }
      if (profile.hasSubjectKeyIdentifier()) {
        g.addExtension(Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdentifier(subjectKey)));
      }
      if (profile.hasAuthorityKeyIdentifier()) {
        // RFC 5280 §4.2.1.1: keyIdentifier only, equal to the issuer's SKI; non-critical.
        g.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(issuer.keyIdentifier()));
      }
      if (profile.hasPolicies()) {
        // RFC 5280 §4.2.1.4: policy OIDs only, no qualifiers; non-critical.
        PolicyInformation[] policies = settings.citizenCaPolicies().stream()
            .map(oid -> new PolicyInformation(new ASN1ObjectIdentifier(oid)))
            .toArray(PolicyInformation[]::new);
        g.addExtension(Extension.certificatePolicies, false, new CertificatePolicies(policies));
      }
      if (profile.hasIssuerLinks()) {
        // RFC 5280 §4.2.2.1: AIA MUST be non-critical; caIssuers names the issuer's certificate.
        g.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(
            AccessDescription.id_ad_caIssuers, uri(settings.caCertificateUrl(issuer.profile()).toString())));
        // RFC 5280 §4.2.1.13: SHOULD be non-critical; one distribution point, fullName only.
        g.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[] {
            new DistributionPoint(new DistributionPointName(new GeneralNames(
                uri(settings.crlUrl(issuer.profile()).toString()))), null, null)}));
      }
      if (profile.hasPrivateKeyUsagePeriod()) {
        // RFC 3280 §4.2.1.4: MUST NOT be critical.
        g.addExtension(PRIVATE_KEY_USAGE_PERIOD, false,
            privateKeyUsagePeriod(validity.usageNotBefore(), validity.usageNotAfter()));
      }
      if (profile.hasOcspNoCheck()) {
        // RFC 6960 §4.2.2.2.1: id-pkix-ocsp-nocheck, value NULL, non-critical.
        g.addExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck, false, DERNull.INSTANCE);
      }
      return g.generate();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** PrivateKeyUsagePeriod ::= SEQUENCE { notBefore [0] GeneralizedTime, notAfter [1] GeneralizedTime } (implicit tags). */
  static ASN1Encodable privateKeyUsagePeriod(java.time.Instant notBefore, java.time.Instant notAfter) {
    return new DERSequence(new ASN1Encodable[] {
        new DERTaggedObject(false, 0, Asn1Times.generalized(notBefore)),
        new DERTaggedObject(false, 1, Asn1Times.generalized(notAfter))});
  }

  /** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value. */
  static byte[] keyIdentifier(SubjectPublicKeyInfo key) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(key.getPublicKeyData().getBytes());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is a required JCA algorithm", e);
    }
  }

  private static GeneralName uri(String url) {
    return new GeneralName(GeneralName.uniformResourceIdentifier, url);
  }
}
