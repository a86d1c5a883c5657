package tw.eid.pki.ca.audit;

import java.time.Instant;
import java.util.Objects;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/**
 * A signed statement "the ledger up to {@code seq} hashes to {@code headHash}", made at {@code
 * signedAt} with the key labelled {@code signerKeyLabel}. Signed bytes: {@link AuditChainHash}.
 */
public record AuditCheckpoint(
        long id,
        long seq,
        byte[] headHash,
        Instant signedAt,
        AlgorithmIdentifier signatureAlgorithm,
        byte[] signature,
        String signerKeyLabel) {

    public AuditCheckpoint {
        Objects.requireNonNull(signedAt, "signedAt");
        Objects.requireNonNull(signatureAlgorithm, "signatureAlgorithm");
        Objects.requireNonNull(signerKeyLabel, "signerKeyLabel");
        if (seq < 0) {
            throw new IllegalArgumentException("seq must not be negative");
        }
        if (headHash == null || headHash.length != AuditChainHash.HASH_LENGTH) {
            throw new IllegalArgumentException("headHash must be 32 bytes");
        }
        if (signature == null || signature.length == 0) {
            throw new IllegalArgumentException("signature must not be empty");
        }
        headHash = headHash.clone();
        signature = signature.clone();
    }

    @Override
    public byte[] headHash() {
        return headHash.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }
}
