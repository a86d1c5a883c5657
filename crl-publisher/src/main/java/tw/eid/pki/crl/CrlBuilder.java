package tw.eid.pki.crl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.operator.ContentSigner;

/**
 * Encodes a CRL (RFC 5280 §5.1) entry by entry as the rows stream in from the store, then signs
 * it in the token. Bouncy Castle's {@code X509v2CRLBuilder} keeps every entry as an object tree
 * until the end (hundreds of bytes of heap per entry); here each entry is written to DER as it
 * arrives and only its bytes are kept, once. The TBSCertList's outer lengths are known only at
 * the end, so the header is written last and the signer reads header, entries and trailer in order.
 *
 * <p>What the encoder guarantees by construction: version v2; the signature field equal to the
 * outer signatureAlgorithm (both are the signer's); the issuer exactly the bytes given (the CA
 * certificate's subject, RFC 5280 §5.1.2.3); no empty revokedCertificates list (§5.1.2.6: absent
 * when there are no entries); a reasonCode only when there is a reason, never unspecified(0)
 * (§5.3.1). Not thread-safe; one builder makes one CRL.
 */
final class CrlBuilder {
    /** CRLReason removeFromCRL(8): delta CRLs only (RFC 5280 §5.3.1). */
    static final int REMOVE_FROM_CRL = CRLReason.removeFromCRL;

    private static final byte[][] REASON_EXTENSIONS = new byte[11][];

    static {
        for (int code = 1; code <= 10; code++) {
            if (code == 7) {
                continue; // unused value
            }
            try {
                ExtensionsGenerator g = new ExtensionsGenerator();
                g.addExtension(Extension.reasonCode, false, CRLReason.lookup(code));
                REASON_EXTENSIONS[code] = g.generate().getEncoded(ASN1Encoding.DER);
            } catch (IOException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    private final byte[] issuer;
    private final AlgorithmIdentifier algorithm;
    private final Instant thisUpdate;
    private final Instant nextUpdate;
    private static final byte[] NONE = new byte[0];
    /** The entries, in segments listed in this order; the first is the builder's own. */
    private final List<Segment> segments = new ArrayList<>();

    private final Segment first = segment();

    /**
     * A run of entries written by one thread (the CRL cursor reads disjoint ranges of a partition in
     * parallel, each into its own segment); the CRL lists the segments' entries in the order the
     * segments were made. A segment is not thread-safe; different segments may be filled at once.
     */
    final class Segment {
        private final ChunkedBytes entries = new ChunkedBytes();
        private final byte[] scratch = new byte[96];
        private long count;
        /** The latest revocationDate listed (whole seconds since the epoch). */
        private long latest = Long.MIN_VALUE;

        /** See {@link CrlBuilder#add(byte[], long, int)}. */
        void add(byte[] serialHex, long revocationDate, int reason) {
            if (reason < 0 || reason > 10 || (reason > 0 && REASON_EXTENSIONS[reason] == null)) {
                throw new IllegalArgumentException("CRLReason " + reason + " cannot be listed");
            }
            byte[] extensions = reason == 0 ? NONE : REASON_EXTENSIONS[reason];
            // Short form: an entry is well under 128 octets (2+21 serial, 17 time, 14 reasonCode).
            int at = 2;
            int serialLength = Der.writePositiveInteger(serialHex, scratch, at);
            if (serialLength > 2 + 20) {
                throw new IllegalArgumentException("serial longer than 20 octets (RFC 5280 §4.1.2.2): "
                        + new String(serialHex, StandardCharsets.US_ASCII));
            }
            at += serialLength;
            at += Der.writeTime(revocationDate, scratch, at);
            System.arraycopy(extensions, 0, scratch, at, extensions.length);
            at += extensions.length;
            scratch[0] = Der.SEQUENCE;
            scratch[1] = (byte) (at - 2);
            entries.write(scratch, 0, at);
            latest = Math.max(latest, revocationDate);
            count++;
        }
    }

    /** A new segment, after every segment made before it. Not thread-safe: make segments before filling them. */
    Segment segment() {
        Segment s = new Segment();
        segments.add(s);
        return s;
    }

    /**
     * @param issuer the DER of the CA certificate's subject, as it is in the certificate
     * @param algorithm the signature algorithm the token's signer uses for this CA key
     */
    CrlBuilder(byte[] issuer, AlgorithmIdentifier algorithm, Instant thisUpdate, Instant nextUpdate) {
        this.issuer = issuer.clone();
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.thisUpdate = Objects.requireNonNull(thisUpdate, "thisUpdate");
        this.nextUpdate = Objects.requireNonNull(nextUpdate, "nextUpdate");
        if (!nextUpdate.isAfter(thisUpdate)) {
            throw new IllegalArgumentException("nextUpdate must be after thisUpdate");
        }
    }

    /**
     * One revokedCertificates entry.
     *
     * @param serialHex the serial in the store's form (lower-case hex, no leading zero)
     * @param reason a CRLReason code 1..10 except 7, or 0 for none (the entry then carries no
     *     reasonCode: RFC 5280 §5.3.1 says absent rather than unspecified)
     */
    void add(String serialHex, Instant revocationDate, int reason) {
        add(serialHex.getBytes(StandardCharsets.US_ASCII), revocationDate.getEpochSecond(), reason);
    }

    /**
     * As {@link #add(String, Instant, int)}, with the serial's hex digits as ASCII bytes and the
     * revocation date in whole seconds since the epoch: the cursor's form, no object per entry.
     */
    void add(byte[] serialHex, long revocationDate, int reason) {
        first.add(serialHex, revocationDate, reason);
    }

    long entries() {
        long n = 0;
        for (Segment seg : segments) {
            n += seg.count;
        }
        return n;
    }

    /** Signs the CRL with {@code crlExtensions} (AKI, CRL number, ...) through {@code signer}. */
    EncodedCrl sign(Extensions crlExtensions, BigInteger number, ContentSigner signer) {
        if (!signer.getAlgorithmIdentifier().equals(algorithm)) {
            throw new IllegalArgumentException("the signer's algorithm "
                    + signer.getAlgorithmIdentifier().getAlgorithm() + " is not the CA's " + algorithm.getAlgorithm());
        }
        ChunkedBytes entries = new ChunkedBytes();
        long count = 0;
        long latest = Long.MIN_VALUE;
        for (Segment seg : segments) {
            entries.append(seg.entries);
            count += seg.count;
            latest = Math.max(latest, seg.latest);
            seg.count = 0; // its bytes moved: one builder makes one CRL
        }
        if (latest > thisUpdate.getEpochSecond()) {
            // The store's cursors leave out what changed after thisUpdate; an entry newer than the
            // CRL would say a relying party's "revoked at" is in the future (Java's PKIX then
            // treats some reasons as not yet revoked). Refused rather than signed.
            throw new IllegalStateException("an entry's revocationDate " + Instant.ofEpochSecond(latest)
                    + " is after the CRL's thisUpdate " + thisUpdate);
        }
        try {
            byte[] algorithmDer = algorithm.getEncoded(ASN1Encoding.DER);
            ByteArrayOutputStream fields = new ByteArrayOutputStream();
            fields.write(new byte[] {Der.INTEGER, 1, 1}); // version v2 (§5.1.2.1)
            fields.write(algorithmDer);
            fields.write(issuer);
            fields.write(Der.time(thisUpdate));
            fields.write(Der.time(nextUpdate)); // §5.1.2.5: conforming CAs MUST include nextUpdate
            if (count > 0) {
                fields.write(Der.header(Der.SEQUENCE, entries.size()));
            }
            byte[] extensions = new DERTaggedObject(true, 0, crlExtensions).getEncoded(ASN1Encoding.DER);
            long tbsLength = fields.size() + (count > 0 ? entries.size() : 0) + extensions.length;
            byte[] tbsHeader = Der.header(Der.SEQUENCE, tbsLength);

            OutputStream toSigner = signer.getOutputStream();
            toSigner.write(tbsHeader);
            toSigner.write(fields.toByteArray());
            if (count > 0) {
                entries.writeTo(toSigner);
            }
            toSigner.write(extensions);
            toSigner.close();
            byte[] signature = signer.getSignature();

            ByteArrayOutputStream bits = new ByteArrayOutputStream(signature.length + 8);
            bits.write(Der.header(Der.BIT_STRING, signature.length + 1));
            bits.write(0); // no unused bits
            bits.write(signature);
            long total = tbsHeader.length + tbsLength + algorithmDer.length + bits.size();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            head.write(Der.header(Der.SEQUENCE, total));
            head.write(tbsHeader);
            head.write(fields.toByteArray());
            ByteArrayOutputStream tail = new ByteArrayOutputStream();
            tail.write(extensions);
            tail.write(algorithmDer);
            tail.write(bits.toByteArray());
            return new EncodedCrl(
                    head.toByteArray(),
                    count > 0 ? entries : new ChunkedBytes(),
                    tail.toByteArray(),
                    number,
                    thisUpdate,
                    nextUpdate,
                    count);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
