package tw.eid.pki.crl;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.operator.ContentVerifier;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * What a CRL says about itself, read in one pass over its DER without building the entry list
 * (a partition's CRL is read as a stream, like it was written), its signature checked against the
 * CA key on the way. An independent reading of the bytes: it shares no code with {@link CrlBuilder}
 * beyond the DER rules.
 *
 * @param issuer the DER of the issuer Name
 * @param number the CRL number (null if absent)
 * @param baseNumber the deltaCRLIndicator's BaseCRLNumber (null for a complete CRL)
 * @param issuingDistributionPoint the DER of the IDP extension (OID, criticality, value), or null
 * @param signatureValid whether the signature verifies with the key given
 */
record CrlFacts(byte[] issuer, Instant thisUpdate, Instant nextUpdate, long entries, BigInteger number,
                BigInteger baseNumber, byte[] issuingDistributionPoint, boolean signatureValid) {
    /** Verification only (public keys): Bouncy Castle knows every curve a CA of ours may use (brainpool too). */
    private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    static CrlFacts read(byte[] der, SubjectPublicKeyInfo caKey) throws IOException {
        return read(new ByteArrayInputStream(der), caKey);
    }

    /**
     * Reads and checks a CRL; IOException when it is not a well-formed CRL. With a null key the
     * signature is not checked (signatureValid false): for reading the number and IDP of the CRL
     * being replaced, which was checked when it was published.
     */
    static CrlFacts read(InputStream raw, SubjectPublicKeyInfo caKey) throws IOException {
        // Buffered: the walk reads tags and lengths a byte at a time (a million entries, three each).
        InputStream in = raw instanceof java.io.BufferedInputStream || raw instanceof ByteArrayInputStream ? raw
                : new java.io.BufferedInputStream(raw, 64 * 1024);
        Reader r = new Reader(in);
        long outer = r.header(Der.SEQUENCE);
        long outerEnd = r.pos + outer;
        java.io.ByteArrayOutputStream start = new java.io.ByteArrayOutputStream();
        r.tee = start;
        long tbsLength = r.header(Der.SEQUENCE);
        long tbsEnd = r.pos + tbsLength;
        int tag = r.peek();
        if (tag == Der.INTEGER) {
            byte[] v = r.element();
            if (ASN1Integer.getInstance(ASN1Primitive.fromByteArray(v)).intValueExact() != 1) {
                throw new IOException("CRL version is not v2");
            }
        }
        byte[] innerAlgorithm = r.element();
        // The algorithm is known from here on: the rest of the TBS streams into the verifier.
        ContentVerifier verifier = caKey == null ? null : verifier(caKey, innerAlgorithm);
        // Buffered: the walk hands the verifier a few bytes at a time, a million times over.
        OutputStream toVerifier = verifier == null ? OutputStream.nullOutputStream()
                : new java.io.BufferedOutputStream(verifier.getOutputStream(), 64 * 1024);
        toVerifier.write(start.toByteArray());
        r.tee = toVerifier;
        byte[] issuer = r.element();
        Instant thisUpdate = time(r.element());
        Instant nextUpdate = null;
        if (r.pos < tbsEnd && (r.peek() == Der.UTC_TIME || r.peek() == Der.GENERALIZED_TIME)) {
            nextUpdate = time(r.element());
        }
        long entries = 0;
        if (r.pos < tbsEnd && r.peek() == Der.SEQUENCE) {
            long listLength = r.header(Der.SEQUENCE);
            long listEnd = r.pos + listLength;
            while (r.pos < listEnd) {
                r.skip(r.header(Der.SEQUENCE));
                entries++;
            }
            if (r.pos != listEnd) {
                throw new IOException("revokedCertificates overruns its length");
            }
        }
        Extensions extensions = null;
        if (r.pos < tbsEnd && r.peek() == Der.CONTEXT_0) {
            ASN1TaggedObject tagged = ASN1TaggedObject.getInstance(ASN1Primitive.fromByteArray(r.element()));
            extensions = Extensions.getInstance(tagged.getExplicitBaseObject());
        }
        if (r.pos != tbsEnd) {
            throw new IOException("TBSCertList has trailing data");
        }
        r.tee = null;
        byte[] outerAlgorithm = r.element();
        byte[] bits = r.element();
        if (r.pos != outerEnd || in.read() != -1) {
            throw new IOException("trailing data after the CRL");
        }
        if (!Arrays.equals(innerAlgorithm, outerAlgorithm)) {
            throw new IOException("signatureAlgorithm differs from the TBS signature field (RFC 5280 §5.1.1.2)");
        }
        if (bits[0] != Der.BIT_STRING) {
            throw new IOException("signatureValue is not a BIT STRING");
        }
        int lengthOctets = (bits[1] & 0x80) == 0 ? 1 : 1 + (bits[1] & 0x7f);
        byte[] signature = Arrays.copyOfRange(bits, 1 + lengthOctets + 1, bits.length);
        toVerifier.close();
        boolean valid = verifier != null && verifier.verify(signature);

        BigInteger number = null;
        BigInteger base = null;
        byte[] idp = null;
        if (extensions != null) {
            Extension n = extensions.getExtension(Extension.cRLNumber);
            number = n == null ? null : ASN1Integer.getInstance(n.getParsedValue()).getValue();
            Extension d = extensions.getExtension(Extension.deltaCRLIndicator);
            base = d == null ? null : ASN1Integer.getInstance(d.getParsedValue()).getValue();
            Extension i = extensions.getExtension(Extension.issuingDistributionPoint);
            idp = i == null ? null : i.getEncoded(ASN1Encoding.DER);
        }
        return new CrlFacts(issuer, thisUpdate, nextUpdate, entries, number, base, idp, valid);
    }

    private static ContentVerifier verifier(SubjectPublicKeyInfo key, byte[] algorithm) {
        AlgorithmIdentifier algorithmId;
        try {
            algorithmId = AlgorithmIdentifier.getInstance(ASN1Primitive.fromByteArray(algorithm));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        // The JDK's providers first (their SHA-2 is the faster over a 50 MB TBS), Bouncy Castle for
        // what they do not know (brainpool curves).
        try {
            String type = key.getAlgorithm().getAlgorithm().equals(org.bouncycastle.asn1.x9.X9ObjectIdentifiers.id_ecPublicKey)
                    ? "EC" : "RSA";
            java.security.PublicKey jdk = java.security.KeyFactory.getInstance(type)
                    .generatePublic(new java.security.spec.X509EncodedKeySpec(key.getEncoded()));
            return new JcaContentVerifierProviderBuilder().build(jdk).get(algorithmId);
        } catch (Exception e) {
            // fall through to Bouncy Castle
        }
        try {
            return new JcaContentVerifierProviderBuilder().setProvider(BC).build(key).get(algorithmId);
        } catch (OperatorCreationException | RuntimeException e) {
            return null; // an algorithm the key cannot verify: the signature is not valid
        }
    }

    private static Instant time(byte[] der) throws IOException {
        return Time.getInstance(ASN1Primitive.fromByteArray(der)).getDate().toInstant();
    }

    /** A forward-only DER reader that counts its position and copies what it reads into {@code tee}. */
    private static final class Reader {
        private final InputStream in;
        private long pos;
        private int peeked = -1;
        OutputStream tee;

        Reader(InputStream in) {
            this.in = in;
        }

        int peek() throws IOException {
            if (peeked < 0) {
                peeked = in.read();
                if (peeked < 0) {
                    throw new IOException("truncated CRL");
                }
            }
            return peeked;
        }

        int read() throws IOException {
            int b = peek();
            peeked = -1;
            pos++;
            if (tee != null) {
                tee.write(b);
            }
            return b;
        }

        /** Reads a tag (which must be {@code expected}) and its definite length. */
        long header(int expected) throws IOException {
            int tag = read();
            if (tag != expected) {
                throw new IOException(String.format("expected tag %02x, found %02x", expected, tag));
            }
            return length();
        }

        long length() throws IOException {
            int first = read();
            if (first < 0x80) {
                return first;
            }
            int octets = first & 0x7f;
            if (octets == 0 || octets > 4) {
                throw new IOException("indefinite or oversized length");
            }
            long length = 0;
            for (int i = 0; i < octets; i++) {
                length = (length << 8) | read();
            }
            return length;
        }

        /** One whole TLV (tag, length and content). */
        byte[] element() throws IOException {
            long start = pos;
            int tag = read();
            int first = peek();
            long length = length();
            int headerLength = (int) (pos - start);
            if (length > 16 * 1024 * 1024) {
                throw new IOException("element too long");
            }
            byte[] out = new byte[headerLength + (int) length];
            out[0] = (byte) tag;
            byte[] h = Der.header(tag, length);
            if (h.length != headerLength || (h.length > 1 && (h[1] & 0xff) != first)) {
                throw new IOException("length not in the shortest form (DER, X.690 §10.1)");
            }
            System.arraycopy(h, 0, out, 0, h.length);
            readFully(out, headerLength, (int) length);
            return out;
        }

        /** Reused by {@link #skip}: a fresh 8 KiB array per entry was 8 GB of allocation for a million entries. */
        private final byte[] buffer = new byte[8192];

        void skip(long n) throws IOException {
            while (n > 0) {
                int k = (int) Math.min(n, buffer.length);
                readFully(buffer, 0, k);
                n -= k;
            }
        }

        private void readFully(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return;
            }
            if (peeked >= 0) {
                b[off] = (byte) read();
                off++;
                len--;
            }
            int done = 0;
            while (done < len) {
                int n = in.read(b, off + done, len - done);
                if (n < 0) {
                    throw new IOException("truncated CRL");
                }
                done += n;
            }
            pos += len;
            if (tee != null) {
                tee.write(b, off, len);
            }
        }
    }
}
