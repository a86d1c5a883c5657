package tw.eid.pki.ca.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * An event as the ledger holds it: its place in the chain, its time and the hashes that link it.
 *
 * @param seq the position in the ledger, from 1, without gaps
 * @param eventTime when the ledger appended it (UTC, microseconds)
 * @param event what happened
 * @param prevHash the hash of event {@code seq - 1}; 32 zero bytes for the first
 * @param hash SHA-256 over prevHash and the canonical encoding ({@link AuditChainHash})
 */
public record AuditEntry(long seq, Instant eventTime, AuditEvent event, byte[] prevHash, byte[] hash) {

    public AuditEntry {
        Objects.requireNonNull(eventTime, "eventTime");
        Objects.requireNonNull(event, "event");
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be positive");
        }
        if (prevHash == null
                || prevHash.length != AuditChainHash.HASH_LENGTH
                || hash == null
                || hash.length != AuditChainHash.HASH_LENGTH) {
            throw new IllegalArgumentException("hashes must be 32 bytes");
        }
        prevHash = prevHash.clone();
        hash = hash.clone();
    }

    @Override
    public byte[] prevHash() {
        return prevHash.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }
}
