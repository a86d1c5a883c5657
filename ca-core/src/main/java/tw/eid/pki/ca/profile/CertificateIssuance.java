package tw.eid.pki.ca.profile;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.ContentSigner;

/**
 * Two-phase certificate issuance, after Boulder's issuance/cert.go (Prepare, then Issue):
 *
 * <ol>
 *   <li>{@link #prepare}: build the TBSCertificate from the profile, the request and the issuer
 *       certificate (issuer name copied byte for byte from the issuer's subject, AKI from the
 *       issuer's SKI, a fresh 128-bit serial, validity from the injected clock); wrap it with the
 *       real signatureAlgorithm and a placeholder signature value of the real one's form
 *       ({@link LintSigners}), and run {@link ProfileLint} on the result. Any finding refuses
 *       issuance.
 *   <li>{@link #issue}: refuse unless the real signer's TBS would be byte-identical to the linted
 *       one (the signature AlgorithmIdentifier is inside the TBS), sign exactly the linted bytes
 *       with the real signer, re-parse the result, check its TBS bytes once more and verify its
 *       signature with the issuer's public key.
 * </ol>
 *
 * <p>Security guarantee: a certificate returned by {@link #issue} passed every lint of its
 * profile, and its signature verifies with the issuer's key; the real key never signs bytes the
 * lint has not seen.
 */
public final class CertificateIssuance {

    private final ProfileSettings settings;
    private final Clock clock;
    private final SerialNumbers serials;
    private final LintSigners lintSigners;
    private final ProfileLint lint;

    public CertificateIssuance(ProfileSettings settings, Clock clock, SecureRandom random) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.serials = new SerialNumbers(Objects.requireNonNull(random, "random"));
        this.lintSigners = new LintSigners(random);
        this.lint = new ProfileLint(settings);
    }

    /** Phase one for a self-signed profile (Citizen Root CA, CSCA). */
    public PreparedCertificate prepareSelfSigned(CertificateRequest request) {
        if (!request.profile().isSelfSigned()) {
            throw refused(request.profile().id() + " is not self-signed; prepare it with its issuer");
        }
        return prepare(request, null, request.subject(), request.subjectPublicKey());
    }

    /** Phase one for a profile issued by {@code issuer}. */
    public PreparedCertificate prepare(CertificateRequest request, CaCertificate issuer) {
        Objects.requireNonNull(issuer, "issuer");
        if (!request.profile().mayBeIssuedBy(issuer.profile())) {
            throw refused(request.profile().id() + " may not be issued by "
                    + issuer.profile().id());
        }
        // RFC 5280 §4.1.2.4: the issuer field is the issuer's subject; copying its bytes (and not
        // re-encoding a string form) keeps name chaining exact for every relying party.
        X500Name issuerName = X500Name.getInstance(ProfileLint.rawSubject(issuer.certificate()));
        return prepare(request, issuer, issuerName, issuer.certificate().getSubjectPublicKeyInfo());
    }

    private PreparedCertificate prepare(
            CertificateRequest request, CaCertificate issuer, X500Name issuerName, SubjectPublicKeyInfo issuerKey) {
        CertificateProfile profile = request.profile();
        AlgorithmIdentifier algorithm;
        PublicKeyType issuerType;
        try {
            issuerType = PublicKeyType.of(issuerKey);
            algorithm = SignatureAlgorithms.forKeyType(issuerType);
        } catch (IllegalArgumentException e) {
            throw refused("issuer key not usable: " + e.getMessage());
        }
        Instant now = Asn1Times.seconds(clock.instant());
        Instant firstIssuance = request.firstIssuance();
        if (firstIssuance != null
                && (firstIssuance.isAfter(now)
                        || !CertificateProfile.renewalCap(firstIssuance).isAfter(now))) {
            // docs/profiles.md: a key is certified for 8 years at most in all; a first issuance in the
            // future is a data error.
            throw refused(profile.id() + " renewal refused: the key's first issuance " + firstIssuance
                    + " is in the future or more than " + CertificateProfile.CITIZEN_RENEWAL_CAP_YEARS + " years ago");
        }
        CertificateProfile.Validity validity = profile.validity(settings, now, firstIssuance, issuer);
        Extensions extensions = ProfileExtensions.build(request, settings, issuer, validity);
        PreparedCertificate prepared = new PreparedCertificate(
                profile,
                issuer,
                serials.next(),
                issuerName,
                request.subject(),
                validity,
                request.subjectPublicKey(),
                issuerKey,
                extensions,
                algorithm);

        byte[] lintCertificate =
                RealSignature.signAndWrap(lintSigners.signer(algorithm, issuerType), prepared.lintedTbs());
        List<LintFinding> findings;
        try {
            X509CertificateHolder candidate = new X509CertificateHolder(lintCertificate);
            findings =
                    issuer == null ? lint.checkSelfSigned(profile, candidate) : lint.check(request, candidate, issuer);
        } catch (IOException e) {
            findings = List.of(new LintFinding("encoding", "the lint certificate does not parse: " + e.getMessage()));
        }
        if (!findings.isEmpty()) {
            throw new IssuanceRefusedException(
                    IssuanceRefusedException.Code.LINT_FAILED,
                    profile.id() + " certificate refused by the lint",
                    findings,
                    null);
        }
        return prepared;
    }

    /**
     * Phase two: sign the linted TBS with the real (token) signer and check the result. Production
     * code calls it only through CertificateWriter, which stores the prepared
     * certificate first (issue 14: no signed certificate without its stored row).
     */
    public X509CertificateHolder issue(PreparedCertificate prepared, ContentSigner signer) {
        Objects.requireNonNull(prepared, "prepared");
        Objects.requireNonNull(signer, "signer");
        AlgorithmIdentifier algorithm = signer.getAlgorithmIdentifier();
        // The signature AlgorithmIdentifier is part of the TBS (RFC 5280 §4.1.2.3): the TBS the real
        // signer would produce must be byte-identical to the linted one.
        byte[] realTbs = ProfileLint.der(prepared.tbs(algorithm));
        if (!Arrays.equals(realTbs, prepared.lintedTbs())) {
            throw new IssuanceRefusedException(
                    IssuanceRefusedException.Code.TBS_MISMATCH,
                    "the signer's algorithm " + algorithm.getAlgorithm() + " would change the linted TBS of "
                            + prepared.profile().id());
        }
        byte[] signed = RealSignature.signAndWrap(signer, prepared.lintedTbs());
        X509CertificateHolder certificate;
        try {
            certificate = new X509CertificateHolder(signed);
        } catch (IOException e) {
            throw new IssuanceRefusedException(
                    IssuanceRefusedException.Code.TBS_MISMATCH,
                    "the signed certificate does not parse: " + e.getMessage());
        }
        if (!Arrays.equals(RealSignature.tbsOf(signed), prepared.lintedTbs())) {
            throw new IssuanceRefusedException(
                    IssuanceRefusedException.Code.TBS_MISMATCH,
                    "the signed certificate's TBS differs from the linted one");
        }
        if (!RealSignature.verifies(
                prepared.issuerPublicKey(), algorithm, prepared.lintedTbs(), certificate.getSignature())) {
            throw new IssuanceRefusedException(
                    IssuanceRefusedException.Code.BAD_SIGNATURE,
                    "the " + prepared.profile().id() + " signature does not verify with the issuer's public key");
        }
        return certificate;
    }

    private static IssuanceRefusedException refused(String message) {
        return new IssuanceRefusedException(IssuanceRefusedException.Code.BAD_REQUEST, message);
    }
}
