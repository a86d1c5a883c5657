package tw.eid.pki.ocsp;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.cert.X509CertificateHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.issuance.CaRows;
import tw.eid.pki.ca.issuance.CertificateWriter;
import tw.eid.pki.ca.profile.CaCertificate;
import tw.eid.pki.ca.profile.CertificateIssuance;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.CertificateRequest;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.CaReader;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.SqlCaStore;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.Token;

/**
 * Renews an online CA's delegated OCSP signer in the online token before it expires, without
 * downtime (issue 4): a new P-256 key generated in the token, a certificate issued directly by
 * the CA with the ocsp-signer profile through {@link CertificateWriter} (linted, stored revoked,
 * signed by the CA key in the same token), and one transaction that makes it good as a certificate
 * of the CA, records it as a CA row of kind {@code ocsp-signer}, and in the audit ledger. A failure
 * after the signature leaves the serial revoked and audited, and no signer row for any responder. Responders pick it up when they next load their authorities (the signer
 * most recently made valid wins); responses already signed by the old signer stay valid until the
 * updater re-signs them.
 *
 * <p>Run by the OCSP updater's lease holder only, so two processes do not renew at once.
 */
public final class OcspSignerRenewal {
    private static final Logger log = LoggerFactory.getLogger(OcspSignerRenewal.class);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

    private final Database database;
    private final Token token;
    private final ProfileSettings settings;
    private final AuditLedger audit;
    private final Clock clock;
    private final SecureRandom random;

    public OcspSignerRenewal(
            Database database,
            Token token,
            ProfileSettings settings,
            AuditLedger audit,
            Clock clock,
            SecureRandom random) {
        this.database = Objects.requireNonNull(database, "database");
        this.token = Objects.requireNonNull(token, "token");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** Whether {@code authority}'s signer has less than a third of its lifetime left at {@code now}. */
    static boolean due(OcspAuthority authority, Instant now) {
        Instant notBefore = authority.signerCertificate().getNotBefore().toInstant();
        Instant notAfter = authority.signerNotAfter();
        Duration lifetime = Duration.between(notBefore, notAfter);
        return !now.isBefore(notAfter.minus(lifetime.dividedBy(3)));
    }

    /** Renews when {@link #due}; the new signer's CA-row name, if renewed. */
    public Optional<String> renewIfDue(OcspAuthority authority) {
        return due(authority, clock.instant()) ? Optional.of(renew(authority)) : Optional.empty();
    }

    /** Makes a new signer for {@code authority}'s CA now; returns its CA-row name. */
    public String renew(OcspAuthority authority) {
        Instant now = clock.instant();
        String[] ca = caRow(authority.caName());
        CertificateProfile caProfile = profile(ca[0]);
        String stamp = STAMP.format(now);
        String name = authority.caName() + "-ocsp-" + stamp;
        String keyLabel = authority.caName() + "-ocsp-key-" + stamp;
        token.generateKeyPair(keyLabel, KeyAlgorithm.EC_P256);
        CertificateIssuance issuance = new CertificateIssuance(settings, clock, random);
        Actor updater = Actor.local("ocsp-updater");
        // Stored revoked before the CA key signs; the signer's CA row, the only thing a responder
        // loads, is written in the same final transaction that makes the certificate good. A
        // failure after the signature leaves a revoked serial and no signer to load.
        X509CertificateHolder cert = new CertificateWriter(database, audit, clock)
                .issue(
                        issuance,
                        updater.event("ocsp-signer.renew", authority.caName() + "/" + name, AuditResult.FAILURE),
                        authority.caName(),
                        new CertificateRequest(
                                CertificateProfile.OCSP_SIGNER,
                                settings.names().ocspResponder(caProfile),
                                token.publicKey(keyLabel)),
                        new CaCertificate(caProfile, authority.caCertificate()),
                        () -> token.signer(ca[1]),
                        (c, signed) -> {
                            CaRows.storePrepared(
                                    c,
                                    name,
                                    OcspAuthorities.SIGNER_KIND,
                                    signed.getSubject(),
                                    keyLabel,
                                    token.label(),
                                    now);
                            CaRows.certify(c, name, signed);
                            audit.append(
                                    c,
                                    updater.event(
                                                    "ocsp-signer.renew",
                                                    authority.caName() + "/" + name,
                                                    AuditResult.SUCCESS)
                                            .withDetails(AuditDetails.of()
                                                    .put(
                                                            "serial",
                                                            signed.getSerialNumber()
                                                                    .toString(16))
                                                    .put("key", keyLabel)
                                                    .put(
                                                            "notAfter",
                                                            signed.getNotAfter()
                                                                    .toInstant()
                                                                    .toString())
                                                    .put("replaces", authority.signerName())));
                            return signed;
                        });
        log.warn(
                "renewed the OCSP signer of '{}': '{}' until {} (replaces '{}', valid until {})",
                authority.caName(),
                name,
                cert.getNotAfter().toInstant(),
                authority.signerName(),
                authority.signerNotAfter());
        return name;
    }

    private String[] caRow(String caName) {
        CaReader.CaRow row = SqlCaStore.over(database)
                .byName(caName)
                .orElseThrow(() -> new IllegalStateException("CA '" + caName + "' is not in the store"));
        return new String[] {row.kind(), row.keyLabel()};
    }

    private static CertificateProfile profile(String kind) {
        for (CertificateProfile p : CertificateProfile.values()) {
            if (p.profileName().equals(kind)) {
                return p;
            }
        }
        throw new IllegalStateException("unknown CA kind " + kind);
    }
}
