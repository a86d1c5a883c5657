package tw.eid.pki.ca.card;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;

/**
 * Registers cards and shows them. Personal data is sealed before it reaches the database (keyed
 * hash for look-up, AES-GCM in the token for the values); each registration is audited in its own
 * transaction, with the card number as target and no personal data in the event.
 */
public final class CardRegistry {
    static final String STATUS_REGISTERED = "REGISTERED";

    private final Database database;
    private final PersonalDataKeys keys;
    private final AuditLedger audit;
    private final Clock clock;

    public CardRegistry(Database database, PersonalDataKeys keys, AuditLedger audit, Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Registers a card; refuses a card number already registered (CARD_EXISTS). */
    public Card register(Actor actor, CardRegistration r) {
        return register(actor, r, (c, hash) -> {});
    }

    /** Work done in a registration's transaction after the card's row: given the national ID's look-up hash. */
    @FunctionalInterface
    public interface AfterRegistration {
        void run(Connection c, byte[] nationalIdHash) throws SQLException;
    }

    /**
     * Registers a card and runs {@code afterInsert} in the same transaction (e.g. ending the re-issue
     * of the card it replaces, {@link CardReissues#registerSuccessor}).
     */
    public Card register(Actor actor, CardRegistration r, AfterRegistration afterInsert) {
        Instant now = clock.instant();
        CardIssueData issue = r.issue();
        if (issue != null && issue.issueDate().isAfter(LocalDate.ofInstant(now, CardReissues.ZONE))) {
            throw new CardException(CardException.Code.INVALID_ISSUE_DATE, "the issue date is after today");
        }
        // Sealing happens in the token, before the transaction: it must not hold row locks while signing.
        byte[] idAscii = r.nationalId().asciiBytes();
        byte[] idHash;
        byte[] idSealed;
        byte[] nameSealed;
        byte[] birthSealed;
        try {
            idHash = keys.lookupHash(r.nationalId());
            idSealed = keys.seal(idAscii, r.cardNumber(), "national_id");
            nameSealed = keys.seal(r.holderName().utf8(), r.cardNumber(), "name");
            birthSealed = r.birthDate() == null
                    ? null
                    : keys.seal(
                            r.birthDate().toString().getBytes(StandardCharsets.US_ASCII), r.cardNumber(), "birth_date");
        } finally {
            Arrays.fill(idAscii, (byte) 0);
        }
        return database.inTransaction(c -> {
            // No SELECT … FOR UPDATE first: on a number not yet there it takes a gap lock, and two
            // registrations would deadlock on their inserts. The primary key decides (23000 below).
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO card (card_number, chip_uid, national_id_hmac,"
                    + " national_id_enc, national_id_last4, name_enc, status, created_at, birth_date_enc,"
                    + " validity, issue_date, issue_place, issue_type, expires_on)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, r.cardNumber());
                ps.setBytes(2, r.chipUid());
                ps.setBytes(3, idHash);
                ps.setBytes(4, idSealed);
                ps.setString(5, r.nationalId().last4());
                ps.setBytes(6, nameSealed);
                ps.setString(7, STATUS_REGISTERED);
                ps.setObject(8, DatabaseTime.toColumn(now));
                ps.setBytes(9, birthSealed);
                ps.setString(10, CardValidity.CURRENT.name());
                ps.setObject(11, issue == null ? null : issue.issueDate());
                ps.setString(12, issue == null ? null : issue.issuePlace());
                ps.setString(13, issue == null ? null : issue.issueType().name());
                ps.setObject(14, issue == null ? null : issue.expiresOn());
                ps.executeUpdate();
            } catch (SQLException e) {
                if ("23000".equals(e.getSQLState())) { // a concurrent registration of the same number won
                    throw new CardException(
                            CardException.Code.CARD_EXISTS, "card " + r.cardNumber() + " is already registered");
                }
                throw e;
            }
            audit.append(c, actor.event("card.register", r.cardNumber(), AuditResult.SUCCESS));
            afterInsert.run(c, idHash);
            return new Card(
                    r.cardNumber(),
                    HexFormat.of().formatHex(r.chipUid()),
                    r.nationalId().last4(),
                    r.holderName().value(),
                    STATUS_REGISTERED,
                    now,
                    CardValidity.CURRENT,
                    issue);
        });
    }

    /**
     * The card, with the holder's name opened from the token when {@code withPersonalData}; never
     * the full national ID.
     */
    public Optional<Card> find(String cardNumber, boolean withPersonalData) {
        CardRegistration.requireCardNumber(cardNumber);
        Optional<Object[]> row = database.inTransaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT chip_uid, national_id_last4, name_enc, status, created_at,"
                            + " validity, issue_date, issue_place, issue_type, expires_on"
                            + " FROM card WHERE card_number = ?")) {
                ps.setString(1, cardNumber);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Object[] {
                        rs.getBytes(1),
                        rs.getString(2),
                        rs.getBytes(3),
                        rs.getString(4),
                        DatabaseTime.fromColumn(rs.getObject(5, LocalDateTime.class)),
                        CardValidity.valueOf(rs.getString(6)),
                        issueData(rs, 7)
                    });
                }
            }
        });
        return row.map(r -> new Card(
                cardNumber,
                HexFormat.of().formatHex((byte[]) r[0]),
                (String) r[1],
                withPersonalData
                        ? new String(keys.open((byte[]) r[2], cardNumber, "name"), StandardCharsets.UTF_8)
                        : null,
                (String) r[3],
                (Instant) r[4],
                (CardValidity) r[5],
                (CardIssueData) r[6]));
    }

    /** The issue data in columns issue_date, issue_place, issue_type, expires_on from {@code first}; null if none. */
    private static CardIssueData issueData(ResultSet rs, int first) throws SQLException {
        LocalDate date = rs.getObject(first, LocalDate.class);
        if (date == null) {
            return null;
        }
        return new CardIssueData(
                date,
                rs.getString(first + 1),
                CardIssueType.valueOf(rs.getString(first + 2)),
                rs.getObject(first + 3, LocalDate.class));
    }

    /**
     * In the caller's transaction: locks the card's row and refuses a card that is not CURRENT
     * ({@link CardException.Code#CARD_LOST}, {@link CardException.Code#CARD_REPLACED}). Issuance's
     * final write, SODs and reopens call it, so that a loss report and any of them are serialised on
     * the card's row: whichever commits second sees the other.
     */
    public static void requireCurrent(Connection c, String cardNumber) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT validity FROM card WHERE card_number = ? FOR UPDATE")) {
            ps.setString(1, cardNumber);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new CardException(
                            CardException.Code.CARD_NOT_FOUND, "card " + cardNumber + " is not registered");
                }
                requireCurrent(cardNumber, CardValidity.valueOf(rs.getString(1)));
            }
        }
    }

    /** Refuses (409) a card whose validity is not CURRENT. */
    public static void requireCurrent(String cardNumber, CardValidity validity) {
        switch (validity) {
            case CURRENT -> {}
            case LOST ->
                throw new CardException(CardException.Code.CARD_LOST, "card " + cardNumber + " is reported lost");
            case REPLACED ->
                throw new CardException(
                        CardException.Code.CARD_REPLACED, "card " + cardNumber + " was replaced by a new card");
        }
    }

    /** The cards registered to a national ID (a citizen has successive cards), by keyed hash. */
    public List<String> cardsOf(NationalId id) {
        byte[] hash = keys.lookupHash(id);
        return database.inTransaction(c -> {
            List<String> cards = new ArrayList<>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT card_number FROM card WHERE national_id_hmac = ? ORDER BY created_at")) {
                ps.setBytes(1, hash);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        cards.add(rs.getString(1));
                    }
                }
            }
            return cards;
        });
    }

    /**
     * What a temporary ID certificate prints of a card's holder, opened in the token: name, full
     * national ID, birth date (null for a card registered without one). Personal data: never logged.
     */
    public record HolderData(String name, String nationalId, LocalDate birthDate) {
        @Override
        public String toString() {
            return "HolderData[***]";
        }
    }

    /** The holder's data of a card, in the caller's transaction (the row is locked); empty if no such card. */
    public Optional<HolderData> holderData(Connection c, String cardNumber) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT name_enc, national_id_enc, birth_date_enc FROM card WHERE card_number = ? FOR UPDATE")) {
            ps.setString(1, cardNumber);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String name = new String(keys.open(rs.getBytes(1), cardNumber, "name"), StandardCharsets.UTF_8);
                String id = new String(keys.open(rs.getBytes(2), cardNumber, "national_id"), StandardCharsets.US_ASCII);
                byte[] birth = rs.getBytes(3);
                LocalDate birthDate = birth == null
                        ? null
                        : LocalDate.parse(
                                new String(keys.open(birth, cardNumber, "birth_date"), StandardCharsets.US_ASCII));
                return Optional.of(new HolderData(name, id, birthDate));
            }
        }
    }

    /** The national ID look-up hash of a card, in the caller's transaction; empty if no such card. */
    Optional<byte[]> nationalIdHash(Connection c, String cardNumber) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT national_id_hmac FROM card WHERE card_number = ?")) {
            ps.setString(1, cardNumber);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
            }
        }
    }

    /**
     * For issuance, in the caller's transaction: locks the card's row (issuances for one card are
     * serialised), opens the holder's name in the token, and gives the card its subscriber id on
     * its first certificate. Empty if the card is not registered; a card that is not CURRENT is
     * refused (409, {@link #requireCurrent(String, CardValidity)}).
     */
    public Optional<CardHolder> lockForIssuance(Connection c, String cardNumber, Supplier<String> newSubscriberId)
            throws SQLException {
        byte[] chipUid;
        String last4;
        byte[] nameSealed;
        String subscriberId;
        try (PreparedStatement ps = c.prepareStatement("SELECT chip_uid, national_id_last4, name_enc, subscriber_id,"
                + " validity FROM card WHERE card_number = ? FOR UPDATE")) {
            ps.setString(1, cardNumber);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                chipUid = rs.getBytes(1);
                last4 = rs.getString(2);
                nameSealed = rs.getBytes(3);
                subscriberId = rs.getString(4);
                requireCurrent(cardNumber, CardValidity.valueOf(rs.getString(5)));
            }
        }
        if (subscriberId == null) {
            subscriberId = newSubscriberId.get();
            try (PreparedStatement ps = c.prepareStatement("UPDATE card SET subscriber_id = ? WHERE card_number = ?")) {
                ps.setString(1, subscriberId);
                ps.setString(2, cardNumber);
                ps.executeUpdate();
            }
        }
        String name = new String(keys.open(nameSealed, cardNumber, "name"), StandardCharsets.UTF_8);
        return Optional.of(new CardHolder(cardNumber, chipUid, last4, name, subscriberId));
    }
}
