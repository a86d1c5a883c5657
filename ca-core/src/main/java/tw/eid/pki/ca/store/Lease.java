package tw.eid.pki.ca.store;

import java.time.Instant;

/**
 * A lease in the database: at most one holder at a time does the work it guards (the OCSP updater's
 * pre-signing, the CRL publisher's rounds), and another process takes over when the holder stops
 * renewing it. {@link DatabaseLease} is the one implementation.
 */
public interface Lease {

    /** The leases there are, each a one-row table (V5, V6). */
    enum Name {
        OCSP_UPDATER("ocsp_updater_lease"),
        CRL_PUBLISHER("crl_publisher_lease");

        final String table;

        Name(String table) {
            this.table = table;
        }
    }

    /**
     * Takes or renews the lease for {@code holder} until {@code until}: true when {@code holder}
     * holds it now, false when another holder's lease runs at {@code now}.
     */
    boolean hold(String holder, Instant now, Instant until);
}
