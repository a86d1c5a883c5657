package tw.eid.pki.ca.cvc;

import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.ASN1UTF8String;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.hsm.Token;

/**
 * Agency authorization records and the terminal certificates issued under them. An officer records
 * the agency with its terminal's first CV request (the review is the authentication: no agency role
 * exists); a different person, a supervisor, approves it, and the first terminal certificate is issued
 * then. Renewals come from the terminal, authenticated by the outer signature of its current key, and
 * are issued without a new review while the record stands. A suspended, revoked or ended record stops
 * all issuance (EAC has no revocation list). A refused request stores nothing and audits nothing.
 */
public final class AgencyAuthorizations {
    private final Database database;
    private final AuditLedger audit;
    private final Clock clock;

    public AgencyAuthorizations(Database database, AuditLedger audit, Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    /**
     * The officer's act: checks the record and the terminal's first request (well formed, inner
     * signature, key on the DV's curve, CHR with the record's mnemonic, rights asked within the
     * record) and stores the record as REQUESTED.
     */
    public long request(Actor officer, AgencyRecord record, byte[] firstRequest) {
        if (!record.endDate().isAfter(today())) {
            throw new CvException(CvException.Code.VALIDITY, "the record's end date has passed");
        }
        CvRequest req = checkRequest(record, firstRequest);
        return database.inTransaction(c -> {
            // A CHR mnemonic names one record for good (the unique index): refused up front, not at the index.
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT id FROM cv_agency_record WHERE holder_mnemonic = ?")) {
                ps.setString(1, record.holderMnemonic());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        throw new CvException(
                                CvException.Code.HOLDER_REFERENCE,
                                "the mnemonic " + record.holderMnemonic() + " is record " + rs.getLong(1)
                                        + "'s: choose another");
                    }
                }
            }
            long id;
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO cv_agency_record (agency, legal_basis, terminal_type, rights, sector_key_hash,"
                            + " description_der, max_validity_days, end_date, holder_mnemonic, first_request, status,"
                            + " requested_by, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'REQUESTED', ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, record.agency());
                ps.setString(2, record.legalBasis());
                ps.setString(3, record.type().name());
                ps.setString(4, rightsColumn(record.rights()));
                ps.setBytes(5, record.sectorKeyHash());
                ps.setBytes(6, record.description().encoded());
                ps.setInt(7, record.maxValidityDays());
                ps.setDate(8, Date.valueOf(record.endDate()));
                ps.setString(9, record.holderMnemonic());
                ps.setBytes(10, firstRequest);
                ps.setString(11, officer.id());
                ps.setObject(12, DatabaseTime.toColumn(clock.instant()));
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    id = keys.getLong(1);
                }
            }
            audit.append(
                    c,
                    officer.event("cv.agency.request", "cv-agency/" + id, AuditResult.SUCCESS)
                            .withDetails(AuditDetails.of()
                                    .put("type", record.type().name())
                                    .put("rights", rightsColumn(record.rights()))
                                    .put("endDate", record.endDate().toString())
                                    .put("maxValidityDays", record.maxValidityDays())
                                    .put("chr", req.chr().toString())));
            return id;
        });
    }

    /**
     * The supervisor's act: approves a REQUESTED record (never the officer who recorded it) and issues
     * the first terminal certificate from the request uploaded with it, signed by the current DV.
     */
    public CvCertificate approve(Actor supervisor, long id, Token online) {
        AgencyRecord record = load(id);
        if (record.status() != AgencyRecord.Status.REQUESTED) {
            throw new CvException(CvException.Code.CONFLICT, "record " + id + " is " + record.status());
        }
        if (record.requestedBy().equals(supervisor.id())) {
            throw new CvException(CvException.Code.SELF_APPROVAL, "the officer who recorded it cannot approve it");
        }
        byte[] first = database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT first_request FROM cv_agency_record WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBytes(1);
                }
            }
        });
        CvRequest req = checkRequest(record, first);
        return issue(supervisor, record, req, null, online, "cv.agency.approve", AgencyRecord.Status.REQUESTED);
    }

    /**
     * A renewal from the terminal: an authenticated request whose outer CAR names a terminal
     * certificate of this system that is still valid today, whose outer signature verifies with that
     * certificate's key, and whose record is ACTIVE. {@code validityDays} is what the terminal asks
     * (null: the record's maximum).
     */
    public CvCertificate renew(Actor terminal, byte[] authenticatedRequest, Integer validityDays, Token online) {
        CvRequest req = CvRequest.parse(authenticatedRequest);
        if (!req.authenticated()) {
            throw new CvException(CvException.Code.BAD_OUTER_SIGNATURE, "a renewal is an authenticated request");
        }
        CvRows.Row current = database.inTransaction(c -> CvRows.byChr(c, CvKind.TERMINAL, req.outerCar()))
                .orElseThrow(() -> new CvException(
                        CvException.Code.BAD_OUTER_SIGNATURE, "the outer CAR names no terminal certificate"));
        CvCertificate.Body cur = current.certificate().body();
        if (today().isAfter(cur.expiration()) || today().isBefore(cur.effective())) {
            throw new CvException(
                    CvException.Code.BAD_OUTER_SIGNATURE, "the outer signature's certificate is not valid today");
        }
        if (!req.outerSignatureValid(cur.publicKey())) {
            throw new CvException(CvException.Code.BAD_OUTER_SIGNATURE, "the outer signature does not verify");
        }
        AgencyRecord record = load(current.agencyRecord());
        checkRequest(record, authenticatedRequest);
        return issue(terminal, record, req, validityDays, online, "cv.terminal.renew", AgencyRecord.Status.ACTIVE);
    }

    /**
     * The supervisor's other decision: refuses a REQUESTED record (never the officer who recorded it).
     * It becomes REFUSED for good, with the decider and the time; nothing is issued, and the key of its
     * first request is free again for a new record.
     */
    public void refuse(Actor supervisor, long id) {
        database.inTransaction(c -> {
            AgencyRecord r = read(c, id, true);
            if (r.status() != AgencyRecord.Status.REQUESTED) {
                throw new CvException(CvException.Code.CONFLICT, "record " + id + " is " + r.status());
            }
            if (r.requestedBy().equals(supervisor.id())) {
                throw new CvException(CvException.Code.SELF_APPROVAL, "the officer who recorded it cannot decide it");
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE cv_agency_record SET status = 'REFUSED', decided_by = ?, decided_at = ? WHERE id = ?")) {
                ps.setString(1, supervisor.id());
                ps.setObject(2, DatabaseTime.toColumn(clock.instant()));
                ps.setLong(3, id);
                ps.executeUpdate();
            }
            audit.append(c, supervisor.event("cv.agency.refuse", "cv-agency/" + id, AuditResult.SUCCESS));
            return null;
        });
    }

    /** Suspends an ACTIVE record: no terminal certificate is issued under it until it is resumed. */
    public void suspend(Actor supervisor, long id) {
        transition(supervisor, id, "cv.agency.suspend", AgencyRecord.Status.ACTIVE, AgencyRecord.Status.SUSPENDED);
    }

    public void resume(Actor supervisor, long id) {
        transition(supervisor, id, "cv.agency.resume", AgencyRecord.Status.SUSPENDED, AgencyRecord.Status.ACTIVE);
    }

    /** Revokes a record for good (from REQUESTED, ACTIVE or SUSPENDED). */
    public void revoke(Actor supervisor, long id) {
        transition(supervisor, id, "cv.agency.revoke", null, AgencyRecord.Status.REVOKED);
    }

    public AgencyRecord load(long id) {
        return database.inTransaction(c -> read(c, id, false));
    }

    private CvCertificate issue(
            Actor actor,
            AgencyRecord record,
            CvRequest req,
            Integer validityDays,
            Token online,
            String action,
            AgencyRecord.Status requiredStatus) {
        if (record.status() != requiredStatus) {
            throw new CvException(
                    CvException.Code.RECORD_NOT_ACTIVE, "record " + record.id() + " is " + record.status());
        }
        LocalDate today = today();
        if (today.isAfter(record.endDate())) {
            throw new CvException(
                    CvException.Code.RECORD_NOT_ACTIVE, "record " + record.id() + " ended " + record.endDate());
        }
        int days = validityDays == null ? record.maxValidityDays() : validityDays;
        if (days < 1 || days > record.maxValidityDays()) {
            throw new CvException(
                    CvException.Code.VALIDITY,
                    "the record allows 1.." + record.maxValidityDays() + " days of validity");
        }
        LocalDate expiration = today.plusDays(days - 1L);
        if (expiration.isAfter(record.endDate())) {
            if (validityDays != null) {
                throw new CvException(
                        CvException.Code.VALIDITY, "the validity runs past the record's end " + record.endDate());
            }
            expiration = record.endDate();
        }
        CvRows.Row dv = database.inTransaction(c -> CvRows.currentDv(c, record.type(), today))
                .orElseThrow(() -> new CvException(CvException.Code.NOT_FOUND, "no valid " + record.type() + " DV"));
        if (expiration.isAfter(dv.certificate().body().expiration())) {
            expiration = dv.certificate().body().expiration();
        }
        CvProfile.TERMINAL.check(today, expiration);
        if (!online.label().equals(dv.tokenLabel())) {
            throw new CvException(CvException.Code.CONFLICT, "the DV key is in token '" + dv.tokenLabel() + "'");
        }
        if (!req.publicKey().curve().equals(dv.curve())) {
            throw new CvException(CvException.Code.WRONG_CURVE, "the terminal key is not on the DV's curve");
        }
        Chat chat = req.askedChat() == null
                ? record.chat()
                : new Chat(record.type(), CvRole.TERMINAL, req.askedChat().rights());
        CvCertificate cert = CvCertificate.sign(
                new CvCertificate.Body(
                        dv.certificate().body().chr(),
                        req.publicKey(),
                        req.chr(),
                        chat,
                        today,
                        expiration,
                        record.description().hash(),
                        record.sectorKeyHash()),
                () -> online.signer(dv.keyLabel()),
                dv.certificate().body().publicKey());
        LocalDate exp = expiration;
        database.inTransaction(c -> {
            AgencyRecord now = read(c, record.id(), true);
            if (now.status() != requiredStatus) {
                throw new CvException(
                        CvException.Code.RECORD_NOT_ACTIVE, "record " + record.id() + " is " + now.status());
            }
            if (requiredStatus == AgencyRecord.Status.REQUESTED) {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE cv_agency_record SET status = 'ACTIVE', decided_by = ?, decided_at = ? WHERE id = ?")) {
                    ps.setString(1, actor.id());
                    ps.setObject(2, DatabaseTime.toColumn(clock.instant()));
                    ps.setLong(3, record.id());
                    ps.executeUpdate();
                }
            }
            CvRows.insert(c, CvKind.TERMINAL, cert, null, null, record.id(), clock.instant());
            audit.append(
                    c,
                    actor.event(action, "cv-agency/" + record.id(), AuditResult.SUCCESS)
                            .withDetails(AuditDetails.of()
                                    .put("chr", req.chr().toString())
                                    .put("car", dv.certificate().body().chr().toString())
                                    .put("rights", rightsColumn(chat.rights()))
                                    .put("expiration", exp.toString())));
            return null;
        });
        return cert;
    }

    /** The request checks shared by the first request and renewals. */
    private CvRequest checkRequest(AgencyRecord record, byte[] encoded) {
        // A stored record's own first request is not a reuse of its key.
        CvRequest req = CvRequest.parse(encoded);
        if (!req.innerSignatureValid()) {
            throw new CvException(CvException.Code.BAD_INNER_SIGNATURE, "the inner signature does not verify");
        }
        if (!req.chr().mnemonic().equals(record.holderMnemonic())) {
            throw new CvException(
                    CvException.Code.HOLDER_REFERENCE,
                    "the CHR's mnemonic is not the record's " + record.holderMnemonic());
        }
        if (req.askedChat() != null && !record.chat().covers(req.askedChat())) {
            throw new CvException(CvException.Code.RIGHTS, "the request asks for rights beyond the record");
        }
        CvRows.Row dv = database.inTransaction(c -> CvRows.currentDv(c, record.type(), today()))
                .orElseThrow(() -> new CvException(CvException.Code.NOT_FOUND, "no valid " + record.type() + " DV"));
        if (!req.publicKey().curve().equals(dv.curve())) {
            throw new CvException(CvException.Code.WRONG_CURVE, "the terminal key is not on the DV's curve");
        }
        if (!req.chr().country().equals(dv.certificate().body().chr().country())) {
            throw new CvException(CvException.Code.HOLDER_REFERENCE, "the CHR's country is not the DV's");
        }
        boolean chrUsed = database.inTransaction(c -> CvRows.byChr(c, CvKind.TERMINAL, req.chr()))
                .isPresent();
        if (chrUsed) {
            throw new CvException(
                    CvException.Code.HOLDER_REFERENCE,
                    "CHR " + req.chr() + " was issued before: use the next sequence number");
        }
        checkKeyUnused(req.publicKey(), record.id());
        return req;
    }

    private void checkKeyUnused(CvPublicKey key, long ownRecord) {
        byte[] hash = CvSignatures.sha256(key.point());
        boolean used = database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM cv_certificate WHERE key_use = 'TERMINAL' AND public_key_sha256 = ?")) {
                ps.setBytes(1, hash);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return true;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT first_request FROM cv_agency_record WHERE status IN ('REQUESTED', 'ACTIVE', 'SUSPENDED')"
                            + " AND id <> ?")) {
                ps.setLong(1, ownRecord);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (CvRequest.parse(rs.getBytes(1)).publicKey().equals(key)) {
                            return true;
                        }
                    }
                }
            }
            return false;
        });
        if (used) {
            throw new CvException(CvException.Code.KEY_REUSED, "this terminal key was certified or requested before");
        }
    }

    private void transition(Actor actor, long id, String action, AgencyRecord.Status from, AgencyRecord.Status to) {
        database.inTransaction(c -> {
            AgencyRecord r = read(c, id, true);
            boolean allowed = from == null
                    ? r.status() != AgencyRecord.Status.REVOKED && r.status() != AgencyRecord.Status.REFUSED
                    : r.status() == from;
            if (!allowed) {
                throw new CvException(CvException.Code.CONFLICT, "record " + id + " is " + r.status());
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE cv_agency_record SET status = ? WHERE id = ?")) {
                ps.setString(1, to.name());
                ps.setLong(2, id);
                ps.executeUpdate();
            }
            audit.append(
                    c,
                    actor.event(action, "cv-agency/" + id, AuditResult.SUCCESS)
                            .withDetails(
                                    AuditDetails.of().put("from", r.status().name())));
            return null;
        });
    }

    private static AgencyRecord read(Connection c, long id, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT agency, legal_basis, terminal_type, rights,"
                + " sector_key_hash, description_der, max_validity_days, end_date, holder_mnemonic, status,"
                + " requested_by, decided_by FROM cv_agency_record WHERE id = ?" + (lock ? " FOR UPDATE" : ""))) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new CvException(CvException.Code.NOT_FOUND, "no agency record " + id);
                }
                return new AgencyRecord(
                        id,
                        rs.getString(1),
                        rs.getString(2),
                        TerminalType.valueOf(rs.getString(3)),
                        Arrays.stream(rs.getString(4).split(","))
                                .map(AccessRight::fromId)
                                .collect(Collectors.toCollection(() -> EnumSet.noneOf(AccessRight.class))),
                        rs.getBytes(5),
                        description(rs.getBytes(6)),
                        rs.getInt(7),
                        rs.getDate(8).toLocalDate(),
                        rs.getString(9),
                        AgencyRecord.Status.valueOf(rs.getString(10)),
                        rs.getString(11),
                        rs.getString(12));
            }
        }
    }

    private static CertificateDescription description(byte[] der) {
        ASN1Sequence seq = ASN1Sequence.getInstance(der);
        List<String> texts = new ArrayList<>();
        for (int i = 1; i < seq.size(); i++) {
            texts.add(ASN1UTF8String.getInstance(
                            ASN1TaggedObject.getInstance(seq.getObjectAt(i)).getExplicitBaseObject())
                    .getString());
        }
        return new CertificateDescription(texts.get(0), texts.get(1), texts.get(2));
    }

    static String rightsColumn(Set<AccessRight> rights) {
        return rights.stream().sorted().map(AccessRight::id).collect(Collectors.joining(","));
    }
}
