package tw.eid.pki.crl;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
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
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
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
record CrlFacts(
        byte[] issuer,
        Instant thisUpdate,
        Instant nextUpdate,
        long entries,
        BigInteger number,
        BigInteger baseNumber,
        byte[] issuingDistributionPoint,
        boolean signatureValid) {
    /** Verification only (public keys): Bouncy Castle knows every curve a CA of ours may use (brainpool too). */
    private static final Provider BC = new BouncyCastleProvider();

    static CrlFacts read(byte[] der, SubjectPublicKeyInfo caKey) throws IOException {
        return read(new ByteArrayInputStream(der), caKey);
    }

    /**
     * Reads and checks a CRL; IOException when it is not a well-formed CRL. With a null key the
     * signature is not checked (signatureValid false): for reading the number and IDP of the CRL
     * being replaced, which was checked when it was published.
     */
    static CrlFacts read(InputStream raw, SubjectPublicKeyInfo caKey) throws IOException {
        Reader r = new Reader(raw);
        long outer = r.header(Der.SEQUENCE);
        long outerEnd = r.pos + outer;
        ByteArrayOutputStream start = new ByteArrayOutputStream();
        r.tee(start);
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
        OutputStream toVerifier = verifier == null ? null : verifier.getOutputStream();
        r.tee(null); // what was read so far is all in start
        if (toVerifier != null) {
            toVerifier.write(start.toByteArray());
        }
        r.tee(toVerifier);
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
        r.tee(null);
        byte[] outerAlgorithm = r.element();
        byte[] bits = r.element();
        if (r.pos != outerEnd || !r.atEnd()) {
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
        if (toVerifier != null) {
            toVerifier.close();
        }
        boolean valid = verifier != null && verifier.verify(signature);

        BigInteger number = null;
        BigInteger base = null;
        byte[] idp = null;
        if (extensions != null) {
            Extension n = extensions.getExtension(Extension.cRLNumber);
            number = n == null
                    ? null
                    : ASN1Integer.getInstance(n.getParsedValue()).getValue();
            Extension d = extensions.getExtension(Extension.deltaCRLIndicator);
            base = d == null
                    ? null
                    : ASN1Integer.getInstance(d.getParsedValue()).getValue();
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
            String type = key.getAlgorithm().getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey) ? "EC" : "RSA";
            PublicKey jdk = KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(key.getEncoded()));
            return new JcaContentVerifierProviderBuilder().build(jdk).get(algorithmId);
        } catch (Exception e) {
            // fall through to Bouncy Castle
        }
        try {
            return new JcaContentVerifierProviderBuilder()
                    .setProvider(BC)
                    .build(key)
                    .get(algorithmId);
        } catch (OperatorCreationException | RuntimeException e) {
            return null; // an algorithm the key cannot verify: the signature is not valid
        }
    }

    private static Instant time(byte[] der) throws IOException {
        return Time.getInstance(ASN1Primitive.fromByteArray(der)).getDate().toInstant();
    }

    /**
     * A forward-only DER reader over its own 64 KiB buffer that counts its position and hands what
     * it reads to {@code tee} in runs of bytes, not a byte at a time (a million entries are three
     * million tags and lengths).
     */
    private static final class Reader {
        private final InputStream in;
        private final byte[] buf = new byte[64 * 1024];
        /** The next byte in buf, the end of what buf holds, and the first byte read but not yet teed. */
        private int at;

        private int end;
        private int teeFrom;
        private long pos;
        private OutputStream tee;

        Reader(InputStream in) {
            this.in = in;
        }

        /** From here on, what is read also goes to {@code next} (null: nowhere); what was read before went to the previous tee. */
        void tee(OutputStream next) throws IOException {
            flushTee();
            tee = next;
        }

        private void flushTee() throws IOException {
            if (tee != null && at > teeFrom) {
                tee.write(buf, teeFrom, at - teeFrom);
            }
            teeFrom = at;
        }

        private void fill() throws IOException {
            flushTee();
            int n = in.read(buf, 0, buf.length);
            while (n == 0) {
                n = in.read(buf, 0, buf.length);
            }
            if (n < 0) {
                throw new IOException("truncated CRL");
            }
            at = 0;
            end = n;
            teeFrom = 0;
        }

        /** Whether the input ends here. */
        boolean atEnd() throws IOException {
            return at == end && in.read() == -1;
        }

        int peek() throws IOException {
            if (at == end) {
                fill();
            }
            return buf[at] & 0xff;
        }

        int read() throws IOException {
            int b = peek();
            at++;
            pos++;
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

        void skip(long n) throws IOException {
            while (n > 0) {
                if (at == end) {
                    fill();
                }
                int k = (int) Math.min(n, end - at);
                at += k;
                pos += k;
                n -= k;
            }
        }

        private void readFully(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (at == end) {
                    fill();
                }
                int k = Math.min(len, end - at);
                System.arraycopy(buf, at, b, off, k);
                at += k;
                pos += k;
                off += k;
                len -= k;
            }
        }
    }
}
