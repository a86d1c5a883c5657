package tw.eid.pki.ca.cvc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.operator.ContentSigner;

/**
 * A card-verifiable certificate (TR-03110 Part 3 C.1, tag 7F21): the body (7F4E) and the issuer's
 * plain ECDSA signature over the body's encoding (5F37).
 *
 * <pre>
 * 7F21 { 7F4E { 5F29 profile identifier 00, 42 CAR, 7F49 public key, 5F20 CHR, 7F4C CHAT,
 *               5F25 effective date, 5F24 expiration date, [65 extensions] },
 *        5F37 signature }
 * </pre>
 */
public record CvCertificate(Body body, byte[] bodyEncoded, byte[] signature) {
    /** id-description: {id-extensions 1} (TR-03110 Part 3 C.3.1). */
    public static final ASN1ObjectIdentifier ID_DESCRIPTION = new ASN1ObjectIdentifier("0.4.0.127.0.7.3.1.3.1");
    /** id-sector: {id-extensions 2} (TR-03110 Part 3 C.3.2.1), the first sector public key's hash in 80. */
    public static final ASN1ObjectIdentifier ID_SECTOR = new ASN1ObjectIdentifier("0.4.0.127.0.7.3.1.3.2");

    /**
     * What a certificate says.
     *
     * @param descriptionHash SHA-256 of the certificate description, or null (terminal certificates only)
     * @param sectorKeyHash hash of the terminal sector's public key for restricted identification, or null
     */
    public record Body(
            HolderReference car,
            CvPublicKey publicKey,
            HolderReference chr,
            Chat chat,
            LocalDate effective,
            LocalDate expiration,
            byte[] descriptionHash,
            byte[] sectorKeyHash) {
        public Body {
            Objects.requireNonNull(car, "car");
            Objects.requireNonNull(publicKey, "publicKey");
            Objects.requireNonNull(chr, "chr");
            Objects.requireNonNull(chat, "chat");
            Objects.requireNonNull(effective, "effective");
            Objects.requireNonNull(expiration, "expiration");
            if (expiration.isBefore(effective)) {
                throw new CvException(CvException.Code.VALIDITY, "the expiration date is before the effective date");
            }
            descriptionHash = descriptionHash == null ? null : descriptionHash.clone();
            sectorKeyHash = sectorKeyHash == null ? null : sectorKeyHash.clone();
        }

        @Override
        public byte[] descriptionHash() {
            return descriptionHash == null ? null : descriptionHash.clone();
        }

        @Override
        public byte[] sectorKeyHash() {
            return sectorKeyHash == null ? null : sectorKeyHash.clone();
        }

        /** Domain parameters go only into the CVCA's own (and link) certificates: TR-03110 Part 3 D.3.3. */
        boolean carriesDomainParameters() {
            return chat.role() == CvRole.CVCA;
        }

        Tlv tlv() {
            List<Tlv> parts = new ArrayList<>();
            parts.add(Tlv.of(Tlv.PROFILE_IDENTIFIER, new byte[] {0}));
            parts.add(Tlv.of(Tlv.CA_REFERENCE, car.encoded()));
            parts.add(publicKey.tlv(carriesDomainParameters()));
            parts.add(Tlv.of(Tlv.HOLDER_REFERENCE, chr.encoded()));
            parts.add(chat.tlv());
            parts.add(Tlv.of(Tlv.EFFECTIVE_DATE, CvDate.encode(effective)));
            parts.add(Tlv.of(Tlv.EXPIRATION_DATE, CvDate.encode(expiration)));
            List<Tlv> extensions = new ArrayList<>();
            if (descriptionHash != null) {
                extensions.add(extension(ID_DESCRIPTION, descriptionHash));
            }
            if (sectorKeyHash != null) {
                extensions.add(extension(ID_SECTOR, sectorKeyHash));
            }
            if (!extensions.isEmpty()) {
                parts.add(Tlv.of(Tlv.EXTENSIONS, extensions));
            }
            return Tlv.of(Tlv.CERTIFICATE_BODY, parts);
        }

        private static Tlv extension(ASN1ObjectIdentifier oid, byte[] hash) {
            try {
                return Tlv.of(
                        Tlv.DISCRETIONARY_DATA_TEMPLATE, List.of(Tlv.parse(oid.getEncoded()), Tlv.of(0x80, hash)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public CvCertificate {
        Objects.requireNonNull(body, "body");
        bodyEncoded = bodyEncoded.clone();
        signature = signature.clone();
    }

    /** Encodes {@code body} and signs it with {@code issuerSigner} (the issuer's key in its token). */
    public static CvCertificate sign(Body body, Supplier<ContentSigner> issuerSigner, CvPublicKey issuerKey) {
        byte[] tbs = body.tlv().encoded();
        byte[] sig = CvSignatures.sign(issuerSigner, tbs, issuerKey.fieldBytes());
        if (!CvSignatures.verify(issuerKey, tbs, sig)) {
            throw new IllegalStateException("the token's signature does not verify with the issuer's key");
        }
        return new CvCertificate(body, tbs, sig);
    }

    /** The 7F21 object. */
    public byte[] encoded() {
        return Tlv.of(
                        Tlv.CV_CERTIFICATE,
                        concat(bodyEncoded, Tlv.of(Tlv.SIGNATURE, signature).encoded()))
                .encoded();
    }

    @Override
    public byte[] bodyEncoded() {
        return bodyEncoded.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** True when the signature verifies with {@code issuerKey}. */
    public boolean verifiedBy(CvPublicKey issuerKey) {
        return CvSignatures.verify(issuerKey, bodyEncoded, signature);
    }

    /**
     * Parses a certificate. {@code issuerCurve} is the chain's curve for a certificate without domain
     * parameters (null for a CVCA or link certificate, which carry their own).
     */
    public static CvCertificate parse(byte[] encoded, ASN1ObjectIdentifier issuerCurve) {
        Tlv cert = Tlv.parse(encoded);
        if (cert.tag() != Tlv.CV_CERTIFICATE) {
            throw new CvException(CvException.Code.MALFORMED, "not a CV certificate (7F21)");
        }
        List<Tlv> parts = cert.children();
        if (parts.size() != 2
                || parts.get(0).tag() != Tlv.CERTIFICATE_BODY
                || parts.get(1).tag() != Tlv.SIGNATURE) {
            throw new CvException(CvException.Code.MALFORMED, "a CV certificate is a body and a signature");
        }
        Tlv body = parts.get(0);
        Body b = new Body(
                HolderReference.decode(body.required(Tlv.CA_REFERENCE).value()),
                CvPublicKey.decode(body.required(Tlv.PUBLIC_KEY), issuerCurve),
                HolderReference.decode(body.required(Tlv.HOLDER_REFERENCE).value()),
                Chat.decode(body.required(Tlv.CHAT)),
                CvDate.decode(body.required(Tlv.EFFECTIVE_DATE).value()),
                CvDate.decode(body.required(Tlv.EXPIRATION_DATE).value()),
                extension(body, ID_DESCRIPTION),
                extension(body, ID_SECTOR));
        if (!Arrays.equals(body.required(Tlv.PROFILE_IDENTIFIER).value(), new byte[] {0})) {
            throw new CvException(CvException.Code.MALFORMED, "profile identifier is not 0");
        }
        return new CvCertificate(b, body.encoded(), parts.get(1).value());
    }

    private static byte[] extension(Tlv body, ASN1ObjectIdentifier oid) {
        for (Tlv ddt : body.child(Tlv.EXTENSIONS).map(Tlv::children).orElse(List.of())) {
            try {
                if (Arrays.equals(ddt.required(Tlv.OID).encoded(), oid.getEncoded())) {
                    return ddt.required(0x80).value();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return null;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
