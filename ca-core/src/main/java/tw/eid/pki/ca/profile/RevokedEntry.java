package tw.eid.pki.ca.profile;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;

/**
 * One revoked certificate on a ceremony CRL.
 *
 * @param serialNumber the certificate's serial, positive
 * @param revocationTime when it was revoked (whole seconds are kept)
 * @param reason why; always present, never unspecified
 */
public record RevokedEntry(BigInteger serialNumber, Instant revocationTime, RevocationReason reason) {

    public RevokedEntry {
        Objects.requireNonNull(serialNumber, "serialNumber");
        Objects.requireNonNull(revocationTime, "revocationTime");
        Objects.requireNonNull(reason, "reason");
        if (serialNumber.signum() <= 0 || serialNumber.toByteArray().length > 20) {
            throw new IllegalArgumentException(
                    "serial number must be positive and at most 20 octets (RFC 5280 §4.1.2.2)");
        }
        revocationTime = Asn1Times.seconds(revocationTime);
    }
}
