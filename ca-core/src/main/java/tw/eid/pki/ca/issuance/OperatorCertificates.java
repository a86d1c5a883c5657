package tw.eid.pki.ca.issuance;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.profile.CertificateIssuance;
import tw.eid.pki.ca.profile.CertificateRequest;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.hsm.Token;

/**
 * Certificates of the RA Operators CA: operators' client certificates (one role each, as a policy
 * OID) and the RA API's TLS server certificate. Same two-phase order as citizen issuance, through
 * {@link CertificateWriter}: a failure after the signature leaves the serial revoked and audited; every
 * certificate is recorded, so the RA API can check an operator's status on every request.
 */
public final class OperatorCertificates {
    private final Token token;
    private final IssuingCa ca;
    private final ProfileSettings settings;
    private final CertificateIssuance issuance;
    private final CertificateWriter writer;
    private final AuditLedger audit;

    public OperatorCertificates(
            Database database,
            Token token,
            IssuingCa raOperatorsCa,
            ProfileSettings settings,
            AuditLedger audit,
            Clock clock,
            SecureRandom random) {
        this.token = Objects.requireNonNull(token, "token");
        this.ca = Objects.requireNonNull(raOperatorsCa, "raOperatorsCa");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.issuance = new CertificateIssuance(settings, clock, random);
        this.audit = Objects.requireNonNull(audit, "audit");
        this.writer = new CertificateWriter(database, audit, clock);
    }

    /** An operator's client certificate: CN = operator id, OU = office, the role as its one policy. */
    public X509CertificateHolder issueOperator(
            Actor actor, String operatorId, String office, OperatorRole role, SubjectPublicKeyInfo key) {
        CertificateRequest request = CertificateRequest.operator(
                settings.names(), new CertificateRequest.Operator(operatorId, office, role), key);
        return issue(
                actor,
                "operator.issue",
                request,
                AuditDetails.of().put("operator", operatorId).put("role", role.id()));
    }

    /** The RA API's TLS server certificate for {@code hostNames}. */
    public X509CertificateHolder issueTlsServer(Actor actor, List<String> hostNames, SubjectPublicKeyInfo key) {
        CertificateRequest request =
                CertificateRequest.raTlsServer(settings.names(), new CertificateRequest.RaTlsServer(hostNames), key);
        return issue(actor, "ra-tls.issue", request, AuditDetails.of().put("hosts", hostNames.size()));
    }

    private X509CertificateHolder issue(Actor actor, String action, CertificateRequest request, AuditDetails details) {
        return writer.issue(
                issuance,
                actor.event(action, ca.name(), AuditResult.FAILURE),
                ca.name(),
                request,
                ca.certificate(),
                () -> token.signer(ca.keyLabel()),
                (c, certificate) -> {
                    String serialHex = certificate.getSerialNumber().toString(16);
                    audit.append(
                            c,
                            actor.event(action, ca.name() + "/" + serialHex, AuditResult.SUCCESS)
                                    .withDetails(details));
                    return certificate;
                });
    }
}
