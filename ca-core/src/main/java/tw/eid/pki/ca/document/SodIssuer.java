package tw.eid.pki.ca.document;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.card.CardException;
import tw.eid.pki.ca.card.CardRegistry;
import tw.eid.pki.ca.card.CardValidity;
import tw.eid.pki.ca.metrics.CaMetrics;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.StoreException;
import tw.eid.pki.hsm.Token;

/**
 * Signs a card's SOD (docs/api.md {@code POST /cards/{cardNumber}/sod}), bound to the card's state:
 * one SOD per personalization of a registered card.
 *
 * <ol>
 *   <li>The request was checked when it was built ({@link SodRequest}); the card must exist and be
 *       REGISTERED (not yet personalized) and CURRENT (not lost or replaced): a plain read, before any DS count is spent. It only
 *       spares the DS count and the signature of a request that is refused anyway; the commit
 *       decides.</li>
 *   <li>{@link DocumentSignerPool#reserve} gives one document of a DS that may sign at the clock's
 *       instant, from a block of counts the pool reserved in one transaction.</li>
 *   <li>The DS key signs in the online token, with that instant as signingTime; the CMS signature
 *       is verified with the DS certificate's key ({@link SecurityObjects#signSod}).</li>
 *   <li>{@link SodCommitter}: one transaction, shared with the SODs of concurrent requests (group
 *       commit, at most {@code maxBatch}), locks the card, checks it is still REGISTERED and CURRENT, stores
 *       the SOD as the card's next personalization, marks the card PERSONALIZED and appends the
 *       audit event. Only after the commit is the SOD returned. A refusal stores nothing for that
 *       card and does not hold back the rest of the batch; a failed transaction returns nothing.</li>
 * </ol>
 *
 * <p>{@link #reopen} is the officer's act that lets a personalized card be personalized again.
 */
public final class SodIssuer {
    static final String REGISTERED = "REGISTERED";
    static final String PERSONALIZED = "PERSONALIZED";
    /** Default upper bound of SODs written in one group-commit transaction. */
    public static final int DEFAULT_MAX_BATCH = 64;

    private final Database database;
    private final Token onlineToken;
    private final DocumentSignerPool pool;
    private final AuditLedger audit;
    private final SodCommitter committer;

    /**
     * @param maxBatch at most this many SODs are written in one transaction (1..1000; 1 turns the
     *                 group commit into one transaction per SOD)
     */
    public SodIssuer(Database database, Token onlineToken, DocumentSignerPool pool, AuditLedger audit, int maxBatch) {
        this.database = Objects.requireNonNull(database, "database");
        this.onlineToken = Objects.requireNonNull(onlineToken, "onlineToken");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.committer = new SodCommitter(database, audit, maxBatch);
    }

    /** The DS pool this issuer signs from (its status for health checks). */
    public DocumentSignerPool pool() {
        return pool;
    }

    /** Signs, stores and audits the card's SOD; see the class comment. */
    public IssuedSod issue(Actor actor, SodRequest request) {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(request, "request");
        requireRegistered(request.cardNumber(), currentState(request.cardNumber()));
        DocumentSignerPool.Reserved signer = pool.reserve(actor);
        byte[] efSod = SecurityObjects.signSod(
                request, onlineToken.signer(signer.keyLabel()), signer.certificate(), signer.publicKey(), signer.at());
        IssuedSod issued = committer.commit(new SodCommitter.Pending(actor, request, signer, efSod));
        CaMetrics.sodSigned();
        return issued;
    }

    /** A card's personalization status and validity (issue 25). */
    record CardState(String status, CardValidity validity) {}

    /** The card's state by a plain read (auto-commit, no lock), or null when there is no such card. */
    private CardState currentState(String cardNumber) {
        try (Connection c = database.dataSource().getConnection()) {
            return cardState(c, cardNumber, false);
        } catch (SQLException e) {
            throw new StoreException(StoreException.Code.SQL, "cannot read the card's state", e);
        }
    }

    /**
     * The officer's act before a re-personalization: a PERSONALIZED card becomes REGISTERED again
     * and may get one more SOD. Audited; refused (409) for a card that is not personalized.
     */
    public void reopen(Actor actor, String cardNumber) {
        database.inTransaction(c -> {
            CardState state = cardState(c, cardNumber, true);
            if (state == null) {
                throw new CardException(CardException.Code.CARD_NOT_FOUND, "card " + cardNumber + " is not registered");
            }
            CardRegistry.requireCurrent(cardNumber, state.validity());
            if (!PERSONALIZED.equals(state.status())) {
                throw new SodException(
                        SodException.Code.NOT_PERSONALIZED, "card " + cardNumber + " is not personalized");
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

    /** A CURRENT (issue 25) card that is not personalized yet; otherwise the refusal. */
    static void requireRegistered(String cardNumber, CardState state) {
        if (state == null) {
            throw new CardException(CardException.Code.CARD_NOT_FOUND, "card " + cardNumber + " is not registered");
        }
        CardRegistry.requireCurrent(cardNumber, state.validity());
        if (!REGISTERED.equals(state.status())) {
            throw new SodException(
                    SodException.Code.ALREADY_PERSONALIZED,
                    "card " + cardNumber + " is already personalized; an officer must re-open it before a new SOD");
        }
    }

    private static CardState cardState(Connection c, String cardNumber, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT status, validity FROM card WHERE card_number = ?" + (lock ? " FOR UPDATE" : ""))) {
            ps.setString(1, cardNumber);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new CardState(rs.getString(1), CardValidity.valueOf(rs.getString(2))) : null;
            }
        }
    }
}
