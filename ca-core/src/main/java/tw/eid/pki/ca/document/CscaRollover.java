package tw.eid.pki.ca.document;

import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.Objects;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.issuance.CaRows;
import tw.eid.pki.ca.issuance.CertificateWriter;
import tw.eid.pki.ca.issuance.IssuingCa;
import tw.eid.pki.ca.profile.CertificateIssuance;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.CertificateRequest;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.KeyInfo;
import tw.eid.pki.hsm.Token;

/**
 * The CSCA key rollover ceremony (ICAO 9303-12 §5.1.1; docs/profiles.md "Link certificate"): in the
 * offline token, a new CSCA key; its self-signed CSCA certificate; and the link certificate in
 * which the <em>old</em> CSCA key certifies the new one (old → new, the only direction ICAO
 * defines), so a verifier that trusts the old CSCA learns the new one. Both certificates pass
 * their profile lint before the real signatures. Made good in one transaction with the audit event:
 * the new CSCA as a {@code ca} row (kind csca) with its self-signed certificate, the link
 * certificate as a certificate of the old CSCA (profile csca-link) so the old CSCA's CRL can list
 * it if it is ever revoked, and the old CSCA's row marked SUPERSEDED (it still verifies what it
 * signed and still signs its CRLs; it certifies no new Document Signer). Both certificates go
 * through {@link CertificateWriter}: stored revoked before the offline key signs, made good in that
 * one transaction; a rollover that fails after preparing leaves both serials revoked and audited.
 */
public final class CscaRollover {
    /** What the rollover made. */
    public record Result(String newCscaName, X509CertificateHolder selfSigned, X509CertificateHolder link) {}

    private final Database database;
    private final ProfileSettings settings;
    private final AuditLedger audit;
    private final Clock clock;
    private final SecureRandom random;

    public CscaRollover(
            Database database, ProfileSettings settings, AuditLedger audit, Clock clock, SecureRandom random) {
        this.database = Objects.requireNonNull(database, "database");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * Rolls CSCA {@code oldName} over to a new CSCA {@code newName} whose key {@code newKeyLabel} is
     * generated now in {@code offlineToken} (which must also hold the old CSCA's key).
     */
    public Result rollover(
            Actor actor,
            Token offlineToken,
            String oldName,
            String newName,
            String newKeyLabel,
            KeyAlgorithm algorithm) {
        if (newName == null || !newName.matches("[a-z0-9][a-z0-9-]{0,63}")) {
            throw new IllegalArgumentException("the new CSCA's name must be lower-case letters, digits and '-'");
        }
        IssuingCa old = IssuingCa.load(database, oldName);
        if (old.certificate().profile() != CertificateProfile.CSCA) {
            throw new IllegalArgumentException("CA '" + oldName + "' is not a CSCA");
        }
        if (offlineToken.exists(newKeyLabel)) {
            throw new IllegalArgumentException("token '" + offlineToken.label() + "' already holds '" + newKeyLabel
                    + "': a ceremony never overwrites a key");
        }
        KeyInfo key = offlineToken.generateKeyPair(newKeyLabel, algorithm);
        if (!key.sensitive() || key.extractable()) {
            throw new IllegalStateException(
                    "token generated '" + newKeyLabel + "' without CKA_SENSITIVE or with CKA_EXTRACTABLE");
        }
        SubjectPublicKeyInfo newKey = key.publicKey();
        CertificateIssuance issuance = new CertificateIssuance(settings, clock, random);
        CertificateWriter.Batch batch = new CertificateWriter(database, audit, clock)
                .begin(issuance, actor.event("csca.rollover", newName, AuditResult.FAILURE));
        // Both rows are stored before either key signs. The new CSCA's self-signed certificate is a
        // certificate of the new CSCA's own (PREPARED) CA row: if the rollover fails, that CA never
        // gets its certificate, so no CRL of it is ever signed and its revoked row lists on none. A
        // CRL signed by a key nobody trusts would tell nobody anything, and the certificate was never
        // published (only certified CSCAs reach the master list and /certs). The link certificate is
        // the old CSCA's: its next CRL lists the revoked serial.
        CertificateWriter.Pending[] pending = database.inTransaction(c -> {
            CaRows.storePrepared(
                    c,
                    newName,
                    CertificateProfile.CSCA.profileName(),
                    settings.names().csca(),
                    newKeyLabel,
                    offlineToken.label(),
                    clock.instant());
            return new CertificateWriter.Pending[] {
                batch.prepare(
                        c,
                        newName,
                        new CertificateRequest(
                                CertificateProfile.CSCA, settings.names().csca(), newKey),
                        null,
                        null,
                        null,
                        null),
                batch.prepare(
                        c,
                        oldName,
                        new CertificateRequest(
                                CertificateProfile.CSCA_LINK, settings.names().csca(), newKey),
                        old.certificate(),
                        null,
                        null,
                        null)
            };
        });
        X509CertificateHolder selfSigned = batch.sign(pending[0], () -> offlineToken.signer(newKeyLabel));
        X509CertificateHolder link = batch.sign(pending[1], () -> offlineToken.signer(old.keyLabel()));
        batch.finish(c -> {
            CaRows.certify(c, newName, selfSigned);
            try (PreparedStatement ps = c.prepareStatement("UPDATE ca SET status = 'SUPERSEDED' WHERE name = ?")) {
                ps.setString(1, oldName);
                ps.executeUpdate();
            }
            audit.append(
                    c,
                    actor.event("csca.rollover", newName, AuditResult.SUCCESS)
                            .withDetails(AuditDetails.of()
                                    .put("old", oldName)
                                    .put(
                                            "selfSignedSerial",
                                            selfSigned.getSerialNumber().toString(16))
                                    .put("linkSerial", link.getSerialNumber().toString(16))));
            return null;
        });
        return new Result(newName, selfSigned, link);
    }
}
