package tw.eid.pki.ca.profile;

import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * What to certify: a profile, the subject (built by {@link PkiNames}, never copied from a CSR)
 * and the subject's public key as it came from the token or the verified CSR.
 */
public record CertificateRequest(CertificateProfile profile, X500Name subject, SubjectPublicKeyInfo subjectPublicKey) {

  public CertificateRequest {
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(subjectPublicKey, "subjectPublicKey");
    PublicKeyType type = PublicKeyType.of(subjectPublicKey);
    if (!profile.keyTypes().contains(type)) {
      throw new IllegalArgumentException(profile.id() + " does not certify " + type + " keys (allowed: "
          + profile.keyTypes() + ")");
    }
    if (subject.getRDNs().length == 0) {
      throw new IllegalArgumentException("empty subject");
    }
  }
}
