package tw.eid.pki.ca.store;

/** A certificate's status as the store keeps it (docs/profiles.md, "Status rules"). */
public enum CertificateStatus {
    GOOD,
    HOLD,
    REVOKED
}
