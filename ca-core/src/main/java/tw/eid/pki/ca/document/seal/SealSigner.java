package tw.eid.pki.ca.document.seal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.ContentSigner;
import tw.eid.pki.hsm.Token;

/**
 * Signs seals with a seal signer's key in the online token: ECDSA P-256 with SHA-256 over the header
 * and message zone, the token's DER signature turned into the seal's plain r||s. The header names
 * the signer as {@code TW} and its 2-character signer code, and the signer certificate's serial (in
 * upper-case hex) as the certificate reference. Every signature is checked with the certificate's
 * public key before the seal is handed back.
 *
 * <p>The signature date is the calendar day in Taiwan ({@link #ZONE}) on the injected clock.
 */
public final class SealSigner {
    /** Seals carry calendar days; ours are Taiwan's. */
    public static final ZoneId ZONE = ZoneId.of("Asia/Taipei");

    private static final Pattern SIGNER_CODE = Pattern.compile("[A-Z0-9]{2}");
    private static final int P256_FIELD_BYTES = 32;

    private final Token token;
    private final String keyLabel;
    private final X509CertificateHolder certificate;
    private final String signerIdentifier;
    private final Clock clock;

    public SealSigner(Token token, String keyLabel, X509CertificateHolder certificate, String signerCode, Clock clock) {
        if (!SIGNER_CODE.matcher(signerCode).matches()) {
            throw new SealException(SealException.Code.UNENCODABLE, "a signer code is 2 of A-Z 0-9");
        }
        this.token = token;
        this.keyLabel = keyLabel;
        this.certificate = certificate;
        this.signerIdentifier = "TW" + signerCode;
        this.clock = clock;
    }

    /** The header's certificate reference for {@code certificate}: its serial in upper-case hex. */
    public static String certificateReference(X509CertificateHolder certificate) {
        return certificate.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
    }

    public String signerIdentifier() {
        return signerIdentifier;
    }

    /** A seal of the temporary certificate {@code content}, issued on {@code issueDate}. */
    public VisibleDigitalSeal sign(TemporaryCertificateContent content, LocalDate issueDate) {
        SealHeader header = TemporaryCertificateContent.header(
                signerIdentifier, certificateReference(certificate), issueDate, LocalDate.now(clock.withZone(ZONE)));
        return sign(header, content.features());
    }

    /** A seal of any header and features, signed by this signer. */
    public VisibleDigitalSeal sign(SealHeader header, List<SealFeature> features) {
        byte[] tbs = VisibleDigitalSeal.signedBytes(header, features);
        ContentSigner signer = token.signer(keyLabel, NISTObjectIdentifiers.id_sha256);
        try (OutputStream out = signer.getOutputStream()) {
            out.write(tbs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] plain = EcdsaSignatures.derToPlain(signer.getSignature(), P256_FIELD_BYTES);
        VisibleDigitalSeal seal = new VisibleDigitalSeal(header, features, plain);
        if (!SealVerifier.signatureVerifies(seal, SealVerifier.x509(certificate).getPublicKey())) {
            throw new IllegalStateException("the token's seal signature does not verify with the signer certificate");
        }
        return seal;
    }
}
