package tw.eid.pki.ca.profile;

import java.util.Objects;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * An issuing CA: its certificate and the profile it was issued under. The certificate supplies
 * the issuer name (copied byte for byte into what it signs), the key for AKI and for checking
 * signatures, and the validity that what it issues must fit in.
 */
public record CaCertificate(CertificateProfile profile, X509CertificateHolder certificate) {

    public CaCertificate {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(certificate, "certificate");
        if (!profile.isCertificateAuthority()) {
            throw new IllegalArgumentException(profile.id() + " is not a CA profile");
        }
        BasicConstraints bc = BasicConstraints.fromExtensions(certificate.getExtensions());
        if (bc == null || !bc.isCA()) {
            throw new IllegalArgumentException("the " + profile.id() + " certificate is not a CA certificate");
        }
        if (certificate.getExtension(Extension.subjectKeyIdentifier) == null) {
            throw new IllegalArgumentException("the " + profile.id() + " certificate has no subjectKeyIdentifier");
        }
    }

    /** The CA's SKI, which becomes the AKI keyIdentifier of what it signs (RFC 5280 §4.2.1.1). */
    byte[] keyIdentifier() {
        return SubjectKeyIdentifier.fromExtensions(certificate.getExtensions()).getKeyIdentifier();
    }
}
