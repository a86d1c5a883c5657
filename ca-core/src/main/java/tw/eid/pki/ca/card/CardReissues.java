package tw.eid.pki.ca.card;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;

/**
 * The re-issue state of a card (issue 24): an officer starts it with the new card's expected
 * delivery date; it ends when the successor card (a new card number of the same national ID) is
 * registered, in the successor's registration transaction, or when it is cancelled. Ending it
 * revokes the card's temporary ID certificates in the same transaction. Every act is audited with
 * the card number as target and no personal data.
 */
public final class CardReissues {
    /** Dates of the re-issue (delivery, today) are Taiwan's calendar days. */
    public static final ZoneId ZONE = ZoneId.of("Asia/Taipei");

    /** An open (endedAt null) or ended re-issue. */
    public record Reissue(
            long id,
            String cardNumber,
            LocalDate expectedDelivery,
            Instant startedAt,
            Instant endedAt,
            String endReason,
            String successorCard) {}

    private final Database database;
    private final CardRegistry registry;
    private final AuditLedger audit;
    private final Clock clock;

    public CardReissues(Database database, CardRegistry registry, AuditLedger audit, Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Today in Taiwan on the injected clock. */
    public LocalDate today() {
        return LocalDate.now(clock.withZone(ZONE));
    }

    /** Starts the re-issue of {@code cardNumber}; the new card is expected on {@code expectedDelivery}. */
    public Reissue start(Actor actor, String cardNumber, LocalDate expectedDelivery) {
        CardRegistration.requireCardNumber(cardNumber);
        Objects.requireNonNull(expectedDelivery, "expectedDelivery");
        if (expectedDelivery.isBefore(today())) {
            throw new CardException(CardException.Code.INVALID_DELIVERY_DATE, "the expected delivery is before today");
        }
        Instant now = clock.instant();
        return database.inTransaction(c -> {
            if (registry.nationalIdHash(c, cardNumber).isEmpty()) {
                throw new CardException(CardException.Code.CARD_NOT_FOUND, "no card " + cardNumber);
            }
            long id;
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO card_reissue (card_number, expected_delivery, started_at, started_by)"
                            + " VALUES (?, ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, cardNumber);
                ps.setObject(2, expectedDelivery);
                ps.setObject(3, DatabaseTime.toColumn(now));
                ps.setString(4, actor.id());
                ps.executeUpdate();
                try (ResultSet rs = ps.getGeneratedKeys()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            } catch (SQLException e) {
                if ("23000".equals(e.getSQLState())) {
                    throw new CardException(
                            CardException.Code.REISSUE_OPEN, "card " + cardNumber + " is already being re-issued");
                }
                throw e;
            }
            audit.append(
                    c,
                    actor.event("card.reissue-start", cardNumber, AuditResult.SUCCESS)
                            .withDetails(AuditDetails.of().put("expectedDelivery", expectedDelivery.toString())));
            return new Reissue(id, cardNumber, expectedDelivery, now, null, null, null);
        });
    }

    /** Cancels the open re-issue of {@code cardNumber}; its temporary certificates are revoked. */
    public Reissue cancel(Actor actor, String cardNumber) {
        CardRegistration.requireCardNumber(cardNumber);
        Instant now = clock.instant();
        return database.inTransaction(c -> end(c, actor, cardNumber, "CANCELLED", null, now));
    }

    /**
     * Registers {@code successor} as the new card of {@code replaces}, whose open re-issue ends in the
     * same transaction (its temporary certificates revoked), and which becomes REPLACED, its
     * certificates revoked (superseded, or keyCompromise if it was reported lost; issue 25). Refused, and nothing stored, when
     * {@code replaces} is not being re-issued or belongs to another national ID.
     */
    public Card registerSuccessor(Actor actor, CardRegistration successor, String replaces) {
        CardRegistration.requireCardNumber(replaces);
        if (replaces.equals(successor.cardNumber())) {
            throw new CardException(CardException.Code.INVALID_SUCCESSOR, "a card cannot succeed itself");
        }
        Instant now = clock.instant();
        return registry.register(actor, successor, (c, hash) -> {
            byte[] old = registry.nationalIdHash(c, replaces)
                    .orElseThrow(() -> new CardException(CardException.Code.CARD_NOT_FOUND, "no card " + replaces));
            if (!Arrays.equals(old, hash)) {
                throw new CardException(
                        CardException.Code.INVALID_SUCCESSOR, "the successor belongs to another national ID");
            }
            end(c, actor, replaces, "SUCCESSOR", successor.cardNumber(), now);
            // Issue 25: the old card is REPLACED for good and its certificates are revoked.
            CardLossReports.replace(c, audit, actor, replaces, now);
        });
    }

    /** The open re-issue of {@code cardNumber}, locked in the caller's transaction. */
    public Optional<Reissue> open(Connection c, String cardNumber) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(select() + " WHERE card_number = ? AND ended_at IS NULL FOR UPDATE")) {
            ps.setString(1, cardNumber);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    /** Every re-issue of {@code cardNumber}, oldest first. */
    public List<Reissue> of(String cardNumber) {
        return database.inTransaction(c -> {
            List<Reissue> all = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(select() + " WHERE card_number = ? ORDER BY id")) {
                ps.setString(1, cardNumber);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        all.add(row(rs));
                    }
                }
            }
            return all;
        });
    }

    private Reissue end(Connection c, Actor actor, String cardNumber, String reason, String successor, Instant now)
            throws SQLException {
        Reissue open = open(c, cardNumber)
                .orElseThrow(() -> new CardException(
                        CardException.Code.NOT_IN_REISSUE, "card " + cardNumber + " is not being re-issued"));
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE card_reissue SET ended_at = ?, end_reason = ?, successor_card = ? WHERE id = ?")) {
            ps.setObject(1, DatabaseTime.toColumn(now));
            ps.setString(2, reason);
            ps.setString(3, successor);
            ps.setLong(4, open.id());
            ps.executeUpdate();
        }
        List<String> revoked = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT number FROM temporary_certificate WHERE reissue_id = ? AND status = 'GOOD' FOR UPDATE")) {
            ps.setLong(1, open.id());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    revoked.add(rs.getString(1));
                }
            }
        }
        String revocationReason = "SUCCESSOR".equals(reason) ? "card-delivered" : "reissue-cancelled";
        for (String number : revoked) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE temporary_certificate SET status = 'REVOKED',"
                    + " revoked_at = ?, revocation_reason = ? WHERE number = ? AND status = 'GOOD'")) {
                ps.setObject(1, DatabaseTime.toColumn(now));
                ps.setString(2, revocationReason);
                ps.setString(3, number);
                ps.executeUpdate();
            }
            audit.append(
                    c,
                    actor.event("temporary-certificate.revoke", number, AuditResult.SUCCESS)
                            .withDetails(AuditDetails.of().put("reason", revocationReason)));
        }
        audit.append(
                c,
                actor.event(
                                "SUCCESSOR".equals(reason) ? "card.reissue-end" : "card.reissue-cancel",
                                cardNumber,
                                AuditResult.SUCCESS)
                        .withDetails(AuditDetails.of()
                                .put("successor", successor)
                                .put("temporaryCertificatesRevoked", revoked.size())));
        return new Reissue(open.id(), cardNumber, open.expectedDelivery(), open.startedAt(), now, reason, successor);
    }

    private static String select() {
        return "SELECT id, card_number, expected_delivery, started_at, ended_at, end_reason, successor_card FROM card_reissue";
    }

    private static Reissue row(ResultSet rs) throws SQLException {
        LocalDateTime ended = rs.getObject(5, LocalDateTime.class);
        return new Reissue(
                rs.getLong(1),
                rs.getString(2),
                rs.getObject(3, LocalDate.class),
                DatabaseTime.fromColumn(rs.getObject(4, LocalDateTime.class)),
                ended == null ? null : DatabaseTime.fromColumn(ended),
                rs.getString(6),
                rs.getString(7));
    }
}
