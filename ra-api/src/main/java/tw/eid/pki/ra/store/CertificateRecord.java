package tw.eid.pki.ra.store;

import java.time.Instant;
import tw.eid.pki.ca.store.CertificateStatus;

/**
 * A certificate row as the RA shows it. Only certificates stored whole ({@code der} present) are
 * ever read here: a serial whose final write never landed is not a certificate to show.
 *
 * @param revocationReason the CRLReason code, or null when good
 */
public record CertificateRecord(
        String caName,
        String serialHex,
        String profile,
        String cardNumber,
        CertificateStatus status,
        Integer revocationReason,
        Instant revocationTime,
        Instant notBefore,
        Instant notAfter,
        byte[] der) {
    @Override
    public byte[] der() {
        return der.clone();
    }
}
