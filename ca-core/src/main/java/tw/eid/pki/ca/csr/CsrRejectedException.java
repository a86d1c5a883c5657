package tw.eid.pki.ca.csr;

import java.util.Objects;

/**
 * A chip's certificate signing request was refused. Each refusal has a stable {@link Code}, mapped
 * once at the edge (docs/api.md): a {@link Kind#MALFORMED} code becomes HTTP 400 (the bytes are not a
 * strict DER PKCS#10 request), a {@link Kind#POLICY} code becomes HTTP 422 (a well-formed request
 * that policy refuses: weak or unsupported key, bad proof of possession). The message is one line
 * for the server log; callers get the code.
 */
public final class CsrRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Whether the request was unreadable or readable but refused. */
    public enum Kind {
        /** The input is not a strict DER (or PEM-wrapped DER) PKCS#10 request: HTTP 400. */
        MALFORMED,
        /** A well-formed request that the key or signature policy refuses: HTTP 422. */
        POLICY
    }

    /** Why the request was refused. The {@link #id()} strings are stable. */
    public enum Code {
        /** 400. Larger than the configured limit (default 16 KiB of DER); refused before parsing. */
        TOO_LARGE("csr.too-large", Kind.MALFORMED),
        /**
         * 400. Text that is not exactly one {@code CERTIFICATE REQUEST} PEM block of strict base64
         * (RFC 7468 §7), or input that is neither DER nor PEM.
         */
        BAD_PEM("csr.bad-pem", Kind.MALFORMED),
        /** 400. Bytes after the end of the outer DER value. */
        TRAILING_DATA("csr.trailing-data", Kind.MALFORMED),
        /** 400. BER indefinite-length encoding (X.690 §10.1: DER uses the definite form only). */
        INDEFINITE_LENGTH("csr.indefinite-length", Kind.MALFORMED),
        /** 400. A length in more octets than needed (X.690 §10.1). */
        NON_MINIMAL_LENGTH("csr.non-minimal-length", Kind.MALFORMED),
        /**
         * 400. A length field of more than four octets, or a length running past the end of the
         * enclosing value or of the input (huge declared lengths end here, without allocation).
         */
        BAD_LENGTH("csr.bad-length", Kind.MALFORMED),
        /** 400. Constructed values nested deeper than the limit (default 30). */
        TOO_DEEP("csr.too-deep", Kind.MALFORMED),
        /**
         * 400. An object identifier with more than 64 arcs, an arc of 2^64 or more, or a non-minimal
         * or truncated sub-identifier (X.690 §8.19).
         */
        BAD_OID("csr.bad-oid", Kind.MALFORMED),
        /**
         * 400. Any other breach of DER (X.690 §10, §11): constructed strings, non-minimal integers,
         * a BOOLEAN other than 00 or FF, non-zero unused bits, unsorted SET OF, and any input that
         * does not re-encode to the same bytes.
         */
        NOT_DER("csr.not-der", Kind.MALFORMED),
        /**
         * 400. DER, but not a PKCS#10 CertificationRequest v1 (RFC 2986 §4), or a public key whose
         * inner encoding is broken.
         */
        MALFORMED("csr.malformed", Kind.MALFORMED),
        /**
         * 422. The signature algorithm is not one we accept (ecdsa-with-SHA256/384/512,
         * sha256/384/512WithRSAEncryption, RSASSA-PSS with SHA-256/384/512), e.g. MD5 or SHA-1, or
         * it does not fit the key type.
         */
        SIGNATURE_ALGORITHM("csr.signature-algorithm", Kind.POLICY),
        /** 422. The request's signature does not verify with its own public key (no proof of possession). */
        BAD_PROOF_OF_POSSESSION("csr.bad-proof-of-possession", Kind.POLICY),
        /** 422. The key is neither RSA nor EC (e.g. DSA, Ed25519). */
        KEY_ALGORITHM("csr.key-algorithm", Kind.POLICY),
        /** 422. An EC key with explicit or implicit curve parameters (RFC 5480 §2.1.1: namedCurve only). */
        EC_EXPLICIT_PARAMETERS("csr.ec-explicit-parameters", Kind.POLICY),
        /** 422. An EC curve other than P-256 and P-384 (brainpool and secp256k1 included). */
        EC_CURVE("csr.ec-curve", Kind.POLICY),
        /**
         * 422. An EC point that is not on its curve, is the point at infinity, has the wrong length,
         * or is in compressed form (we take the uncompressed form only, RFC 5480 §2.2).
         */
        EC_INVALID_POINT("csr.ec-invalid-point", Kind.POLICY),
        /** 422. An RSA modulus of other than 2048, 3072 or 4096 bits. */
        RSA_KEY_SIZE("csr.rsa-key-size", Kind.POLICY),
        /** 422. An RSA public exponent other than 65537. */
        RSA_EXPONENT("csr.rsa-exponent", Kind.POLICY),
        /** 422. The RSA modulus has a prime factor below 10,000. */
        RSA_SMALL_FACTOR("csr.rsa-small-factor", Kind.POLICY),
        /** 422. The RSA modulus carries the ROCA fingerprint (CVE-2017-15361, Nemec et al. CCS 2017). */
        RSA_ROCA("csr.rsa-roca", Kind.POLICY),
        /** 422. The RSA modulus factors by Fermat's method within 100 rounds (p and q too close). */
        RSA_CLOSE_PRIMES("csr.rsa-close-primes", Kind.POLICY);

        private final String id;
        private final Kind kind;

        Code(String id, Kind kind) {
            this.id = id;
            this.kind = kind;
        }

        /** The stable short code, e.g. {@code csr.rsa-roca}. */
        public String id() {
            return id;
        }

        /** Malformed input (HTTP 400) or policy refusal (HTTP 422). */
        public Kind kind() {
            return kind;
        }
    }

    private final Code code;

    CsrRejectedException(Code code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    CsrRejectedException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public Code code() {
        return code;
    }

    @Override
    public String toString() {
        return code.id() + ": " + getMessage();
    }
}
