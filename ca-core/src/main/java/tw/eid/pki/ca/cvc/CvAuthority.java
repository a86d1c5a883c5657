package tw.eid.pki.ca.cvc;

import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.KeyInfo;
import tw.eid.pki.hsm.Token;

/**
 * The CVCA's ceremony acts (docs/profiles.md "Card-verifiable certificates"): the CVCA key made in
 * the offline token (opened by k of n custodians) with its self-signed certificate; a rollover to a
 * new CVCA key with the link certificate old → new; and a Document Verifier key made in the online
 * token and certified by the CVCA, a short act repeated at least every three months. Every
 * certificate is stored and audited in one transaction before it is returned; a refusal stores and
 * audits nothing. Dates are UTC calendar days from the injected clock.
 */
public final class CvAuthority {
    /** What a rollover made: the new CVCA's self-signed certificate and the link old → new. */
    public record Rollover(CvCertificate selfSigned, CvCertificate link) {}

    /** A DV certificate that expires within the warning period. */
    public record DvExpiry(HolderReference chr, TerminalType type, LocalDate expiration, long daysLeft) {}

    private final Database database;
    private final AuditLedger audit;
    private final Clock clock;

    public CvAuthority(Database database, AuditLedger audit, Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    /** Makes the CVCA key {@code keyLabel} in the offline token and its self-signed certificate. */
    public CvCertificate createCvca(
            Actor custodians, Token offline, String keyLabel, HolderReference chr, TerminalType type, Period validity) {
        LocalDate effective = today();
        LocalDate expiration = effective.plus(validity).minusDays(1);
        CvProfile.CVCA.check(effective, expiration);
        refuseTaken(CvKind.CVCA, chr);
        CvPublicKey key = generate(offline, keyLabel);
        CvCertificate cert = CvCertificate.sign(
                new CvCertificate.Body(chr, key, chr, Chat.all(type, CvRole.CVCA), effective, expiration, null, null),
                () -> offline.signer(keyLabel),
                key);
        store(custodians, "cv.cvca.create", CvKind.CVCA, cert, keyLabel, offline.label(), AuditDetails.of());
        return cert;
    }

    /**
     * Rolls the CVCA {@code oldChr} over to a new key {@code newKeyLabel} (CHR: the next sequence
     * number): the new self-signed certificate and the link certificate, in which the old key
     * certifies the new one with the new domain parameters, so a chip that trusts the old CVCA learns
     * the new one. The link runs as long as the new CVCA's certificate.
     */
    public Rollover rollover(
            Actor custodians, Token offline, HolderReference oldChr, String newKeyLabel, Period validity) {
        CvRows.Row old = database.inTransaction(c -> CvRows.byChr(c, CvKind.CVCA, oldChr))
                .orElseThrow(() -> new CvException(CvException.Code.NOT_FOUND, "no CVCA " + oldChr));
        requireToken(old, offline);
        HolderReference newChr = oldChr.next();
        LocalDate effective = today();
        LocalDate expiration = effective.plus(validity).minusDays(1);
        CvProfile.CVCA.check(effective, expiration);
        CvProfile.LINK.check(effective, expiration);
        refuseTaken(CvKind.CVCA, newChr);
        CvPublicKey key = generate(offline, newKeyLabel);
        TerminalType type = old.certificate().body().chat().type();
        Chat chat = Chat.all(type, CvRole.CVCA);
        CvCertificate selfSigned = CvCertificate.sign(
                new CvCertificate.Body(newChr, key, newChr, chat, effective, expiration, null, null),
                () -> offline.signer(newKeyLabel),
                key);
        CvCertificate link = CvCertificate.sign(
                new CvCertificate.Body(oldChr, key, newChr, chat, effective, expiration, null, null),
                () -> offline.signer(old.keyLabel()),
                old.certificate().body().publicKey());
        database.inTransaction(c -> {
            CvRows.insert(c, CvKind.CVCA, selfSigned, newKeyLabel, offline.label(), null, clock.instant());
            CvRows.insert(c, CvKind.LINK, link, null, null, null, clock.instant());
            audit.append(
                    c,
                    custodians
                            .event("cv.cvca.rollover", newChr.toString(), AuditResult.SUCCESS)
                            .withDetails(AuditDetails.of()
                                    .put("old", oldChr.toString())
                                    .put("expiration", expiration.toString())));
            return null;
        });
        return new Rollover(selfSigned, link);
    }

    /**
     * Makes the DV key {@code dvKeyLabel} in the online token and certifies it with the CVCA
     * {@code cvcaChr}'s key in the offline token. The DV never outlives the CVCA's certificate.
     */
    public CvCertificate certifyDv(
            Actor custodians,
            Token offline,
            HolderReference cvcaChr,
            Token online,
            String dvKeyLabel,
            HolderReference dvChr,
            CvRole role,
            Period validity) {
        if (role != CvRole.DV_DOMESTIC && role != CvRole.DV_FOREIGN) {
            throw new IllegalArgumentException("a DV's role is DV_DOMESTIC or DV_FOREIGN");
        }
        CvRows.Row cvca = database.inTransaction(c -> CvRows.byChr(c, CvKind.CVCA, cvcaChr))
                .orElseThrow(() -> new CvException(CvException.Code.NOT_FOUND, "no CVCA " + cvcaChr));
        requireToken(cvca, offline);
        LocalDate effective = today();
        LocalDate expiration = effective.plus(validity).minusDays(1);
        CvProfile.DV.check(effective, expiration);
        if (expiration.isAfter(cvca.certificate().body().expiration())) {
            throw new CvException(CvException.Code.VALIDITY, "the DV would outlive the CVCA's certificate");
        }
        refuseTaken(CvKind.DV, dvChr);
        CvPublicKey key = generate(online, dvKeyLabel);
        if (!key.curve().equals(cvca.curve())) {
            throw new CvException(CvException.Code.WRONG_CURVE, "the DV key is not on the CVCA's curve");
        }
        CvCertificate cert = CvCertificate.sign(
                new CvCertificate.Body(
                        cvcaChr,
                        key,
                        dvChr,
                        Chat.all(cvca.certificate().body().chat().type(), role),
                        effective,
                        expiration,
                        null,
                        null),
                () -> offline.signer(cvca.keyLabel()),
                cvca.certificate().body().publicKey());
        store(
                custodians,
                "cv.dv.certify",
                CvKind.DV,
                cert,
                dvKeyLabel,
                online.label(),
                AuditDetails.of().put("cvca", cvcaChr.toString()));
        return cert;
    }

    /** DVs still valid today whose certificate expires within {@code ahead}: renew them at a ceremony. */
    public List<DvExpiry> dvExpiryWarnings(Period ahead) {
        LocalDate today = today();
        LocalDate horizon = today.plus(ahead);
        return database.inTransaction(c -> {
            List<DvExpiry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT chr, terminal_type, expiration_date FROM cv_certificate d WHERE kind = 'DV'"
                            + " AND expiration_date >= ? AND expiration_date <= ? AND NOT EXISTS (SELECT 1 FROM"
                            + " cv_certificate n WHERE n.kind = 'DV' AND n.terminal_type = d.terminal_type AND"
                            + " n.expiration_date > ?) ORDER BY expiration_date")) {
                ps.setDate(1, Date.valueOf(today));
                ps.setDate(2, Date.valueOf(horizon));
                ps.setDate(3, Date.valueOf(horizon));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        LocalDate exp = rs.getDate(3).toLocalDate();
                        out.add(new DvExpiry(
                                HolderReference.parse(rs.getString(1)),
                                TerminalType.valueOf(rs.getString(2)),
                                exp,
                                exp.toEpochDay() - today.toEpochDay()));
                    }
                }
            }
            return out;
        });
    }

    /**
     * The trust points chip personalization loads: every CVCA certificate and link certificate, oldest
     * first (a chip walks the links from the CVCA it knows).
     */
    public List<byte[]> trustPoints() {
        return database.inTransaction(c -> {
            List<byte[]> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT der FROM cv_certificate WHERE kind IN ('CVCA', 'LINK') ORDER BY id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getBytes(1));
                }
            }
            return out;
        });
    }

    private void refuseTaken(CvKind kind, HolderReference chr) {
        if (database.inTransaction(c -> CvRows.byChr(c, kind, chr)).isPresent()) {
            throw new CvException(CvException.Code.CONFLICT, "a " + kind + " certificate for " + chr + " exists");
        }
    }

    private static void requireToken(CvRows.Row row, Token token) {
        if (!token.label().equals(row.tokenLabel())) {
            throw new CvException(
                    CvException.Code.CONFLICT,
                    "the key of " + row.certificate().body().chr() + " is in token '" + row.tokenLabel() + "'");
        }
    }

    private static CvPublicKey generate(Token token, String label) {
        if (token.exists(label)) {
            throw new CvException(
                    CvException.Code.CONFLICT,
                    "token '" + token.label() + "' already holds '" + label + "': a ceremony never overwrites a key");
        }
        KeyInfo key = token.generateKeyPair(label, KeyAlgorithm.EC_P256);
        if (!key.sensitive() || key.extractable()) {
            throw new IllegalStateException(
                    "token generated '" + label + "' without CKA_SENSITIVE or with CKA_EXTRACTABLE");
        }
        return CvPublicKey.of(key.publicKey());
    }

    private void store(
            Actor actor,
            String action,
            CvKind kind,
            CvCertificate cert,
            String keyLabel,
            String tokenLabel,
            AuditDetails details) {
        database.inTransaction(c -> {
            CvRows.insert(c, kind, cert, keyLabel, tokenLabel, null, clock.instant());
            audit.append(
                    c,
                    actor.event(action, cert.body().chr().toString(), AuditResult.SUCCESS)
                            .withDetails(details.put("car", cert.body().car().toString())
                                    .put("expiration", cert.body().expiration().toString())));
            return null;
        });
    }
}
