package tw.eid.pki.ca.revocation;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.metrics.CaMetrics;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.store.CertificateReader;
import tw.eid.pki.ca.store.CertificateReader.CertificateKey;
import tw.eid.pki.ca.store.CertificateReader.Lifecycle;
import tw.eid.pki.ca.store.CertificateStatus;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.SqlCertificateStore;

/**
 * Suspend (停用), resume (復用), revoke (廢止) and report a card lost, exactly as docs/profiles.md's
 * status rules say: suspend ↔ resume, revoke is final, a suspended certificate may be revoked, an
 * expired one no longer changes.
 *
 * <p>Each change is one transaction: the certificate row is locked, checked and updated, the
 * change is appended to the status change log and to the audit ledger, and the transaction commits
 * before the method returns. A refused change writes nothing but a REFUSED audit event.
 */
public final class RevocationService {
    private final Database database;
    private final CertificateReader certificates;
    private final AuditLedger audit;
    private final Clock clock;

    public RevocationService(Database database, AuditLedger audit, Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.certificates = SqlCertificateStore.over(database);
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** certificateHold: reversible by {@link #resume}. */
    public StatusChange suspend(Actor actor, String caName, String serialHex) {
        StatusChange done = change(
                actor,
                "certificate.suspend",
                caName,
                serialHex,
                CertificateStatus.HOLD,
                RevocationReason.CERTIFICATE_HOLD);
        CaMetrics.statusChanged("suspend", 1);
        return done;
    }

    /** Back to good: the certificate leaves the CRL (removeFromCRL in the next delta). */
    public StatusChange resume(Actor actor, String caName, String serialHex) {
        StatusChange done = change(actor, "certificate.resume", caName, serialHex, CertificateStatus.GOOD, null);
        CaMetrics.statusChanged("resume", 1);
        return done;
    }

    /** Revocation, final, with an RFC 5280 reason other than certificateHold. */
    public StatusChange revoke(Actor actor, String caName, String serialHex, RevocationReason reason) {
        if (reason == null || reason == RevocationReason.CERTIFICATE_HOLD) {
            throw new StatusChangeRefusedException(
                    StatusChangeRefusedException.Code.BAD_REASON,
                    "revoke needs an RFC 5280 reason other than certificateHold (suspend puts a certificate on hold)");
        }
        StatusChange done = change(actor, "certificate.revoke", caName, serialHex, CertificateStatus.REVOKED, reason);
        CaMetrics.statusChanged("revoke", 1);
        return done;
    }

    /**
     * Every good certificate bound to the card goes on hold, in one transaction: the loss report
     * stops the card everywhere at once. Certificates already on hold or revoked are left as they
     * are. Returns the changes made (possibly none).
     */
    public List<StatusChange> reportLost(Actor actor, String cardNumber) {
        List<StatusChange> done = database.inTransaction(c -> {
            List<StatusChange> changes = holdGoodOfCard(c, cardNumber, clock.instant());
            audit.append(
                    c,
                    actor.event("card.report-lost", cardNumber, AuditResult.SUCCESS)
                            .withDetails(AuditDetails.of().put("held", changes.size())));
            return changes;
        });
        CaMetrics.statusChanged("report_lost", done.size());
        return done;
    }

    /**
     * In the caller's transaction: every good, unexpired certificate bound to the card goes on hold
     * at {@code now} (locked, updated, logged). The caller audits. Returns the changes made.
     */
    public List<StatusChange> holdGoodOfCard(Connection c, String cardNumber, Instant now) throws SQLException {
        List<StatusChange> changes = new ArrayList<>();
        for (CertificateKey t : certificates.lockGoodOfCard(c, cardNumber, now)) {
            changes.add(apply(
                    c,
                    t.caName(),
                    t.serialHex(),
                    CertificateStatus.GOOD,
                    CertificateStatus.HOLD,
                    RevocationReason.CERTIFICATE_HOLD,
                    now));
        }
        return changes;
    }

    private StatusChange change(
            Actor actor,
            String action,
            String caName,
            String serialHex,
            CertificateStatus to,
            RevocationReason reason) {
        String target = caName + "/" + serialHex;
        try {
            return database.inTransaction(c -> {
                Instant now = clock.instant();
                CertificateStatus from = lockAndCheck(c, caName, serialHex, to, now);
                StatusChange change = apply(c, caName, serialHex, from, to, reason, now);
                audit.append(
                        c, actor.event(action, target, AuditResult.SUCCESS).withDetails(details(from, to, reason)));
                return change;
            });
        } catch (StatusChangeRefusedException e) {
            // The refusal is an act too: recorded, in its own transaction, with its code.
            database.inTransaction(c -> audit.append(
                    c,
                    actor.event(action, target, AuditResult.REFUSED)
                            .withErrorCode(e.code().id())));
            throw e;
        }
    }

    /** Locks the row and returns its current status if the state machine allows going to {@code to}. */
    private CertificateStatus lockAndCheck(
            Connection c, String caName, String serialHex, CertificateStatus to, Instant now) throws SQLException {
        Lifecycle row = certificates
                .lockForStatusChange(c, caName, serialHex)
                .orElseThrow(() -> refused(
                        StatusChangeRefusedException.Code.NOT_FOUND,
                        "no certificate " + serialHex + " of CA " + caName));
        StatusChangeRefusedException refused = refusal(serialHex, row.status(), row.issued(), row.notAfter(), to, now);
        if (refused != null) {
            throw refused;
        }
        return row.status();
    }

    /**
     * docs/profiles.md "Status rules" in one place: why a certificate in this state may not go to
     * {@code to}, or null if it may. Revoked is final, an expired or never-issued certificate no
     * longer changes, hold is not taken twice, and only a held certificate resumes.
     */
    public static StatusChangeRefusedException refusal(
            String serialHex,
            CertificateStatus from,
            boolean issued,
            Instant notAfter,
            CertificateStatus to,
            Instant now) {
        if (!issued) {
            return refused(
                    StatusChangeRefusedException.Code.NOT_ISSUED,
                    "certificate " + serialHex + " was never issued whole");
        }
        if (from == CertificateStatus.REVOKED) {
            return refused(
                    StatusChangeRefusedException.Code.ALREADY_REVOKED,
                    "certificate " + serialHex + " is revoked: revocation is final");
        }
        if (!now.isBefore(notAfter)) {
            return refused(StatusChangeRefusedException.Code.EXPIRED, "certificate " + serialHex + " has expired");
        }
        if (to == CertificateStatus.HOLD && from == CertificateStatus.HOLD) {
            return refused(
                    StatusChangeRefusedException.Code.ALREADY_ON_HOLD,
                    "certificate " + serialHex + " is already on hold");
        }
        if (to == CertificateStatus.GOOD && from != CertificateStatus.HOLD) {
            return refused(
                    StatusChangeRefusedException.Code.NOT_ON_HOLD, "certificate " + serialHex + " is not on hold");
        }
        return null;
    }

    /**
     * Updates the row and appends to the status change log, in the caller's transaction. For
     * callers that have locked and checked the row themselves (issuance superseding a previous
     * certificate in the transaction of the new one's final write).
     */
    public static StatusChange apply(
            Connection c,
            String caName,
            String serialHex,
            CertificateStatus from,
            CertificateStatus to,
            RevocationReason reason,
            Instant now)
            throws SQLException {
        long id = SqlCertificateStore.appendChange(
                c, caName, serialHex, from, to, reason == null ? null : reason.code(), now);
        return new StatusChange(id, caName, serialHex, from, to, reason, now);
    }

    /** A status change's audit details: from, to and, for a revocation, the RFC 5280 reason code. */
    private static AuditDetails details(CertificateStatus from, CertificateStatus to, RevocationReason reason) {
        AuditDetails d = AuditDetails.of().put("from", from.name()).put("to", to.name());
        return reason == null ? d : d.put("reason", reason.code());
    }

    private static StatusChangeRefusedException refused(StatusChangeRefusedException.Code code, String message) {
        return new StatusChangeRefusedException(code, message);
    }
}
