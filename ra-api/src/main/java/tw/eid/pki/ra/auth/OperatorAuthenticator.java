package tw.eid.pki.ra.auth;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.PolicyInformation;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.CertificateStatus;
import tw.eid.pki.ra.store.CertificateRecord;
import tw.eid.pki.ra.store.CertificateRecords;

/**
 * Who is calling, decided on every request from the client certificate the TLS layer accepted
 * (docs/api.md: 401 without a valid client certificate). Checks again what the handshake checked
 * (issuer and signature, validity at the injected clock's time: a resumed TLS session skips the
 * handshake's checks), then what only the store knows: that the RA Operators CA issued exactly
 * this certificate and that it is neither on hold nor revoked. The role is the certificate's one
 * policy OID ({@link ProfileSettings#operatorRole}); the operator id is its CN.
 */
public final class OperatorAuthenticator {
    private static final Pattern OPERATOR_ID = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    private final X509Certificate operatorsCa;
    private final String operatorsCaName;
    private final CertificateRecords certificates;
    private final ProfileSettings settings;
    private final Clock clock;
    /** Keyed by the certificate object (X509Certificate equality is by its DER bytes). */
    private final ConcurrentHashMap<X509Certificate, Identity> identities = new ConcurrentHashMap<>();

    static final int IDENTITY_CACHE = 4096;

    public OperatorAuthenticator(
            X509Certificate operatorsCa,
            String operatorsCaName,
            CertificateRecords certificates,
            ProfileSettings settings,
            Clock clock) {
        this.operatorsCa = Objects.requireNonNull(operatorsCa, "operatorsCa");
        this.operatorsCaName = Objects.requireNonNull(operatorsCaName, "operatorsCaName");
        this.certificates = Objects.requireNonNull(certificates, "certificates");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The operator, or the reason for refusal. A store that cannot be reached throws its
     * StoreException (503): without the status, nobody is let in.
     */
    public AuthenticatedOperator authenticate(X509Certificate[] chain, String source, String destination)
            throws AuthenticationFailure {
        if (chain == null || chain.length == 0) {
            throw new AuthenticationFailure(AuthenticationFailure.Code.NO_CERTIFICATE, "no client certificate");
        }
        X509Certificate leaf = chain[0];
        if (!leaf.getIssuerX500Principal().equals(operatorsCa.getSubjectX500Principal())) {
            throw new AuthenticationFailure(AuthenticationFailure.Code.UNTRUSTED, "not issued by the RA Operators CA");
        }
        try {
            leaf.verify(operatorsCa.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new AuthenticationFailure(AuthenticationFailure.Code.UNTRUSTED, "not signed by the RA Operators CA");
        }
        try {
            leaf.checkValidity(Date.from(clock.instant()));
        } catch (CertificateExpiredException e) {
            throw new AuthenticationFailure(AuthenticationFailure.Code.EXPIRED, "the client certificate has expired");
        } catch (CertificateNotYetValidException e) {
            throw new AuthenticationFailure(
                    AuthenticationFailure.Code.NOT_YET_VALID, "the client certificate is not valid yet");
        }
        List<String> eku;
        try {
            eku = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            eku = null;
        }
        if (eku == null || !eku.contains(OperatorTrustManager.CLIENT_AUTH)) {
            throw new AuthenticationFailure(
                    AuthenticationFailure.Code.MALFORMED, "not a client authentication certificate");
        }
        Identity identity = identity(leaf);
        String operatorId = identity.operatorId()
                .orElseThrow(() -> new AuthenticationFailure(
                        AuthenticationFailure.Code.MALFORMED, "the client certificate has no usable operator id (CN)"));
        OperatorRole role = identity.role()
                .orElseThrow(() -> new AuthenticationFailure(
                        AuthenticationFailure.Code.NO_ROLE, "the client certificate names no single operator role"));

        String serial = leaf.getSerialNumber().toString(16);
        Optional<CertificateRecord> stored = certificates.find(operatorsCaName, serial);
        if (stored.isEmpty() || !sameBytes(stored.get().der(), leaf)) {
            throw new AuthenticationFailure(
                    AuthenticationFailure.Code.UNKNOWN, "the client certificate is not on record");
        }
        if (stored.get().status() != CertificateStatus.GOOD) {
            throw new AuthenticationFailure(
                    AuthenticationFailure.Code.REVOKED,
                    "the client certificate is "
                            + (stored.get().status() == CertificateStatus.HOLD ? "on hold" : "revoked"));
        }
        return new AuthenticatedOperator(operatorId, role, serial, new Actor(operatorId, source, destination));
    }

    /** What a certificate's bytes say about its holder: the operator id (CN) and the role (policy OID). */
    private record Identity(Optional<String> operatorId, Optional<OperatorRole> role) {}

    /**
     * The identity of {@code leaf}, parsed once per certificate object: the TLS layer hands the same
     * object to every request of a connection, and what its bytes say never changes (the status,
     * which does, is read from the store on every request). Bounded: at most {@link #IDENTITY_CACHE}
     * certificates, then the memo starts again.
     */
    private Identity identity(X509Certificate leaf) {
        Identity known = identities.get(leaf);
        if (known == null) {
            known = new Identity(operatorId(leaf), role(leaf));
            if (identities.size() >= IDENTITY_CACHE) {
                identities.clear();
            }
            identities.put(leaf, known);
        }
        return known;
    }

    private static boolean sameBytes(byte[] der, X509Certificate leaf) {
        try {
            return Arrays.equals(der, leaf.getEncoded());
        } catch (CertificateEncodingException e) {
            return false;
        }
    }

    private static Optional<String> operatorId(X509Certificate leaf) {
        try {
            RDN[] cns = X500Name.getInstance(leaf.getSubjectX500Principal().getEncoded())
                    .getRDNs(BCStyle.CN);
            if (cns.length != 1 || cns[0].isMultiValued()) {
                return Optional.empty();
            }
            String cn = IETFUtils.valueToString(cns[0].getFirst().getValue());
            return OPERATOR_ID.matcher(cn).matches() ? Optional.of(cn) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Exactly one policy, and it names a role (docs/profiles.md: one policy OID per role). */
    private Optional<OperatorRole> role(X509Certificate leaf) {
        byte[] ext = leaf.getExtensionValue(Extension.certificatePolicies.getId());
        if (ext == null) {
            return Optional.empty();
        }
        try {
            CertificatePolicies policies = CertificatePolicies.getInstance(
                    ASN1OctetString.getInstance(ext).getOctets());
            PolicyInformation[] info = policies.getPolicyInformation();
            if (info.length != 1) {
                return Optional.empty();
            }
            return settings.operatorRole(info[0].getPolicyIdentifier().getId());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
