package tw.eid.pki.ca.document;

import java.io.IOException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.issuance.IssuingCa;
import tw.eid.pki.ca.profile.CertificateIssuance;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.CertificateRequest;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.KeyInfo;
import tw.eid.pki.hsm.Token;

/**
 * The CSCA key rollover ceremony (ICAO 9303-12 §5.1.1; PROFILES.md "Link certificate"): in the
 * offline token, a new CSCA key; its self-signed CSCA certificate; and the link certificate in
 * which the <em>old</em> CSCA key certifies the new one (old → new, the only direction ICAO
 * defines), so a verifier that trusts the old CSCA learns the new one. Both certificates pass
 * their profile lint before the real signatures. Recorded in one transaction with the audit event:
 * the new CSCA as a {@code ca} row (kind csca) with its self-signed certificate, the link
 * certificate as a certificate of the old CSCA (profile csca-link) so the old CSCA's CRL can list
 * it if it is ever revoked, and the old CSCA's row marked SUPERSEDED (it still verifies what it
 * signed and still signs its CRLs; it certifies no new Document Signer).
 */
public final class CscaRollover {
    /** What the rollover made. */
    public record Result(String newCscaName, X509CertificateHolder selfSigned, X509CertificateHolder link) {}

    private final Database database;
    private final ProfileSettings settings;
    private final AuditLedger audit;
    private final Clock clock;
    private final SecureRandom random;

    public CscaRollover(Database database, ProfileSettings settings, AuditLedger audit, Clock clock, SecureRandom random) {
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
    public Result rollover(Actor actor, Token offlineToken, String oldName, String newName, String newKeyLabel,
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
            throw new IllegalStateException("token generated '" + newKeyLabel + "' without CKA_SENSITIVE or with CKA_EXTRACTABLE");
        }
        SubjectPublicKeyInfo newKey = key.publicKey();
        CertificateIssuance issuance = new CertificateIssuance(settings, clock, random);
        X509CertificateHolder selfSigned = issuance.issue(issuance.prepareSelfSigned(
                new CertificateRequest(CertificateProfile.CSCA, settings.names().csca(), newKey)),
                offlineToken.signer(newKeyLabel));
        X509CertificateHolder link = issuance.issue(issuance.prepare(
                new CertificateRequest(CertificateProfile.CSCA_LINK, settings.names().csca(), newKey), old.certificate()),
                offlineToken.signer(old.keyLabel()));
        Instant now = clock.instant();
        database.inTransaction(c -> {
            insertCa(c, newName, selfSigned, newKeyLabel, offlineToken.label(), now);
            insertCertificate(c, newName, CertificateProfile.CSCA, selfSigned, now);
            insertCertificate(c, oldName, CertificateProfile.CSCA_LINK, link, now);
            try (PreparedStatement ps = c.prepareStatement("UPDATE ca SET status = 'SUPERSEDED' WHERE name = ?")) {
                ps.setString(1, oldName);
                ps.executeUpdate();
            }
            audit.append(c, actor.event("csca.rollover", newName, AuditResult.SUCCESS).withDetails(
                    "{\"old\":\"" + oldName + "\",\"selfSignedSerial\":\"" + selfSigned.getSerialNumber().toString(16)
                            + "\",\"linkSerial\":\"" + link.getSerialNumber().toString(16) + "\"}"));
            return null;
        });
        return new Result(newName, selfSigned, link);
    }

    private static void insertCa(Connection c, String name, X509CertificateHolder cert, String keyLabel, String tokenLabel,
                                 Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ca (name, kind, subject_der, certificate_der, key_label,"
                + " token_label, status, created_at) VALUES (?, 'csca', ?, ?, ?, ?, 'ACTIVE', ?)")) {
            ps.setString(1, name);
            ps.setBytes(2, cert.getSubject().getEncoded("DER"));
            ps.setBytes(3, cert.getEncoded());
            ps.setString(4, keyLabel);
            ps.setString(5, tokenLabel);
            ps.setObject(6, DatabaseTime.toColumn(now));
            ps.executeUpdate();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void insertCertificate(Connection c, String caName, CertificateProfile profile, X509CertificateHolder cert,
                                  Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO certificate (ca_name, serial_hex, profile, status,"
                + " not_before, not_after, tbs_der, der, public_key_sha256, created_at, updated_at)"
                + " VALUES (?, ?, ?, 'GOOD', ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, caName);
            ps.setString(2, cert.getSerialNumber().toString(16));
            ps.setString(3, profile.id());
            ps.setObject(4, DatabaseTime.toColumn(cert.getNotBefore().toInstant()));
            ps.setObject(5, DatabaseTime.toColumn(cert.getNotAfter().toInstant()));
            ps.setBytes(6, cert.toASN1Structure().getTBSCertificate().getEncoded("DER"));
            ps.setBytes(7, cert.getEncoded());
            ps.setBytes(8, DocumentSignerPool.sha256(cert.getSubjectPublicKeyInfo().getEncoded("DER")));
            ps.setObject(9, DatabaseTime.toColumn(now));
            ps.setObject(10, DatabaseTime.toColumn(now));
            ps.executeUpdate();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
