package tw.eid.pki.hsm;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.DigestInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.RuntimeOperatorException;

/**
 * A Bouncy Castle {@link ContentSigner} whose private-key operation happens in the token. The
 * digest is computed here (it is public data); the token signs the digest with CKM_ECDSA, or a
 * PKCS#1 v1.5 DigestInfo with CKM_RSA_PKCS. One instance per signature, as Bouncy Castle uses them.
 */
final class TokenSigner implements ContentSigner {
    private final Token token;
    private final String label;
    private final KeyAlgorithm algorithm;
    private final ASN1ObjectIdentifier digestOid;
    private final AlgorithmIdentifier signatureAlgorithm;
    private final MessageDigest digest;
    private final OutputStream out;

    TokenSigner(Token token, String label, KeyAlgorithm algorithm, ASN1ObjectIdentifier digestOid) {
        this.token = token;
        this.label = label;
        this.algorithm = algorithm;
        this.digestOid = digestOid;
        this.signatureAlgorithm = signatureAlgorithm(algorithm, digestOid);
        try {
            this.digest = MessageDigest.getInstance(digestName(digestOid));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        this.out = new OutputStream() {
            @Override
            public void write(int b) {
                digest.update((byte) b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                digest.update(b, off, len);
            }
        };
    }

    /** The signatureAlgorithm this key and digest produce (RFC 5758 §3.2 for ECDSA: no parameters; RFC 4055 for RSA: NULL). */
    static AlgorithmIdentifier signatureAlgorithm(KeyAlgorithm algorithm, ASN1ObjectIdentifier digestOid) {
        if (algorithm.isEc()) {
            ASN1ObjectIdentifier oid;
            if (digestOid.equals(NISTObjectIdentifiers.id_sha256)) {
                oid = X9ObjectIdentifiers.ecdsa_with_SHA256;
            } else if (digestOid.equals(NISTObjectIdentifiers.id_sha384)) {
                oid = X9ObjectIdentifiers.ecdsa_with_SHA384;
            } else if (digestOid.equals(NISTObjectIdentifiers.id_sha512)) {
                oid = X9ObjectIdentifiers.ecdsa_with_SHA512;
            } else {
                throw new IllegalArgumentException("unsupported digest " + digestOid);
            }
            return new AlgorithmIdentifier(oid);
        }
        ASN1ObjectIdentifier oid;
        if (digestOid.equals(NISTObjectIdentifiers.id_sha256)) {
            oid = PKCSObjectIdentifiers.sha256WithRSAEncryption;
        } else if (digestOid.equals(NISTObjectIdentifiers.id_sha384)) {
            oid = PKCSObjectIdentifiers.sha384WithRSAEncryption;
        } else if (digestOid.equals(NISTObjectIdentifiers.id_sha512)) {
            oid = PKCSObjectIdentifiers.sha512WithRSAEncryption;
        } else {
            throw new IllegalArgumentException("unsupported digest " + digestOid);
        }
        return new AlgorithmIdentifier(oid, DERNull.INSTANCE);
    }

    private static String digestName(ASN1ObjectIdentifier digestOid) {
        if (digestOid.equals(NISTObjectIdentifiers.id_sha256)) return "SHA-256";
        if (digestOid.equals(NISTObjectIdentifiers.id_sha384)) return "SHA-384";
        if (digestOid.equals(NISTObjectIdentifiers.id_sha512)) return "SHA-512";
        throw new IllegalArgumentException("unsupported digest " + digestOid);
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
        return signatureAlgorithm;
    }

    @Override
    public OutputStream getOutputStream() {
        return out;
    }

    @Override
    public byte[] getSignature() {
        byte[] hash = digest.digest();
        try {
            if (algorithm.isEc()) {
                byte[] rs = token.signRaw(label, hash);
                // CKM_ECDSA returns r || s, each the size of the field; X.509 wants Ecdsa-Sig-Value (RFC 3279 §2.2.3).
                int half = rs.length / 2;
                BigInteger r = new BigInteger(1, Arrays.copyOfRange(rs, 0, half));
                BigInteger s = new BigInteger(1, Arrays.copyOfRange(rs, half, rs.length));
                return new DERSequence(new ASN1Integer[] {new ASN1Integer(r), new ASN1Integer(s)}).getEncoded("DER");
            }
            byte[] digestInfo =
                    new DigestInfo(new AlgorithmIdentifier(digestOid, DERNull.INSTANCE), hash).getEncoded("DER");
            return token.signRaw(label, digestInfo);
        } catch (IOException e) {
            throw new RuntimeOperatorException("cannot encode signature: " + e.getMessage(), e);
        }
    }
}
