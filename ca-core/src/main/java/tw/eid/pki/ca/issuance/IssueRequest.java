package tw.eid.pki.ca.issuance;

import java.util.Objects;
import tw.eid.pki.ca.profile.CertificateProfile;

/**
 * A personalization system's (or officer's) request: a certificate of {@code profile} for the
 * key in the chip's CSR, for the registered card whose chip has {@code chipUid}.
 *
 * @param idempotencyKey the client's Idempotency-Key, or null
 */
public record IssueRequest(
        String cardNumber, byte[] chipUid, CertificateProfile profile, byte[] csr, String idempotencyKey) {
    public IssueRequest {
        Objects.requireNonNull(cardNumber, "cardNumber");
        Objects.requireNonNull(chipUid, "chipUid");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(csr, "csr");
        if (profile != CertificateProfile.CITIZEN_SIGNATURE && profile != CertificateProfile.CITIZEN_ENCRYPTION) {
            throw new IssuanceException(
                    IssuanceException.Code.PROFILE_NOT_ISSUABLE,
                    "profile " + profile.profileName()
                            + " is not issued from a chip CSR (citizen-signature, citizen-encryption)");
        }
        if (idempotencyKey != null && !idempotencyKey.matches("[\\x21-\\x7e]{1,128}")) {
            throw new IllegalArgumentException("Idempotency-Key must be 1–128 printable ASCII characters");
        }
        chipUid = chipUid.clone();
        csr = csr.clone();
    }
}
