package tw.eid.pki.ca.approval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditEvent;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ca.revocation.StatusChange;
import tw.eid.pki.ca.revocation.StatusChangeRefusedException;
import tw.eid.pki.ca.store.CertificateReader;
import tw.eid.pki.ca.store.CertificateReader.Lifecycle;
import tw.eid.pki.ca.store.CertificateStatus;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.ca.store.SqlCertificateStore;

/**
 * The two-person rule (docs/api.md: {@code POST /revocations}, {@code GET /approvals}, {@code POST
 * /approvals/{id}/approve|reject}). One person requests an act; a second, never the requester,
 * approves or rejects it. An approved act is carried out in the transaction that marks it approved,
 * so it is done exactly once: concurrent deciders queue on the approval's row lock, and whoever
 * comes second finds it decided. Who may request and decide (supervisors) is the edge's role check;
 * this service only enforces that the two are different people.
 *
 * <p>A {@link BulkStatusChange} is <b>all or nothing</b>. Approval locks every named certificate
 * row (in serial order, so that two bulk acts or a bulk act and a loss report never deadlock),
 * checks that every one can make the transition under docs/profiles.md's status rules (issued, not
 * revoked, not expired; for suspend, not already on hold), and only then changes them all, each
 * through {@link RevocationService#apply} (row update and status change log). If any one cannot,
 * none is changed: the approval is recorded FAILED with the first offending serial in the
 * requester's order, and {@link ApprovalException.Code#TRANSITION_REFUSED} is thrown. A failed
 * approval is decided; the supervisor files a corrected request.
 *
 * <p>The same check runs, without locks, when the act is requested, so a request that could not be
 * carried out now is refused at once rather than waiting for a second supervisor. It is repeated
 * under the locks at approval, because the certificates may change in between.
 *
 * <p>Audit (docs/style.md #9): every request, approval and rejection is appended in its own
 * transaction as {@code approval.request}, {@code approval.approve}, {@code approval.reject} with
 * target {@code approval/<id>} and details naming the act's kind, size, CA, action and reason (no
 * serial list, no personal data); a refusal is recorded REFUSED with its code. An approved bulk act
 * also appends one {@code certificate.suspend} or {@code certificate.revoke} event per certificate
 * (actor: the approver; details: the approval id), so the hash-chained ledger itself says which
 * certificates changed, exactly as a one-by-one change would.
 */
public final class ApprovalService {

    /** Serials per locking SELECT: well under the 65,535 placeholders of a prepared statement. */
    static final int LOCK_CHUNK = 1_000;

    private static final String COLUMNS =
            "id, kind, payload, requested_by, requested_at, status, decided_by, decided_at, outcome";

    private final Database database;
    private final CertificateReader certificates;
    private final AuditLedger audit;
    private final Clock clock;

    public ApprovalService(Database database, AuditLedger audit, Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.certificates = SqlCertificateStore.over(database);
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Records {@code act} as pending, for a second person to decide. Nothing is changed yet.
     *
     * @throws ApprovalException TRANSITION_REFUSED if a named certificate could not make the
     *     transition now (the approval is not created)
     */
    public Approval request(Actor requester, ApprovalAct act) {
        Objects.requireNonNull(requester, "requester");
        Objects.requireNonNull(act, "act");
        try {
            return database.inTransaction(c -> {
                Instant now = now();
                Refusal refusal = check(c, act, now, false).refusal();
                if (refusal != null) {
                    throw refusal.exception();
                }
                long id;
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO approval (kind, payload, requested_by,"
                                + " requested_at, status) VALUES (?, ?, ?, ?, 'PENDING')",
                        Statement.RETURN_GENERATED_KEYS)) {
                    ps.setString(1, act.kind());
                    ps.setString(2, ApprovalJson.payload(act));
                    ps.setString(3, requester.id());
                    ps.setObject(4, DatabaseTime.toColumn(now));
                    ps.executeUpdate();
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        keys.next();
                        id = keys.getLong(1);
                    }
                }
                audit.append(
                        c,
                        requester
                                .event("approval.request", target(id), AuditResult.SUCCESS)
                                .withDetails(ApprovalJson.text(ApprovalJson.auditDetails(act))));
                return new Approval(id, act, requester.id(), now, ApprovalStatus.PENDING, null, null, null);
            });
        } catch (ApprovalException e) {
            ObjectNode details = ApprovalJson.auditDetails(act);
            if (e.serial() != null) {
                details.put("serial", e.serial());
            }
            recordRefusal(requester.event("approval.request", null, AuditResult.REFUSED), e, details);
            throw e;
        }
    }

    /** The pending approvals, oldest first. */
    public List<Approval> pending() {
        return database.inTransaction(c -> {
            List<Approval> approvals = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM approval WHERE status = 'PENDING' ORDER BY requested_at, id")) {
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        approvals.add(approval(rs));
                    }
                }
            }
            return approvals;
        });
    }

    /**
     * One approval, whatever its status.
     *
     * @throws ApprovalException NOT_FOUND
     */
    public Approval get(long id) {
        return database.inTransaction(c -> find(c, id, false));
    }

    /**
     * Approves a pending act and carries it out, in one transaction.
     *
     * @return the approval, APPROVED, with the outcome
     * @throws ApprovalException NOT_FOUND; SELF_APPROVAL if {@code approver} requested it;
     *     ALREADY_DECIDED; TRANSITION_REFUSED if the act cannot be carried out (the approval is then
     *     FAILED and nothing else changed)
     */
    public Approval approve(Actor approver, long id) {
        Objects.requireNonNull(approver, "approver");
        Decided decided;
        try {
            decided = database.inTransaction(c -> {
                Instant now = now();
                Approval pending = lockForDecision(c, approver, id);
                Checked checked = check(c, pending.act(), now, true);
                Refusal refusal = checked.refusal();
                if (refusal != null) {
                    ApprovalOutcome outcome =
                            ApprovalOutcome.failed(refusal.code().id(), refusal.serial());
                    Approval failed = decide(c, pending, ApprovalStatus.FAILED, approver, now, outcome);
                    ObjectNode details = ApprovalJson.auditDetails(pending.act());
                    details.put("serial", refusal.serial());
                    details.put("refusal", refusal.code().id());
                    audit.append(
                            c,
                            approver.event("approval.approve", target(id), AuditResult.REFUSED)
                                    .withErrorCode(ApprovalException.Code.TRANSITION_REFUSED.id())
                                    .withDetails(ApprovalJson.text(details)));
                    return new Decided(failed, refusal.exception());
                }
                List<StatusChange> changes = carryOut(c, pending.act(), checked.states(), now);
                Approval approved = decide(
                        c, pending, ApprovalStatus.APPROVED, approver, now, ApprovalOutcome.carriedOut(changes.size()));
                // Audit last: the ledger's head lock is then held only for the appends and the commit.
                for (StatusChange change : changes) {
                    audit.append(c, certificateEvent(approver, id, change));
                }
                audit.append(
                        c,
                        approver.event("approval.approve", target(id), AuditResult.SUCCESS)
                                .withDetails(ApprovalJson.text(ApprovalJson.auditDetails(pending.act()))));
                return new Decided(approved, null);
            });
        } catch (ApprovalException e) {
            recordRefusal(approver.event("approval.approve", target(id), AuditResult.REFUSED), e, null);
            throw e;
        }
        if (decided.failure() != null) {
            // Committed as FAILED and audited above; now tell the caller.
            throw decided.failure();
        }
        return decided.approval();
    }

    /**
     * Rejects a pending act: nothing is done, and it can no longer be approved.
     *
     * @throws ApprovalException NOT_FOUND; SELF_APPROVAL if {@code approver} requested it (a
     *     request is decided by a second person either way); ALREADY_DECIDED
     */
    public Approval reject(Actor approver, long id) {
        Objects.requireNonNull(approver, "approver");
        try {
            return database.inTransaction(c -> {
                Instant now = now();
                Approval pending = lockForDecision(c, approver, id);
                Approval rejected = decide(c, pending, ApprovalStatus.REJECTED, approver, now, null);
                audit.append(
                        c,
                        approver.event("approval.reject", target(id), AuditResult.SUCCESS)
                                .withDetails(ApprovalJson.text(ApprovalJson.auditDetails(pending.act()))));
                return rejected;
            });
        } catch (ApprovalException e) {
            recordRefusal(approver.event("approval.reject", target(id), AuditResult.REFUSED), e, null);
            throw e;
        }
    }

    private Instant now() {
        // What the DATETIME(6) column keeps, so the returned record equals the stored one.
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static String target(long id) {
        return "approval/" + id;
    }

    /** The refusal is an act too: recorded in its own transaction, with its code. */
    private void recordRefusal(AuditEvent event, ApprovalException e, ObjectNode details) {
        AuditEvent refused = event.withErrorCode(e.code().id());
        AuditEvent withDetails = details == null ? refused : refused.withDetails(ApprovalJson.text(details));
        database.inTransaction(c -> audit.append(c, withDetails));
    }

    private static AuditEvent certificateEvent(Actor approver, long approvalId, StatusChange change) {
        String action = change.to() == CertificateStatus.HOLD ? "certificate.suspend" : "certificate.revoke";
        ObjectNode details = ApprovalJson.object();
        details.put("approval", approvalId);
        details.put("from", change.from().name());
        details.put("to", change.to().name());
        details.put("reason", change.reason().code());
        return approver.event(action, change.caName() + "/" + change.serialHex(), AuditResult.SUCCESS)
                .withDetails(ApprovalJson.text(details));
    }

    // ---- the approval row ----

    private static Approval lockForDecision(Connection c, Actor approver, long id) throws SQLException {
        Approval approval = find(c, id, true);
        if (approval.requestedBy().equals(approver.id())) {
            throw new ApprovalException(
                    ApprovalException.Code.SELF_APPROVAL,
                    "approval " + id + " was requested by " + approver.id() + ": a second person decides it");
        }
        if (approval.status() != ApprovalStatus.PENDING) {
            throw new ApprovalException(
                    ApprovalException.Code.ALREADY_DECIDED,
                    "approval " + id + " is " + approval.status().name().toLowerCase() + " already");
        }
        return approval;
    }

    private static Approval find(Connection c, long id, boolean lock) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT " + COLUMNS + " FROM approval WHERE id = ?" + (lock ? " FOR UPDATE" : ""))) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new ApprovalException(ApprovalException.Code.NOT_FOUND, "no approval " + id);
                }
                return approval(rs);
            }
        }
    }

    private static Approval decide(
            Connection c, Approval pending, ApprovalStatus status, Actor approver, Instant now, ApprovalOutcome outcome)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE approval SET status = ?, decided_by = ?, decided_at = ?,"
                + " outcome = ? WHERE id = ? AND status = 'PENDING'")) {
            ps.setString(1, status.name());
            ps.setString(2, approver.id());
            ps.setObject(3, DatabaseTime.toColumn(now));
            ps.setString(4, ApprovalJson.outcome(outcome));
            ps.setLong(5, pending.id());
            if (ps.executeUpdate() != 1) {
                throw new SQLException("approval " + pending.id() + " changed under its row lock", "40001");
            }
        }
        return new Approval(
                pending.id(),
                pending.act(),
                pending.requestedBy(),
                pending.requestedAt(),
                status,
                approver.id(),
                now,
                outcome);
    }

    private static Approval approval(ResultSet rs) throws SQLException {
        return new Approval(
                rs.getLong(1),
                ApprovalJson.act(rs.getString(2), rs.getString(3)),
                rs.getString(4),
                DatabaseTime.fromColumn(rs.getObject(5, LocalDateTime.class)),
                ApprovalStatus.valueOf(rs.getString(6)),
                rs.getString(7),
                DatabaseTime.fromColumn(rs.getObject(8, LocalDateTime.class)),
                ApprovalJson.outcome(rs.getString(9)));
    }

    // ---- carrying out the act ----

    /** Why an act cannot be carried out: the first offending serial and the state machine's code. */
    private record Refusal(String serial, StatusChangeRefusedException.Code code, String message) {
        ApprovalException exception() {
            return new ApprovalException(ApprovalException.Code.TRANSITION_REFUSED, message, serial, code);
        }
    }

    private record Decided(Approval approval, ApprovalException failure) {}

    /** The named certificates as read (and locked) by {@link #check}, and its verdict. */
    private record Checked(Map<String, Lifecycle> states, Refusal refusal) {}

    /**
     * Reads (and, with {@code lock}, locks) every certificate the act names and returns the first
     * that cannot make the transition, in the requester's order (no refusal if all can).
     */
    private Checked check(Connection c, ApprovalAct act, Instant now, boolean lock) throws SQLException {
        BulkStatusChange bulk = (BulkStatusChange) act; // the only kind so far (sealed)
        Map<String, Lifecycle> states = certificates.lifecycles(c, bulk.caName(), bulk.serials(), lock, LOCK_CHUNK);
        CertificateStatus to = bulk.targetStatus();
        for (String serial : bulk.serials()) {
            Lifecycle state = states.get(serial);
            Refusal refusal = state == null
                    ? new Refusal(
                            serial,
                            StatusChangeRefusedException.Code.NOT_FOUND,
                            "no certificate " + serial + " of CA " + bulk.caName())
                    : refusal(serial, state, to, now);
            if (refusal != null) {
                return new Checked(states, refusal);
            }
        }
        return new Checked(states, null);
    }

    /** docs/profiles.md "Status rules", as RevocationService applies them to a single certificate. */
    private static Refusal refusal(String serial, Lifecycle state, CertificateStatus to, Instant now) {
        StatusChangeRefusedException refused =
                RevocationService.refusal(serial, state.status(), state.issued(), state.notAfter(), to, now);
        return refused == null ? null : new Refusal(serial, refused.code(), refused.getMessage());
    }

    /**
     * Changes every named certificate, in serial order, under the locks {@link #check} took and in
     * the states it read there. Each serial is changed once, by its own UPDATE keyed on that serial
     * and its checked status; {@link RevocationService#apply} fails the transaction if a row is not
     * in that state.
     */
    private static List<StatusChange> carryOut(
            Connection c, ApprovalAct act, Map<String, Lifecycle> states, Instant now) throws SQLException {
        BulkStatusChange bulk = (BulkStatusChange) act;
        List<String> sorted = new ArrayList<>(bulk.serials());
        Collections.sort(sorted);
        CertificateStatus to = bulk.targetStatus();
        RevocationReason reason = bulk.targetReason();
        List<StatusChange> changes = new ArrayList<>(sorted.size());
        for (String serial : sorted) {
            CertificateStatus from = states.get(serial).status();
            changes.add(RevocationService.apply(c, bulk.caName(), serial, from, to, reason, now));
        }
        return changes;
    }
}
