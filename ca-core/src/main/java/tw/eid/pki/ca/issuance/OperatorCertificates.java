package tw.eid.pki.ca.issuance;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.profile.CertificateIssuance;
import tw.eid.pki.ca.profile.CertificateRequest;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ca.profile.PreparedCertificate;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.hsm.Token;

/**
 * Certificates of the RA Operators CA: operators' client certificates (one role each, as a policy
 * OID) and the RA API's TLS server certificate. Same two-phase order as citizen issuance; every
 * certificate is recorded, so the RA API can check an operator's status on every request.
 */
public final class OperatorCertificates {
    private final Database database;
    private final Token token;
    private final IssuingCa ca;
    private final ProfileSettings settings;
    private final CertificateIssuance issuance;
    private final AuditLedger audit;
    private final Clock clock;

    public OperatorCertificates(Database database, Token token, IssuingCa raOperatorsCa, ProfileSettings settings,
                                AuditLedger audit, Clock clock, SecureRandom random) {
        this.database = Objects.requireNonNull(database, "database");
        this.token = Objects.requireNonNull(token, "token");
        this.ca = Objects.requireNonNull(raOperatorsCa, "raOperatorsCa");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.issuance = new CertificateIssuance(settings, clock, random);
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** An operator's client certificate: CN = operator id, OU = office, the role as its one policy. */
    public X509CertificateHolder issueOperator(Actor actor, String operatorId, String office, OperatorRole role,
                                               SubjectPublicKeyInfo key) {
        CertificateRequest request = CertificateRequest.operator(settings.names(),
                new CertificateRequest.Operator(operatorId, office, role), key);
        return issue(actor, "operator.issue", request, key, "{\"operator\":\"" + operatorId + "\",\"role\":\"" + role.id() + "\"}");
    }

    /** The RA API's TLS server certificate for {@code hostNames}. */
    public X509CertificateHolder issueTlsServer(Actor actor, List<String> hostNames, SubjectPublicKeyInfo key) {
        CertificateRequest request = CertificateRequest.raTlsServer(settings.names(),
                new CertificateRequest.RaTlsServer(hostNames), key);
        return issue(actor, "ra-tls.issue", request, key, "{\"hosts\":" + hostNames.size() + "}");
    }

    private X509CertificateHolder issue(Actor actor, String action, CertificateRequest request, SubjectPublicKeyInfo key,
                                        String details) {
        byte[] keyHash = sha256(key);
        PreparedCertificate prepared = database.inTransaction(c -> {
            PreparedCertificate p = issuance.prepare(request, ca.certificate());
            CertificateRows.storePrepared(c, ca.name(), p, null, keyHash, null, clock.instant());
            return p;
        });
        X509CertificateHolder certificate = issuance.issue(prepared, token.signer(ca.keyLabel()));
        String serialHex = prepared.serialNumber().toString(16);
        return database.inTransaction(c -> {
            Instant now = clock.instant();
            CertificateRows.makeGood(c, ca.name(), serialHex, certificate, now);
            audit.append(c, actor.event(action, ca.name() + "/" + serialHex, AuditResult.SUCCESS).withDetails(details));
            return certificate;
        });
    }

    private static byte[] sha256(SubjectPublicKeyInfo key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getEncoded("DER"));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
