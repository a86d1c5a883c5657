package tw.eid.pki.ca.card;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.metrics.CaMetrics;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ca.revocation.StatusChange;
import tw.eid.pki.ca.store.CardValidityRows;
import tw.eid.pki.ca.store.CertificateReader.CertificateKey;
import tw.eid.pki.ca.store.CertificateStatus;
import tw.eid.pki.ca.store.Database;

/**
 * Loss reports (掛失) and their withdrawal (撤銷掛失), issue 25. A report makes the card LOST and puts
 * every good certificate of the card on hold, in one transaction with the report's row, the list
 * of what it held and the audit event; it is committed before it is answered, so OCSP and CRLs
 * follow it through the status change log like any suspension. While the card is LOST, issuance,
 * SODs and reopens are refused: they lock the card's row too ({@link CardRegistry#requireCurrent}),
 * so a report and an issuance cannot both pass.
 *
 * <p>A withdrawal, by an officer, while no new card has been issued (the card is not REPLACED and
 * no later card of the same holder is registered), makes the card CURRENT and resumes exactly the
 * certificates the report put on hold that are still on that hold: one suspended before the
 * report, or revoked or suspended anew since, stays as it is.
 */
public final class CardLossReports {
    /** The channel a report came in by (issue 25: the hotline and the citizen online are to come). */
    public enum Channel {
        OFFICER;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A report made: its number, the card, when, and the certificates put on hold. */
    public record LossReport(
            String number, String cardNumber, String channel, Instant reportedAt, List<StatusChange> held) {}

    /** A withdrawal: the report's number and the certificates resumed. */
    public record Withdrawal(String number, String cardNumber, Instant withdrawnAt, List<StatusChange> resumed) {}

    private final Database database;
    private final RevocationService revocations;
    private final AuditLedger audit;
    private final Clock clock;

    public CardLossReports(Database database, RevocationService revocations, AuditLedger audit, Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.revocations = Objects.requireNonNull(revocations, "revocations");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The report's number as given to the caller: LR and ten digits. */
    public static String number(long id) {
        return String.format("LR%010d", id);
    }

    /** Reports the card lost; refused for a card that is not CURRENT (card.lost, card.replaced). */
    public LossReport report(Actor actor, String cardNumber, Channel channel) {
        CardRegistration.requireCardNumber(cardNumber);
        Objects.requireNonNull(channel, "channel");
        LossReport done = database.inTransaction(c -> {
            Instant now = clock.instant();
            CardValidityRows.Locked card =
                    CardValidityRows.lockCard(c, cardNumber).orElseThrow(() -> notFound(cardNumber));
            CardRegistry.requireCurrent(cardNumber, CardValidity.valueOf(card.validity()));
            CardValidityRows.setValidity(c, cardNumber, CardValidity.LOST.name());
            long id = CardValidityRows.openReport(c, cardNumber, channel.id(), actor.id(), now);
            List<StatusChange> held = revocations.holdGoodOfCard(c, cardNumber, now);
            CardValidityRows.recordHolds(
                    c,
                    id,
                    held.stream()
                            .map(h -> new CertificateKey(h.caName(), h.serialHex()))
                            .toList());
            audit.append(
                    c,
                    actor.event("card.report-lost", cardNumber, AuditResult.SUCCESS)
                            .withDetails(AuditDetails.of()
                                    .put("report", number(id))
                                    .put("channel", channel.id())
                                    .put("held", held.size())
                                    .putStrings("serials", serials(held))));
            return new LossReport(number(id), cardNumber, channel.id(), now, held);
        });
        CaMetrics.statusChanged("report_lost", done.held().size());
        return done;
    }

    /**
     * Withdraws the card's open loss report (an officer's act); refused for a card not reported
     * lost (card.not-lost), a replaced card, or once a new card of the holder is registered
     * (card.replaced).
     */
    public Withdrawal withdraw(Actor actor, String cardNumber) {
        CardRegistration.requireCardNumber(cardNumber);
        Withdrawal done = database.inTransaction(c -> {
            Instant now = clock.instant();
            CardValidityRows.Locked card =
                    CardValidityRows.lockCard(c, cardNumber).orElseThrow(() -> notFound(cardNumber));
            CardValidity validity = CardValidity.valueOf(card.validity());
            if (validity == CardValidity.CURRENT) {
                throw new CardException(CardException.Code.NOT_LOST, "card " + cardNumber + " is not reported lost");
            }
            if (validity == CardValidity.REPLACED) {
                CardRegistry.requireCurrent(cardNumber, validity);
            }
            CardValidityRows.OpenReport report = CardValidityRows.lockOpenReport(c, cardNumber)
                    .orElseThrow(() -> new IllegalStateException("a LOST card without an open loss report"));
            if (CardValidityRows.newerCardOfHolder(c, cardNumber, card.nationalIdHash(), report.reportedAt())) {
                throw new CardException(
                        CardException.Code.CARD_REPLACED,
                        "a new card was issued to the holder since the report; it cannot be withdrawn");
            }
            List<StatusChange> resumed = new ArrayList<>();
            for (CertificateKey k : CardValidityRows.lockStillHeld(c, report, now)) {
                resumed.add(RevocationService.apply(
                        c, k.caName(), k.serialHex(), CertificateStatus.HOLD, CertificateStatus.GOOD, null, now));
            }
            CardValidityRows.withdrawReport(c, report.id(), actor.id(), now);
            CardValidityRows.setValidity(c, cardNumber, CardValidity.CURRENT.name());
            audit.append(
                    c,
                    actor.event("card.withdraw-loss-report", cardNumber, AuditResult.SUCCESS)
                            .withDetails(AuditDetails.of()
                                    .put("report", number(report.id()))
                                    .put("resumed", resumed.size())
                                    .putStrings("serials", serials(resumed))));
            return new Withdrawal(number(report.id()), cardNumber, now, resumed);
        });
        CaMetrics.statusChanged("resume", done.resumed().size());
        return done;
    }

    /**
     * In a successor's registration transaction (issue 25 "Replacement"): the card it replaces becomes
     * REPLACED, and its good and held certificates are revoked: keyCompromise if the card was lost
     * (its keys are out of the holder's hands), superseded otherwise. Returns the revocations.
     */
    static List<StatusChange> replace(Connection c, AuditLedger audit, Actor actor, String cardNumber, Instant now)
            throws SQLException {
        CardValidityRows.Locked card = CardValidityRows.lockCard(c, cardNumber).orElseThrow(() -> notFound(cardNumber));
        CardValidity validity = CardValidity.valueOf(card.validity());
        if (validity == CardValidity.REPLACED) {
            CardRegistry.requireCurrent(cardNumber, validity);
        }
        RevocationReason reason =
                validity == CardValidity.LOST ? RevocationReason.KEY_COMPROMISE : RevocationReason.SUPERSEDED;
        List<StatusChange> revoked = new ArrayList<>();
        for (CardValidityRows.Active a : CardValidityRows.lockActiveOfCard(c, cardNumber)) {
            revoked.add(RevocationService.apply(
                    c, a.caName(), a.serialHex(), a.status(), CertificateStatus.REVOKED, reason, now));
        }
        CardValidityRows.setValidity(c, cardNumber, CardValidity.REPLACED.name());
        audit.append(
                c,
                actor.event("card.replace", cardNumber, AuditResult.SUCCESS)
                        .withDetails(AuditDetails.of()
                                .put("was", validity.name())
                                .put("revoked", revoked.size())
                                .put("reason", reason.code())
                                .putStrings("serials", serials(revoked))));
        return revoked;
    }

    private static List<String> serials(List<StatusChange> changes) {
        return changes.stream().map(s -> s.caName() + "/" + s.serialHex()).toList();
    }

    private static CardException notFound(String cardNumber) {
        return new CardException(CardException.Code.CARD_NOT_FOUND, "card " + cardNumber + " is not registered");
    }
}
