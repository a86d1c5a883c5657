package tw.eid.pki.ca.cvc;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.bouncycastle.operator.ContentSigner;

/**
 * A CV certificate request (TR-03110 Part 3 C.2): the body signed with the new key (the inner
 * signature, proof of possession), and for a renewal wrapped in an authentication (67) that the
 * terminal signs with its current key (the outer signature) and names that key's CHR as outer CAR.
 *
 * <pre>
 * [67 {] 7F21 { 7F4E { 5F29 00, [42 CAR], 7F49 key with domain parameters, 5F20 CHR, [7F4C CHAT asked] },
 *               5F37 inner signature }
 *        [42 outer CAR, 5F37 outer signature over 7F21 ‖ 42 }]
 * </pre>
 *
 * @param car the CA the terminal asks, or null
 * @param askedChat the rights the terminal asks for, or null for "what was approved"
 * @param outerCar the CHR of the key that signed the authentication, or null for an unauthenticated request
 */
public record CvRequest(
        HolderReference car,
        CvPublicKey publicKey,
        HolderReference chr,
        Chat askedChat,
        byte[] innerBody,
        byte[] innerSignature,
        byte[] innerEncoded,
        HolderReference outerCar,
        byte[] outerSignature) {

    public CvRequest {
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(chr, "chr");
        innerBody = innerBody.clone();
        innerSignature = innerSignature.clone();
        innerEncoded = innerEncoded.clone();
        outerSignature = outerSignature == null ? null : outerSignature.clone();
    }

    public boolean authenticated() {
        return outerCar != null;
    }

    /** True when the inner signature verifies with the request's own key. */
    public boolean innerSignatureValid() {
        return CvSignatures.verify(publicKey, innerBody, innerSignature);
    }

    /** True when the outer signature verifies with {@code terminalKey} (the key named by the outer CAR). */
    public boolean outerSignatureValid(CvPublicKey terminalKey) {
        if (outerCar == null) {
            return false;
        }
        byte[] signed = CvCertificate.concat(
                innerEncoded, Tlv.of(Tlv.CA_REFERENCE, outerCar.encoded()).encoded());
        return CvSignatures.verify(terminalKey, signed, outerSignature);
    }

    /** Makes a request as a terminal does: the body with domain parameters, signed by the new key. */
    public static byte[] create(
            HolderReference car,
            CvPublicKey publicKey,
            HolderReference chr,
            Chat askedChat,
            Supplier<ContentSigner> newKeySigner) {
        List<Tlv> parts = new ArrayList<>();
        parts.add(Tlv.of(Tlv.PROFILE_IDENTIFIER, new byte[] {0}));
        if (car != null) {
            parts.add(Tlv.of(Tlv.CA_REFERENCE, car.encoded()));
        }
        parts.add(publicKey.tlv(true));
        parts.add(Tlv.of(Tlv.HOLDER_REFERENCE, chr.encoded()));
        if (askedChat != null) {
            parts.add(askedChat.tlv());
        }
        byte[] body = Tlv.of(Tlv.CERTIFICATE_BODY, parts).encoded();
        byte[] sig = CvSignatures.sign(newKeySigner, body, publicKey.fieldBytes());
        return Tlv.of(
                        Tlv.CV_CERTIFICATE,
                        CvCertificate.concat(body, Tlv.of(Tlv.SIGNATURE, sig).encoded()))
                .encoded();
    }

    /** Wraps {@code request} in an authentication signed by the terminal's current key. */
    public static byte[] authenticate(
            byte[] request, HolderReference outerCar, CvPublicKey currentKey, Supplier<ContentSigner> currentSigner) {
        byte[] car = Tlv.of(Tlv.CA_REFERENCE, outerCar.encoded()).encoded();
        byte[] sig = CvSignatures.sign(currentSigner, CvCertificate.concat(request, car), currentKey.fieldBytes());
        return Tlv.of(
                        Tlv.AUTHENTICATION,
                        CvCertificate.concat(
                                request, car, Tlv.of(Tlv.SIGNATURE, sig).encoded()))
                .encoded();
    }

    /** Parses a request, authenticated (67) or not (7F21). Signatures are checked by the caller. */
    public static CvRequest parse(byte[] encoded) {
        Tlv top = Tlv.parse(encoded);
        Tlv inner;
        HolderReference outerCar = null;
        byte[] outerSig = null;
        if (top.tag() == Tlv.AUTHENTICATION) {
            List<Tlv> parts = top.children();
            if (parts.size() != 3
                    || parts.get(0).tag() != Tlv.CV_CERTIFICATE
                    || parts.get(1).tag() != Tlv.CA_REFERENCE
                    || parts.get(2).tag() != Tlv.SIGNATURE) {
                throw new CvException(
                        CvException.Code.MALFORMED, "an authentication is a request, a CAR and a signature");
            }
            inner = parts.get(0);
            outerCar = HolderReference.decode(parts.get(1).value());
            outerSig = parts.get(2).value();
        } else if (top.tag() == Tlv.CV_CERTIFICATE) {
            inner = top;
        } else {
            throw new CvException(CvException.Code.MALFORMED, "not a CV request (7F21 or 67)");
        }
        List<Tlv> parts = inner.children();
        if (parts.size() != 2
                || parts.get(0).tag() != Tlv.CERTIFICATE_BODY
                || parts.get(1).tag() != Tlv.SIGNATURE) {
            throw new CvException(CvException.Code.MALFORMED, "a CV request is a body and a signature");
        }
        Tlv body = parts.get(0);
        Tlv key = body.required(Tlv.PUBLIC_KEY);
        if (!CvPublicKey.hasDomainParameters(key)) {
            throw new CvException(CvException.Code.WRONG_CURVE, "a request's key carries its domain parameters");
        }
        Optional<Tlv> car = body.child(Tlv.CA_REFERENCE);
        return new CvRequest(
                car.map(t -> HolderReference.decode(t.value())).orElse(null),
                CvPublicKey.decode(key, null),
                HolderReference.decode(body.required(Tlv.HOLDER_REFERENCE).value()),
                body.child(Tlv.CHAT).map(Chat::decode).orElse(null),
                body.encoded(),
                parts.get(1).value(),
                inner.encoded(),
                outerCar,
                outerSig);
    }
}
