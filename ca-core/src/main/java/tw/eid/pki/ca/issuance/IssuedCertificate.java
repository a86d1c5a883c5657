package tw.eid.pki.ca.issuance;

import org.bouncycastle.cert.X509CertificateHolder;

/**
 * A certificate as the RA returns it: stored whole and committed before it is handed out.
 *
 * @param replay true when an Idempotency-Key returned an earlier issuance
 */
public record IssuedCertificate(
        String caName, String serialHex, X509CertificateHolder certificate, int crlPartition, boolean replay) {}
