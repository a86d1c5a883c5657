package tw.eid.pki.ca.profile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
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

    /**
     * Attribute type of the last four digits of the national ID number in subjectDirectoryAttributes
     * (docs/profiles.md, as the natural-person certificate carries it).
     */
    static final ASN1ObjectIdentifier NATIONAL_ID_LAST4 = new ASN1ObjectIdentifier("2.16.886.1.100.2.51");

    static Extensions build(
            CertificateRequest request,
            ProfileSettings settings,
            CaCertificate issuer,
            CertificateProfile.Validity validity) {
        CertificateProfile profile = request.profile();
        SubjectPublicKeyInfo subjectKey = request.subjectPublicKey();
        try {
            ExtensionsGenerator g = new ExtensionsGenerator();
            if (profile.pathLen() != null) {
                // RFC 5280 §4.2.1.9: MUST be critical in CA certificates that sign certificates.
                g.addExtension(Extension.basicConstraints, true, new BasicConstraints(profile.pathLen()));
            }
            // RFC 5280 §4.2.1.3: SHOULD be critical; docs/profiles.md makes it critical everywhere.
            g.addExtension(Extension.keyUsage, true, new KeyUsage(profile.keyUsage(PublicKeyType.of(subjectKey))));
            List<KeyPurposeId> eku = profile.extendedKeyUsage(settings);
            if (!eku.isEmpty()) {
                // RFC 5280 §4.2.1.12: non-critical, so software that does not know a purpose still works;
                // except the master list signer's, which docs/profiles.md (after ICAO 9303-12) makes critical.
                g.addExtension(
                        Extension.extendedKeyUsage,
                        profile.extendedKeyUsageCritical(),
                        new ExtendedKeyUsage(eku.toArray(KeyPurposeId[]::new)));
            }
            if (profile.hasSubjectKeyIdentifier()) {
                g.addExtension(
                        Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdentifier(subjectKey)));
            }
            if (profile.hasAuthorityKeyIdentifier()) {
                // RFC 5280 §4.2.1.1: keyIdentifier only, equal to the issuer's SKI; non-critical.
                g.addExtension(
                        Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(issuer.keyIdentifier()));
            }
            if (profile.hasPolicies()) {
                // RFC 5280 §4.2.1.4: policy OIDs only, no qualifiers; non-critical.
                PolicyInformation[] policies = profile.policyOids(settings, request.endEntity()).stream()
                        .map(oid -> new PolicyInformation(new ASN1ObjectIdentifier(oid)))
                        .toArray(PolicyInformation[]::new);
                g.addExtension(Extension.certificatePolicies, false, new CertificatePolicies(policies));
            }
            if (profile.hasIssuerLinks()) {
                // RFC 5280 §4.2.2.1: AIA MUST be non-critical; caIssuers names the issuer's certificate,
                // id-ad-ocsp the responder that speaks for it (citizen certificates).
                List<AccessDescription> access = new ArrayList<>();
                if (profile.hasOcspUrl()) {
                    access.add(new AccessDescription(
                            AccessDescription.id_ad_ocsp, uri(settings.ocspUrl().toString())));
                }
                access.add(new AccessDescription(
                        AccessDescription.id_ad_caIssuers,
                        uri(settings.caCertificateUrl(issuer.profile()).toString())));
                g.addExtension(
                        Extension.authorityInfoAccess,
                        false,
                        new AuthorityInformationAccess(access.toArray(AccessDescription[]::new)));
                // RFC 5280 §4.2.1.13: SHOULD be non-critical; one distribution point, fullName only. A
                // citizen certificate names its own partition, which the partition's CRL repeats in its
                // issuingDistributionPoint (docs/profiles.md, CRLs).
                String crl = profile.hasPartitionedCrl() && request.endEntity() instanceof CertificateRequest.Citizen c
                        ? settings.crlPartitionUrl(issuer.profile(), c.crlPartition())
                                .toString()
                        : settings.crlUrl(issuer.profile()).toString();
                g.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[] {
                    new DistributionPoint(new DistributionPointName(new GeneralNames(uri(crl))), null, null)
                }));
            }
            if (profile.hasSubjectAltName() && request.endEntity() instanceof CertificateRequest.RaTlsServer server) {
                // RFC 5280 §4.2.1.6: non-critical, because the subject is not empty.
                g.addExtension(Extension.subjectAlternativeName, false, subjectAltName(server));
            }
            if (profile.hasSubjectDirectoryAttributes()
                    && request.endEntity() instanceof CertificateRequest.Citizen c) {
                // RFC 5280 §4.2.1.8: MUST be non-critical.
                g.addExtension(Extension.subjectDirectoryAttributes, false, nationalIdLast4(c.nationalIdLast4()));
            }
            if (profile.hasPrivateKeyUsagePeriod()) {
                // RFC 3280 §4.2.1.4: MUST NOT be critical.
                g.addExtension(
                        PRIVATE_KEY_USAGE_PERIOD,
                        false,
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

    /**
     * SubjectDirectoryAttributes ::= SEQUENCE SIZE (1..MAX) OF Attribute, one Attribute ::= SEQUENCE
     * { type 2.16.886.1.100.2.51, values SET { PrintableString "dddd" } } (RFC 5280 §4.2.1.8,
     * X.501). The value is a PrintableString: four ASCII digits are PrintableString characters, the
     * type X.520 gives its own number-like attributes (serialNumber), and one a relying party can
     * read with any ASN.1 parser; a UTF8String would carry the same bytes with a tag that suggests
     * free text.
     */
    static ASN1Encodable nationalIdLast4(String last4) {
        return new DERSequence(new DERSequence(
                new ASN1Encodable[] {NATIONAL_ID_LAST4, new DERSet(new DERPrintableString(last4, true))}));
    }

    /** dNSName for host names, iPAddress (4 or 16 octets, RFC 5280 §4.2.1.6) for IP literals, in request order. */
    static GeneralNames subjectAltName(CertificateRequest.RaTlsServer server) {
        return new GeneralNames(server.hostNames().stream()
                .map(h -> CertificateRequest.RaTlsServer.isIpLiteral(h)
                        ? new GeneralName(
                                GeneralName.iPAddress, new DEROctetString(CertificateRequest.RaTlsServer.address(h)))
                        : new GeneralName(GeneralName.dNSName, new DERIA5String(h, true)))
                .toArray(GeneralName[]::new));
    }

    /** PrivateKeyUsagePeriod ::= SEQUENCE { notBefore [0] GeneralizedTime, notAfter [1] GeneralizedTime } (implicit tags). */
    static ASN1Encodable privateKeyUsagePeriod(Instant notBefore, Instant notAfter) {
        return new DERSequence(new ASN1Encodable[] {
            new DERTaggedObject(false, 0, Asn1Times.generalized(notBefore)),
            new DERTaggedObject(false, 1, Asn1Times.generalized(notAfter))
        });
    }

    /** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value. */
    static byte[] keyIdentifier(SubjectPublicKeyInfo key) {
        try {
            return MessageDigest.getInstance("SHA-1")
                    .digest(key.getPublicKeyData().getBytes());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is a required JCA algorithm", e);
        }
    }

    private static GeneralName uri(String url) {
        return new GeneralName(GeneralName.uniformResourceIdentifier, url);
    }
}
