package tw.eid.pki.ca.document.seal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.LocalDate;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * Verifies a temporary ID certificate's seal, offline: the library call for verifiers that hold
 * the CSCA certificates and the seal signer certificates (the relying-party endpoint adds the
 * store's status and revocation on top).
 *
 * <p>What it judges: the bytes are a seal of this profile; the signer certificate named in the
 * header is known, was issued by one of the CSCAs (its signature verifies with the CSCA's key and
 * its issuer is the CSCA's subject) and was within its validity on the seal's signature date; the
 * ECDSA P-256/SHA-256 signature over header and message zone verifies with its key; and
 * {@code today} is within the certificate's validity days.
 */
public final class SealVerifier {

    /** Finds the signer certificate a header names. */
    @FunctionalInterface
    public interface SignerDirectory {
        Optional<X509Certificate> find(String signerIdentifier, String certificateReference);

        /** A directory over {@code signers}: the certificate whose serial is the reference. */
        static SignerDirectory of(List<X509Certificate> signers) {
            return (id, reference) -> signers.stream()
                    .filter(c -> c.getSerialNumber()
                            .toString(16)
                            .toUpperCase(Locale.ROOT)
                            .equals(reference))
                    .findFirst();
        }
    }

    /** The verdict on one seal. {@link #valid()} is every check passing. */
    public record Verification(
            VisibleDigitalSeal seal,
            TemporaryCertificateContent content,
            Optional<X509Certificate> signer,
            boolean signerIssuedByCsca,
            boolean signerValidAtSignature,
            boolean signatureValid,
            boolean withinValidity) {
        public boolean valid() {
            return signer.isPresent()
                    && signerIssuedByCsca
                    && signerValidAtSignature
                    && signatureValid
                    && withinValidity;
        }
    }

    private final List<X509Certificate> cscas;
    private final SignerDirectory signers;

    public SealVerifier(List<X509Certificate> cscas, SignerDirectory signers) {
        this.cscas = List.copyOf(cscas);
        this.signers = signers;
    }

    /**
     * The verdict on {@code sealBytes} on the calendar day {@code today}; bytes that are not a seal
     * of this profile throw {@link SealException} (MALFORMED or WRONG_PROFILE).
     */
    public Verification verify(byte[] sealBytes, LocalDate today) {
        VisibleDigitalSeal seal = VisibleDigitalSeal.parse(sealBytes);
        TemporaryCertificateContent content = TemporaryCertificateContent.of(seal);
        SealHeader h = seal.header();
        Optional<X509Certificate> signer = signers.find(h.signerIdentifier(), h.certificateReference());
        boolean issued = signer.map(this::issuedByCsca).orElse(false);
        boolean validAtSignature = signer.map(c -> within(c, h.signatureDate())).orElse(false);
        boolean signatureValid =
                signer.map(c -> signatureVerifies(seal, c.getPublicKey())).orElse(false);
        boolean within = !today.isBefore(content.validFrom()) && !today.isAfter(content.validUntil());
        return new Verification(seal, content, signer, issued, validAtSignature, signatureValid, within);
    }

    /** Whether the seal's r||s verifies over its header and message zone with {@code key}. */
    public static boolean signatureVerifies(VisibleDigitalSeal seal, PublicKey key) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initVerify(key);
            s.update(seal.signedBytes());
            return s.verify(EcdsaSignatures.plainToDer(seal.signature()));
        } catch (GeneralSecurityException | SealException e) {
            return false;
        }
    }

    private boolean issuedByCsca(X509Certificate signer) {
        for (X509Certificate csca : cscas) {
            if (!csca.getSubjectX500Principal().equals(signer.getIssuerX500Principal())) {
                continue;
            }
            try {
                signer.verify(csca.getPublicKey());
                return true;
            } catch (GeneralSecurityException e) {
                // another CSCA of the same name (a rollover) may have signed it
            }
        }
        return false;
    }

    private static boolean within(X509Certificate c, LocalDate day) {
        Date start = Date.from(day.atStartOfDay(SealSigner.ZONE).toInstant());
        Date end = Date.from(
                day.plusDays(1).atStartOfDay(SealSigner.ZONE).toInstant().minusMillis(1));
        return !c.getNotAfter().before(start) && !c.getNotBefore().after(end);
    }

    static X509Certificate x509(X509CertificateHolder holder) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(holder.getEncoded()));
        } catch (CertificateException | IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
