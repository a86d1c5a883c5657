package tw.eid.pki.ca.document;

import java.io.IOException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.PrivateKeyUsagePeriod;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.issuance.CertificateWriter;
import tw.eid.pki.ca.issuance.IssuingCa;
import tw.eid.pki.ca.profile.CertificateIssuance;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.CertificateRequest;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.hsm.Token;

/**
 * The CSCA's batch ceremony for Document Signers (docs/profiles.md: "CSCA, at a ceremony, in batches
 * ahead of need"): the CSCA key, in the offline token opened by k custodians, certifies up to
 * {@code count} DS keys that were generated ahead in the online token ({@link
 * DocumentSignerPool#generate}); only their public keys, from the store, reach this ceremony.
 *
 * <p>Each certificate goes through {@link CertificateWriter} (lint, then the stored serial and TBS,
 * revoked until the final write, then the token's signature, then GOOD with its DER), exactly as
 * the online CAs issue; the batch is made good in one final write, and a failure leaves all its
 * serials revoked and audited. Its private key usage period starts at {@code usageStart} (the ceremony's
 * time, or a later date for a batch prepared ahead for the next quarter) and lasts the configured
 * DS key usage (≤ 90 days). The DS rows become CERTIFIED in the final write; the pool takes them in
 * the order their usage periods end.
 */
public final class DocumentSignerCeremony {
    /** One certified DS. */
    public record Certified(String keyLabel, int number, X509CertificateHolder certificate) {}

    private final Database database;
    private final ProfileSettings settings;
    private final AuditLedger audit;
    private final Clock clock;
    private final SecureRandom random;

    public DocumentSignerCeremony(
            Database database, ProfileSettings settings, AuditLedger audit, Clock clock, SecureRandom random) {
        this.database = Objects.requireNonNull(database, "database");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * Certifies up to {@code count} GENERATED DS keys with CSCA {@code cscaName}, whose key is in
     * {@code offlineToken}. {@code usageStart} null means now. Returns what was certified (possibly
     * fewer than asked when fewer keys wait).
     */
    public List<Certified> certify(Actor actor, Token offlineToken, String cscaName, int count, Instant usageStart) {
        return certify(actor, offlineToken, cscaName, count, usageStart, SignerPurpose.SOD);
    }

    /**
     * As above, for the GENERATED keys of {@code purpose}: Document Signers under profile {@code
     * document-signer}, seal signers under {@code seal-signer}; audited {@code ds.certify} or {@code
     * seal.certify}.
     */
    public List<Certified> certify(
            Actor actor, Token offlineToken, String cscaName, int count, Instant usageStart, SignerPurpose purpose) {
        if (count < 1 || count > 100) {
            throw new IllegalArgumentException("count must be 1..100");
        }
        IssuingCa csca = IssuingCa.load(database, cscaName);
        if (csca.certificate().profile() != CertificateProfile.CSCA) {
            throw new IllegalArgumentException(
                    "CA '" + cscaName + "' is a " + csca.certificate().profile().profileName() + ", not a CSCA");
        }
        String status = database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT status FROM ca WHERE name = ?")) {
                ps.setString(1, cscaName);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        });
        if (!"ACTIVE".equals(status)) {
            // A rolled-over CSCA still verifies what it signed and signs its CRLs, but certifies no new DS.
            throw new IllegalArgumentException(
                    "CSCA '" + cscaName + "' is " + status + ": certify with the current CSCA");
        }
        Instant now = clock.instant();
        Instant start = usageStart == null ? now : usageStart;
        if (start.isBefore(now.minusSeconds(60))) {
            throw new IllegalArgumentException("a DS usage period cannot start in the past");
        }
        CertificateIssuance issuance = new CertificateIssuance(settings, Clock.fixed(start, ZoneOffset.UTC), random);

        record Pending(String label, int number, CertificateWriter.Pending stored) {}
        CertificateWriter.Batch batch = new CertificateWriter(database, audit, clock)
                .begin(issuance, actor.event(purpose.prefix() + ".certify", cscaName, AuditResult.FAILURE));
        List<Pending> pending = database.inTransaction(c -> {
            List<Pending> list = new ArrayList<>();
            int number = nextNumber(c, purpose);
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT key_label, public_key_der, public_key_sha256"
                            + " FROM document_signer WHERE state = 'GENERATED' AND purpose = ? ORDER BY generated_at, key_label LIMIT ? FOR UPDATE")) {
                ps.setString(1, purpose.column());
                ps.setInt(2, count);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        SubjectPublicKeyInfo key = SubjectPublicKeyInfo.getInstance(rs.getBytes(2));
                        list.add(new Pending(
                                rs.getString(1),
                                number,
                                batch.prepare(
                                        c,
                                        cscaName,
                                        new CertificateRequest(
                                                purpose.profile(), purpose.subject(settings.names(), number), key),
                                        csca.certificate(),
                                        null,
                                        rs.getBytes(3),
                                        null)));
                        number++;
                    }
                }
            }
            for (Pending p : list) {
                try (PreparedStatement ps =
                        c.prepareStatement("UPDATE document_signer SET ds_number = ? WHERE key_label = ?")) {
                    ps.setInt(1, p.number());
                    ps.setString(2, p.label());
                    ps.executeUpdate();
                }
            }
            return list;
        });

        // The batch is one ceremony: every DS is signed, then all become good and CERTIFIED in one
        // transaction; a failure anywhere leaves every serial of the batch revoked, and the keys
        // GENERATED for the next ceremony.
        List<Certified> done = new ArrayList<>();
        for (Pending p : pending) {
            done.add(new Certified(
                    p.label(), p.number(), batch.sign(p.stored(), () -> offlineToken.signer(csca.keyLabel()))));
        }
        if (done.isEmpty()) {
            return done;
        }
        return batch.finish(c -> {
            for (Certified d : done) {
                X509CertificateHolder cert = d.certificate();
                String serial = cert.getSerialNumber().toString(16);
                try (PreparedStatement ps = c.prepareStatement("UPDATE document_signer SET state = 'CERTIFIED',"
                        + " csca_name = ?, serial_hex = ?, certificate_der = ?, usage_not_before = ?, usage_not_after = ?,"
                        + " certified_at = ? WHERE key_label = ? AND state = 'GENERATED'")) {
                    ps.setString(1, cscaName);
                    ps.setString(2, serial);
                    ps.setBytes(3, cert.getEncoded());
                    Instant[] usage = usagePeriod(cert);
                    ps.setObject(4, DatabaseTime.toColumn(usage[0]));
                    ps.setObject(5, DatabaseTime.toColumn(usage[1]));
                    ps.setObject(6, DatabaseTime.toColumn(now));
                    ps.setString(7, d.keyLabel());
                    if (ps.executeUpdate() != 1) {
                        throw new SQLException("DS key " + d.keyLabel() + " is no longer GENERATED");
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                audit.append(
                        c,
                        actor.event(purpose.prefix() + ".certify", d.keyLabel(), AuditResult.SUCCESS)
                                .withDetails(AuditDetails.of()
                                        .put("csca", cscaName)
                                        .put("serial", serial)
                                        .put("number", d.number())));
            }
            return done;
        });
    }

    /**
     * The next "Document Signer NNN" (or "Seal Signer NNN"): one past the highest of the purpose in
     * the pool, or, for Document Signers, in the ca table's DS rows.
     */
    private static int nextNumber(Connection c, SignerPurpose purpose) throws SQLException {
        int max = 0;
        try (PreparedStatement ps =
                c.prepareStatement("SELECT COALESCE(MAX(ds_number), 0) FROM document_signer WHERE purpose = ?")) {
            ps.setString(1, purpose.column());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                max = rs.getInt(1);
            }
        }
        if (purpose != SignerPurpose.SOD) {
            return max + 1;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM ca WHERE kind = 'document-signer'"
                        + " AND key_label NOT IN (SELECT key_label FROM document_signer)");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            max += rs.getInt(1);
        }
        return max + 1;
    }

    /** privateKeyUsagePeriod notBefore and notAfter of a DS certificate. */
    static Instant[] usagePeriod(X509CertificateHolder cert) {
        PrivateKeyUsagePeriod p = PrivateKeyUsagePeriod.getInstance(
                cert.getExtension(Extension.privateKeyUsagePeriod).getParsedValue());
        try {
            return new Instant[] {
                p.getNotBefore().getDate().toInstant(),
                p.getNotAfter().getDate().toInstant()
            };
        } catch (ParseException e) {
            throw new IllegalStateException("privateKeyUsagePeriod does not parse", e);
        }
    }
}
