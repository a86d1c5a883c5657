package tw.eid.pki.ca.profile;

import org.bouncycastle.asn1.x509.CRLReason;

/**
 * The CRLReason codes a CRL entry may carry (RFC 5280 §5.3.1). Deliberately absent:
 * unspecified (0), which docs/profiles.md forbids (the entry must say why, and RFC 5280 says
 * reasonCode unspecified SHOULD NOT be used); removeFromCRL (8), which only delta CRLs carry; and
 * the unused value 7.
 */
public enum RevocationReason {
    KEY_COMPROMISE(CRLReason.keyCompromise),
    CA_COMPROMISE(CRLReason.cACompromise),
    AFFILIATION_CHANGED(CRLReason.affiliationChanged),
    SUPERSEDED(CRLReason.superseded),
    CESSATION_OF_OPERATION(CRLReason.cessationOfOperation),
    CERTIFICATE_HOLD(CRLReason.certificateHold),
    PRIVILEGE_WITHDRAWN(CRLReason.privilegeWithdrawn),
    AA_COMPROMISE(CRLReason.aACompromise);

    private final int code;

    RevocationReason(int code) {
        this.code = code;
    }

    /** The CRLReason value. */
    public int code() {
        return code;
    }

    /** The reason for CRLReason value {@code code}. */
    public static RevocationReason ofCode(int code) {
        for (RevocationReason r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        throw new IllegalArgumentException("CRLReason " + code + " is not allowed in our CRLs");
    }
}
