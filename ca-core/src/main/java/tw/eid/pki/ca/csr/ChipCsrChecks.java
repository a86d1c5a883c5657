package tw.eid.pki.ca.csr;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.pkcs.CertificationRequestInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import tw.eid.pki.ca.csr.CsrRejectedException.Code;
import tw.eid.pki.ca.profile.PublicKeyType;

/**
 * The checks on a PKCS#10 request (RFC 2986) that a card's chip generated and signed on-chip and
 * that the personalization line submits. One entry point, {@link #check(byte[])}.
 *
 * <p>Security guarantees: a request is accepted only if (1) it is at most
 * {@link CsrLimits#maxDerBytes()} of strict DER, checked by a bounded pre-scan before any parser
 * allocates and by re-encoding after parsing; (2) its signature algorithm is SHA-2 based; (3) its
 * key is P-256 or P-384 with a valid uncompressed point, or RSA-2048/3072/4096 with exponent 65537
 * and no small factor, no ROCA fingerprint and no Fermat-close primes; (4) its signature verifies
 * with that key, so whoever submitted it holds the private key. The subject and attributes are
 * not looked at beyond their encoding: the certificate's subject comes from the RA's data.
 *
 * <p>Stateless and thread-safe.
 */
public final class ChipCsrChecks {

    /** Bouncy Castle's provider, unregistered: the JDK's EC is slow, and BC's RSA checks the modulus. */
    private static final Provider BC = new BouncyCastleProvider();

    private final CsrLimits limits;

    public ChipCsrChecks() {
        this(CsrLimits.DEFAULT);
    }

    public ChipCsrChecks(CsrLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Checks a request given as DER, or as PEM text holding a single {@code CERTIFICATE REQUEST}
     * block.
     *
     * @return the request's public key and its type
     * @throws CsrRejectedException with the code of the first check that failed
     */
    public VerifiedCsr check(byte[] derOrPem) {
        Objects.requireNonNull(derOrPem, "derOrPem");
        byte[] der = CsrEncoding.der(derOrPem, limits);
        ASN1Primitive parsed = CsrEncoding.parseStrict(der, new DerScanner(limits.maxNesting()));
        CertificationRequest request = certificationRequest(parsed, der);

        boolean ecdsa = CsrSignaturePolicy.checkAlgorithm(request.getSignatureAlgorithm());
        SubjectPublicKeyInfo spki = request.getCertificationRequestInfo().getSubjectPublicKeyInfo();
        PublicKeyType keyType = new ChipKeyPolicy(limits.maxNesting()).check(spki);
        CsrSignaturePolicy.checkFitsKey(ecdsa, keyType);
        verifyProofOfPossession(request, ecdsa, spki);
        return new VerifiedCsr(spki, keyType);
    }

    /** RFC 2986 §4: CertificationRequest of three fields, CertificationRequestInfo version 0 (v1). */
    private static CertificationRequest certificationRequest(ASN1Primitive parsed, byte[] der) {
        try {
            ASN1Sequence outer = ASN1Sequence.getInstance(parsed);
            if (outer.size() != 3) {
                throw new IllegalArgumentException("CertificationRequest of " + outer.size() + " fields");
            }
            ASN1Sequence info = ASN1Sequence.getInstance(outer.getObjectAt(0));
            if (info.size() != 3 && info.size() != 4) {
                throw new IllegalArgumentException("CertificationRequestInfo of " + info.size() + " fields");
            }
            CertificationRequest request = CertificationRequest.getInstance(outer);
            CertificationRequestInfo requestInfo = request.getCertificationRequestInfo();
            if (requestInfo.getVersion().intValueExact() != 0) {
                throw new IllegalArgumentException("version other than v1(0)");
            }
            if (request.getSignature().getPadBits() != 0) {
                throw new IllegalArgumentException("signature BIT STRING with unused bits");
            }
            // The typed view must encode to what was read: nothing skipped or reinterpreted.
            CsrEncoding.requireSameDer(request, der);
            return request;
        } catch (CsrRejectedException e) {
            throw e;
        } catch (Exception e) {
            throw new CsrRejectedException(Code.MALFORMED, "not a PKCS#10 request: " + e.getMessage(), e);
        }
    }

    /**
     * RFC 2986 §3: the request is signed with the private key of the key it asks to certify. ECDSA
     * goes straight to a JCA {@code Signature} (Bouncy Castle's {@code ContentVerifierProvider}
     * prepares a second, "raw" verifier per call, which doubled the cost of this check); RSA keeps
     * the ContentVerifierProvider, which also reads RSASSA-PSS parameters.
     */
    private static void verifyProofOfPossession(
            CertificationRequest request, boolean ecdsa, SubjectPublicKeyInfo spki) {
        boolean valid;
        try {
            if (ecdsa) {
                PublicKey key = KeyFactory.getInstance("EC", BC)
                        .generatePublic(new X509EncodedKeySpec(spki.getEncoded(ASN1Encoding.DER)));
                Signature verifier = Signature.getInstance(
                        request.getSignatureAlgorithm().getAlgorithm().getId(), BC);
                verifier.initVerify(key);
                verifier.update(request.getCertificationRequestInfo().getEncoded(ASN1Encoding.DER));
                valid = verifier.verify(request.getSignature().getOctets());
            } else {
                ContentVerifierProvider verifier =
                        new JcaContentVerifierProviderBuilder().setProvider(BC).build(spki);
                valid = new PKCS10CertificationRequest(request).isSignatureValid(verifier);
            }
        } catch (GeneralSecurityException
                | IOException
                | OperatorCreationException
                | PKCSException
                | RuntimeException e) {
            throw new CsrRejectedException(
                    Code.BAD_PROOF_OF_POSSESSION,
                    "signature cannot be verified with the request's key: " + e.getMessage(),
                    e);
        }
        if (!valid) {
            throw new CsrRejectedException(
                    Code.BAD_PROOF_OF_POSSESSION, "signature does not verify with the request's own key");
        }
    }
}
