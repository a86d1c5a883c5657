package tw.eid.pki.ca.revocation;

import java.time.Instant;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.store.CertificateStatus;

/**
 * One committed status change, as appended to the status change log that OCSP and the CRL
 * publisher follow.
 *
 * @param logId  the status_change row's id
 * @param reason the CRL reason after the change; null when the certificate is good again
 */
public record StatusChange(
        long logId,
        String caName,
        String serialHex,
        CertificateStatus from,
        CertificateStatus to,
        RevocationReason reason,
        Instant at) {}
