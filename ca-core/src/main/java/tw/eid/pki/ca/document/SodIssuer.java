package tw.eid.pki.ca.document;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.card.CardException;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.hsm.Token;

/**
 * Signs a card's SOD (API.md {@code POST /cards/{cardNumber}/sod}), bound to the card's state:
 * one SOD per personalization of a registered card.
 *
 * <ol>
 *   <li>The request was checked when it was built ({@link SodRequest}); the card must exist and be
 *       REGISTERED (not yet personalized), checked before any DS count is spent.</li>
 *   <li>{@link DocumentSignerPool#reserve} takes one document from a DS that may sign now.</li>
 *   <li>The DS key signs in the online token; the CMS signature is verified with the DS
 *       certificate's key ({@link SecurityObjects#signSod}).</li>
 *   <li>One transaction locks the card, checks it is still REGISTERED, stores the SOD as the card's
 *       next personalization, marks the card PERSONALIZED and appends the audit event. Only after
 *       the commit is the SOD returned. A refusal stores nothing.</li>
 * </ol>
 *
 * <p>{@link #reopen} is the officer's act that lets a personalized card be personalized again.
 */
public final class SodIssuer {
    static final String REGISTERED = "REGISTERED";
    static final String PERSONALIZED = "PERSONALIZED";

    private final Database database;
    private final Token onlineToken;
    private final DocumentSignerPool pool;
    private final AuditLedger audit;
    private final Clock clock;

    public SodIssuer(Database database, Token onlineToken, DocumentSignerPool pool, AuditLedger audit, Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.onlineToken = Objects.requireNonNull(onlineToken, "onlineToken");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The DS pool this issuer signs from (its status for health checks). */
    public DocumentSignerPool pool() {
        return pool;
    }

    /** Signs, stores and audits the card's SOD; see the class comment. */
    public IssuedSod issue(Actor actor, SodRequest request) {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(request, "request");
        // The card's state is checked in the reservation's transaction, so a refusal spends no DS count.
        DocumentSignerPool.Reserved signer = pool.reserve(actor,
                c -> requireRegistered(request.cardNumber(), cardState(c, request.cardNumber(), false)));
        Instant signingTime = clock.instant();
        byte[] efSod = SecurityObjects.signSod(request, onlineToken.signer(signer.keyLabel()), signer.certificate(),
                signer.publicKey(), signingTime);
        byte[] sodSha256 = DocumentSignerPool.sha256(efSod);

        return database.inTransaction(c -> {
            int personalization;
            try (PreparedStatement ps = c.prepareStatement("SELECT status, personalizations FROM card WHERE card_number = ?"
                    + " FOR UPDATE")) {
                ps.setString(1, request.cardNumber());
                try (ResultSet rs = ps.executeQuery()) {
                    boolean found = rs.next();
                    requireRegistered(request.cardNumber(), found ? rs.getString(1) : null);
                    personalization = rs.getInt(2) + 1;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO card_sod (card_number, personalization,"
                    + " ds_key_label, hash_algorithm, data_groups, sod_sha256, sod_der, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, request.cardNumber());
                ps.setInt(2, personalization);
                ps.setString(3, signer.keyLabel());
                ps.setString(4, request.hashAlgorithm().jcaName());
                ps.setString(5, request.dataGroupNumbers());
                ps.setBytes(6, sodSha256);
                ps.setBytes(7, efSod);
                ps.setObject(8, DatabaseTime.toColumn(signingTime));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE card SET status = ?, personalizations = ?"
                    + " WHERE card_number = ?")) {
                ps.setString(1, PERSONALIZED);
                ps.setInt(2, personalization);
                ps.setString(3, request.cardNumber());
                ps.executeUpdate();
            }
            audit.append(c, actor.event("card.sod", request.cardNumber(), AuditResult.SUCCESS).withDetails(
                    "{\"personalization\":" + personalization + ",\"ds\":\"" + signer.keyLabel() + "\",\"dsSerial\":\""
                            + signer.serialHex() + "\",\"hashAlgorithm\":\"" + request.hashAlgorithm().jcaName()
                            + "\",\"dataGroups\":[" + request.dataGroupNumbers() + "],\"sodSha256\":\""
                            + java.util.HexFormat.of().formatHex(sodSha256) + "\"}"));
            return new IssuedSod(request.cardNumber(), personalization, efSod, signer.keyLabel(), signer.serialHex());
        });
    }

    /**
     * The officer's act before a re-personalization: a PERSONALIZED card becomes REGISTERED again
     * and may get one more SOD. Audited; refused (409) for a card that is not personalized.
     */
    public void reopen(Actor actor, String cardNumber) {
        database.inTransaction(c -> {
            String state = cardState(c, cardNumber, true);
            if (state == null) {
                throw new CardException(CardException.Code.CARD_NOT_FOUND, "card " + cardNumber + " is not registered");
            }
            if (!PERSONALIZED.equals(state)) {
                throw new SodException(SodException.Code.NOT_PERSONALIZED, "card " + cardNumber + " is not personalized");
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE card SET status = ? WHERE card_number = ?")) {
                ps.setString(1, REGISTERED);
                ps.setString(2, cardNumber);
                ps.executeUpdate();
            }
            audit.append(c, actor.event("card.reopen-personalization", cardNumber, AuditResult.SUCCESS));
            return null;
        });
    }

    static void requireRegistered(String cardNumber, String state) {
        if (state == null) {
            throw new CardException(CardException.Code.CARD_NOT_FOUND, "card " + cardNumber + " is not registered");
        }
        if (!REGISTERED.equals(state)) {
            throw new SodException(SodException.Code.ALREADY_PERSONALIZED, "card " + cardNumber
                    + " is already personalized; an officer must re-open it before a new SOD");
        }
    }

    private static String cardState(Connection c, String cardNumber, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT status FROM card WHERE card_number = ?"
                + (lock ? " FOR UPDATE" : ""))) {
            ps.setString(1, cardNumber);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

}
