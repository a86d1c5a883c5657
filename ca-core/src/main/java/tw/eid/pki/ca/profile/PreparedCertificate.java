package tw.eid.pki.ca.profile;

import java.math.BigInteger;
import java.time.Instant;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.asn1.x509.V3TBSCertificateGenerator;

/**
 * A to-be-signed certificate that passed its profile lint, waiting for the real signature
 * (Boulder's issuance.Prepare). Callers store {@link #serialNumber()} and {@link
 * #tbsCertificate()} before signing (docs/architecture.md, two-phase issuance); {@link
 * CertificateIssuance#issue} then signs exactly these bytes.
 */
public final class PreparedCertificate {

    private final CertificateProfile profile;
    private final CaCertificate issuer;
    private final BigInteger serialNumber;
    private final X500Name issuerName;
    private final X500Name subject;
    private final CertificateProfile.Validity validity;
    private final SubjectPublicKeyInfo subjectPublicKey;
    private final SubjectPublicKeyInfo issuerPublicKey;
    private final Extensions extensions;
    private final byte[] lintedTbs;

    PreparedCertificate(
            CertificateProfile profile,
            CaCertificate issuer,
            BigInteger serialNumber,
            X500Name issuerName,
            X500Name subject,
            CertificateProfile.Validity validity,
            SubjectPublicKeyInfo subjectPublicKey,
            SubjectPublicKeyInfo issuerPublicKey,
            Extensions extensions,
            AlgorithmIdentifier signatureAlgorithm) {
        this.profile = profile;
        this.issuer = issuer;
        this.serialNumber = serialNumber;
        this.issuerName = issuerName;
        this.subject = subject;
        this.validity = validity;
        this.subjectPublicKey = subjectPublicKey;
        this.issuerPublicKey = issuerPublicKey;
        this.extensions = extensions;
        this.lintedTbs = ProfileLint.der(tbs(signatureAlgorithm));
    }

    public CertificateProfile profile() {
        return profile;
    }

    public BigInteger serialNumber() {
        return serialNumber;
    }

    public Instant notBefore() {
        return validity.notBefore();
    }

    public Instant notAfter() {
        return validity.notAfter();
    }

    /** The DER of the linted TBSCertificate; the issued certificate's TBS is exactly these bytes. */
    public byte[] tbsCertificate() {
        return lintedTbs.clone();
    }

    byte[] lintedTbs() {
        return lintedTbs;
    }

    CaCertificate issuer() {
        return issuer;
    }

    SubjectPublicKeyInfo issuerPublicKey() {
        return issuerPublicKey;
    }

    /** The TBS with {@code signatureAlgorithm} in its signature field (RFC 5280 §4.1.2.3), everything else fixed. */
    TBSCertificate tbs(AlgorithmIdentifier signatureAlgorithm) {
        V3TBSCertificateGenerator g = new V3TBSCertificateGenerator();
        g.setSerialNumber(new ASN1Integer(serialNumber));
        g.setSignature(signatureAlgorithm);
        g.setIssuer(issuerName);
        g.setStartDate(Asn1Times.time(validity.notBefore()));
        g.setEndDate(Asn1Times.time(validity.notAfter()));
        g.setSubject(subject);
        g.setSubjectPublicKeyInfo(subjectPublicKey);
        g.setExtensions(extensions);
        return g.generateTBSCertificate();
    }
}
