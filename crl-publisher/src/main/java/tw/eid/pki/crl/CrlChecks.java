package tw.eid.pki.crl;

import java.util.Arrays;

/**
 * The gate before a CRL replaces its predecessor (the checks Boulder's crl-storer makes): the
 * signature verifies with the CA's key, the issuer is the CA's subject byte for byte, the number
 * went up, and the issuingDistributionPoint did not change (a partition's scope is fixed).
 */
final class CrlChecks {
    private CrlChecks() {}

    /** Refuses {@code next} unless it may replace {@code previous} (null: there is none). */
    static void replaces(CrlFacts next, CrlFacts previous, CrlAuthority authority, String where) {
        if (!next.signatureValid()) {
            throw new CrlRefusedException(
                    where + ": the signature does not verify with the key of " + authority.name());
        }
        if (!Arrays.equals(next.issuer(), authority.subject())) {
            throw new CrlRefusedException(
                    where + ": the issuer is not byte-identical to the subject of " + authority.name());
        }
        if (next.number() == null) {
            throw new CrlRefusedException(where + ": no CRL number");
        }
        if (next.nextUpdate() == null || !next.nextUpdate().isAfter(next.thisUpdate())) {
            throw new CrlRefusedException(where + ": nextUpdate missing or not after thisUpdate");
        }
        if (previous == null) {
            return;
        }
        if (previous.number() != null && next.number().compareTo(previous.number()) <= 0) {
            throw new CrlRefusedException(where + ": CRL number " + next.number() + " does not exceed "
                    + previous.number() + " of the CRL it would replace");
        }
        if (!Arrays.equals(next.issuingDistributionPoint(), previous.issuingDistributionPoint())) {
            throw new CrlRefusedException(
                    where + ": the issuingDistributionPoint differs from the CRL it would replace");
        }
    }
}
