package tw.eid.pki.ca.profile;

import java.io.IOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.CertificateList;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.operator.ContentSigner;

/**
 * The CRLs of the offline CAs, signed at ceremonies: the Citizen Root ARL and the CSCA CRL
 * (docs/profiles.md). The same two phases as {@link CertificateIssuance}: {@link #prepare} builds the
 * TBSCertList, signs it with a throwaway key and runs {@link CrlLint}; {@link #sign} signs the
 * linted bytes with the token, then checks TBS identity and the signature. The publisher only
 * serves the result.
 */
public final class OfflineCrls {

    private final ProfileSettings settings;
    private final Clock clock;
    private final LintSigners lintSigners;
    private final CrlLint lint;

    public OfflineCrls(ProfileSettings settings, Clock clock, SecureRandom random) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lintSigners = new LintSigners(Objects.requireNonNull(random, "random"));
        this.lint = new CrlLint(settings);
    }

    /**
     * Phase one: the CRL of {@code issuer} numbered {@code crlNumber} (the ceremony keeps the
     * sequence; RFC 5280 §5.2.3: monotonically increasing), listing {@code entries}; thisUpdate is
     * now, nextUpdate now plus the profile's configured lifetime.
     */
    public PreparedCrl prepare(
            CrlProfile profile, CaCertificate issuer, BigInteger crlNumber, List<RevokedEntry> entries) {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(crlNumber, "crlNumber");
        if (issuer.profile() != profile.issuer()) {
            throw refused(profile.id() + " is signed by " + profile.issuer().id() + ", not "
                    + issuer.profile().id());
        }
        if (crlNumber.signum() < 0 || crlNumber.toByteArray().length > 20) {
            throw refused("CRL number must be non-negative and at most 20 octets (RFC 5280 §5.2.3)");
        }
        List<RevokedEntry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(RevokedEntry::serialNumber));
        Set<BigInteger> seen = new HashSet<>();
        for (RevokedEntry e : sorted) {
            if (!seen.add(e.serialNumber())) {
                throw refused("serial " + e.serialNumber().toString(16) + " is listed twice");
            }
        }
        AlgorithmIdentifier algorithm;
        PublicKeyType issuerType;
        try {
            issuerType = PublicKeyType.of(issuer.certificate().getSubjectPublicKeyInfo());
            algorithm = SignatureAlgorithms.forKeyType(issuerType);
        } catch (IllegalArgumentException e) {
            throw refused("issuer key not usable: " + e.getMessage());
        }
        Instant thisUpdate = Asn1Times.seconds(clock.instant());
        Instant nextUpdate = thisUpdate.plus(profile.lifetime(settings));
        // RFC 5280 §5.1.2.3: the CRL issuer field is the CA's subject, byte for byte.
        X500Name issuerName = X500Name.getInstance(ProfileLint.rawSubject(issuer.certificate()));
        PreparedCrl prepared =
                new PreparedCrl(profile, issuer, issuerName, crlNumber, thisUpdate, nextUpdate, sorted, algorithm);

        byte[] lintCrl = RealSignature.signAndWrap(lintSigners.signer(algorithm, issuerType), prepared.lintedTbs());
        List<LintFinding> findings;
        try {
            findings = lint.check(profile, new X509CRLHolder(lintCrl), issuer);
        } catch (IOException e) {
            findings = List.of(new LintFinding("encoding", "the lint CRL does not parse: " + e.getMessage()));
        }
        if (!findings.isEmpty()) {
            throw new IssuanceRefusedException(
                    IssuanceRefusedException.Code.LINT_FAILED, profile.id() + " refused by the lint", findings, null);
        }
        return prepared;
    }

    /** Phase two: sign the linted TBSCertList with the CA's token signer and check the result. */
    public X509CRLHolder sign(PreparedCrl prepared, ContentSigner signer) {
        Objects.requireNonNull(prepared, "prepared");
        Objects.requireNonNull(signer, "signer");
        AlgorithmIdentifier algorithm = signer.getAlgorithmIdentifier();
        if (!Arrays.equals(ProfileLint.der(prepared.tbs(algorithm)), prepared.lintedTbs())) {
            throw new IssuanceRefusedException(
                    IssuanceRefusedException.Code.TBS_MISMATCH,
                    "the signer's algorithm " + algorithm.getAlgorithm() + " would change the linted TBS of "
                            + prepared.profile().id());
        }
        byte[] signed = RealSignature.signAndWrap(signer, prepared.lintedTbs());
        X509CRLHolder crl;
        try {
            crl = new X509CRLHolder(signed);
        } catch (IOException e) {
            throw new IssuanceRefusedException(
                    IssuanceRefusedException.Code.TBS_MISMATCH, "the signed CRL does not parse: " + e.getMessage());
        }
        if (!Arrays.equals(RealSignature.tbsOf(signed), prepared.lintedTbs())) {
            throw new IssuanceRefusedException(
                    IssuanceRefusedException.Code.TBS_MISMATCH, "the signed CRL's TBS differs from the linted one");
        }
        CertificateList list = crl.toASN1Structure();
        if (!RealSignature.verifies(
                prepared.issuer().certificate().getSubjectPublicKeyInfo(),
                algorithm,
                prepared.lintedTbs(),
                list.getSignature().getOctets())) {
            throw new IssuanceRefusedException(
                    IssuanceRefusedException.Code.BAD_SIGNATURE,
                    "the " + prepared.profile().id() + " signature does not verify with the CA's public key");
        }
        return crl;
    }

    private static IssuanceRefusedException refused(String message) {
        return new IssuanceRefusedException(IssuanceRefusedException.Code.BAD_REQUEST, message);
    }
}
