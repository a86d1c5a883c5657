package tw.eid.pki.ca.audit;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;

/**
 * The canonical encoding of audit rows and checkpoints, version 1. This comment is the
 * specification an offline verifier implements; changing the encoding means a new version tag,
 * never an edit of this one.
 *
 * <pre>
 * Integers are big-endian two's complement. Strings are UTF-8 (no BOM, no normalisation).
 *
 *   u32(n)     = 4 bytes
 *   i64(n)     = 8 bytes
 *   str(s)     = u32(byte length of UTF-8(s)) || UTF-8(s)
 *   opt(s)     = 0x00                 when s is SQL NULL
 *              | 0x01 || str(s)       otherwise (so NULL and "" differ)
 *   micros(t)  = i64(microseconds from 1970-01-01T00:00:00Z to t)   -- t is UTC, DATETIME(6)
 *
 *   event(row) = str("tw.eid.pki.audit.event.v1")
 *             || i64(seq)
 *             || micros(event_time)
 *             || str(actor) || str(action) || opt(target) || str(result)
 *             || opt(source_addr) || opt(dest_addr) || opt(error_code) || opt(details)
 *
 *   hash(row)  = SHA-256( prev_hash(row) || event(row) )          -- 32 bytes
 *   prev_hash(row 1) = 32 zero bytes;  prev_hash(row n) = hash(row n-1)
 *
 *   checkpoint = str("tw.eid.pki.audit.checkpoint.v1")
 *             || i64(seq) || head_hash (32 bytes, the hash of row seq; zeros for seq 0)
 *             || micros(signed_at)
 *             || u32(length) || DER of the signature AlgorithmIdentifier
 *   signature  = the checkpoint key's signature over the checkpoint bytes
 * </pre>
 *
 * <p>result is the enum name (SUCCESS, FAILURE, REFUSED) and details the JSON text exactly as
 * stored; MariaDB keeps JSON text verbatim. The version tags keep an event's bytes from ever being
 * mistaken for a checkpoint's, and the algorithm inside the signed bytes pins what was signed with.
 */
final class AuditChainHash {

    static final int HASH_LENGTH = 32;

    private static final byte[] EVENT_TAG = "tw.eid.pki.audit.event.v1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] CHECKPOINT_TAG = "tw.eid.pki.audit.checkpoint.v1".getBytes(StandardCharsets.UTF_8);

    private AuditChainHash() {}

    /** The 32 zero bytes the first event links to. */
    static byte[] genesis() {
        return new byte[HASH_LENGTH];
    }

    /** hash(row) from the row's stored column values. */
    static byte[] eventHash(
            byte[] prevHash,
            long seq,
            Instant eventTime,
            String actor,
            String action,
            String target,
            String result,
            String sourceAddress,
            String destinationAddress,
            String errorCode,
            String details) {
        Encoder e = new Encoder();
        e.bytes(EVENT_TAG);
        e.i64(seq);
        e.i64(micros(eventTime));
        e.str(actor);
        e.str(action);
        e.opt(target);
        e.str(result);
        e.opt(sourceAddress);
        e.opt(destinationAddress);
        e.opt(errorCode);
        e.opt(details);
        MessageDigest sha256 = sha256();
        sha256.update(prevHash);
        sha256.update(e.toByteArray());
        return sha256.digest();
    }

    static byte[] eventHash(byte[] prevHash, long seq, Instant eventTime, AuditEvent event) {
        return eventHash(
                prevHash,
                seq,
                eventTime,
                event.actor(),
                event.action(),
                event.target(),
                event.result().name(),
                event.sourceAddress(),
                event.destinationAddress(),
                event.errorCode(),
                event.details());
    }

    /** The bytes a checkpoint signature covers. */
    static byte[] checkpointPayload(long seq, byte[] headHash, Instant signedAt, byte[] algorithmDer) {
        Encoder e = new Encoder();
        e.bytes(CHECKPOINT_TAG);
        e.i64(seq);
        e.raw(headHash);
        e.i64(micros(signedAt));
        e.bytes(algorithmDer);
        return e.toByteArray();
    }

    static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static final class Encoder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

        void i64(long v) {
            out.writeBytes(ByteBuffer.allocate(8).putLong(v).array());
        }

        void raw(byte[] b) {
            out.writeBytes(b);
        }

        void bytes(byte[] b) {
            out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
            out.writeBytes(b);
        }

        void str(String s) {
            bytes(s.getBytes(StandardCharsets.UTF_8));
        }

        void opt(String s) {
            if (s == null) {
                out.write(0);
            } else {
                out.write(1);
                str(s);
            }
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
