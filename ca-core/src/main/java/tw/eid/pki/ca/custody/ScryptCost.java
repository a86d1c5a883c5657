package tw.eid.pki.ca.custody;

import org.bouncycastle.crypto.generators.SCrypt;

/**
 * The cost parameters of scrypt (RFC 7914): N = 2^log2N, block size r, parallelism p.
 *
 * <p>The same bounds are applied to parameters read back from a share file, so a tampered file
 * cannot make the reconstructing process allocate gigabytes before the passphrase is checked.
 *
 * @param log2N base-2 logarithm of the CPU/memory cost N
 * @param r block size
 * @param p parallelism
 */
public record ScryptCost(int log2N, int r, int p) {

    /** N = 2^15, r = 8, p = 1: 32 MiB and about a tenth of a second per derivation. */
    public static final ScryptCost RECOMMENDED = new ScryptCost(15, 8, 1);

    static final int MIN_LOG2_N = 10;
    static final int MAX_LOG2_N = 20;
    static final long MAX_MEMORY_BYTES = 256L * 1024 * 1024;

    public ScryptCost {
        if (log2N < MIN_LOG2_N || log2N > MAX_LOG2_N) {
            throw new IllegalArgumentException(
                    "scrypt log2N must be in [" + MIN_LOG2_N + ", " + MAX_LOG2_N + "], got " + log2N);
        }
        if (r < 1 || r > 32) {
            throw new IllegalArgumentException("scrypt r must be in [1, 32], got " + r);
        }
        if (p < 1 || p > 16) {
            throw new IllegalArgumentException("scrypt p must be in [1, 16], got " + p);
        }
        // RFC 7914 §2: scrypt's working memory is 128 * r * N bytes.
        if (memoryBytes(log2N, r) > MAX_MEMORY_BYTES) {
            throw new IllegalArgumentException("scrypt cost needs more than 256 MiB of memory");
        }
    }

    /** N itself. */
    public int n() {
        return 1 << log2N;
    }

    /**
     * Derives {@code length} bytes from {@code secret} and {@code salt} at this cost. The caller
     * clears the result.
     */
    byte[] derive(byte[] secret, byte[] salt, int length) {
        return SCrypt.generate(secret, salt, n(), r, p, length);
    }

    private static long memoryBytes(int log2N, int r) {
        return 128L * r * (1L << log2N);
    }
}
