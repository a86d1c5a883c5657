package tw.eid.pki.ca.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Reads of the {@code ca} table for the services that load their authorities and signers from it
 * (the OCSP responder, the CRL publisher). Only certified rows are offered where a certificate is
 * needed: a PREPARED row whose ceremony failed is never used.
 */
public interface CaReader {

    /**
     * One CA row. {@code certificateDer} is null for a prepared row; {@code keyDestroyed}: its key
     * was destroyed in the token (V10).
     */
    record CaRow(
            String name,
            String kind,
            byte[] certificateDer,
            String keyLabel,
            String tokenLabel,
            String status,
            Instant createdAt,
            boolean keyDestroyed) {}

    /** Every CA row with a certificate, by name. */
    List<CaRow> certified();

    /** The newest ACTIVE row of {@code kind} with a certificate. */
    Optional<CaRow> newestActive(String kind);

    /** The row named {@code name}, with or without a certificate. */
    Optional<CaRow> byName(String name);
}
