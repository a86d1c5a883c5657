package tw.eid.pki.ca.document.seal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bouncycastle.cert.X509CertificateHolder;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.card.CardException;
import tw.eid.pki.ca.card.CardRegistry;
import tw.eid.pki.ca.card.CardReissues;
import tw.eid.pki.ca.document.DocumentSignerPool;
import tw.eid.pki.ca.document.SignerPurpose;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.hsm.Token;

/**
 * Temporary ID certificates (臨時國民身分證證明書, issue 24): issued by an officer for a card being
 * re-issued ({@link CardReissues}), with a Visible Digital Seal signed by the active seal signer of
 * the {@link SignerPurpose#SEAL} pool; revoked by an officer, or when the re-issue ends.
 *
 * <p>{@link #issue}: one transaction reads the card's open re-issue and the holder's sealed data
 * (name, national ID, birth date) and allocates the number; the validity is checked (from today or
 * later; until at most 30 days with the first, never past the new card's expected delivery; by
 * default the longest allowed); the pool reserves the seal signer; the token signs; a second
 * transaction, which checks that the same re-issue is still open, stores the certificate with its
 * seal and the audit event. Only then is the seal returned: a seal without its stored row is never
 * handed out, and a refusal stores nothing.
 */
public final class TemporaryCertificates {
    private static final Pattern NUMBER = Pattern.compile("TC[0-9]{10}");
    private static final Pattern OFFICE = Pattern.compile("[A-Z0-9]{1,12}");

    /** A temporary certificate as issued: its content, seal bytes and the signer's certificate. */
    public record Issued(
            String number,
            String cardNumber,
            TemporaryCertificateContent content,
            byte[] seal,
            X509CertificateHolder signerCertificate,
            LocalDate expectedDelivery) {
        @Override
        public String toString() {
            return "Issued[" + number + "]";
        }
    }

    /** The store's record of a temporary certificate (no personal data). */
    public record Record(
            String number,
            String cardNumber,
            LocalDate validFrom,
            LocalDate validUntil,
            String officeCode,
            String status,
            String revocationReason,
            Instant revokedAt,
            byte[] sealSha256) {
        public boolean revoked() {
            return "REVOKED".equals(status);
        }
    }

    private final Database database;
    private final CardRegistry registry;
    private final CardReissues reissues;
    private final DocumentSignerPool pool;
    private final Token onlineToken;
    private final AuditLedger audit;
    private final Clock clock;
    private final String signerCode;

    public TemporaryCertificates(
            Database database,
            CardRegistry registry,
            CardReissues reissues,
            DocumentSignerPool sealPool,
            Token onlineToken,
            AuditLedger audit,
            Clock clock,
            String signerCode) {
        this.database = Objects.requireNonNull(database, "database");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.reissues = Objects.requireNonNull(reissues, "reissues");
        this.pool = Objects.requireNonNull(sealPool, "sealPool");
        if (sealPool.purpose() != SignerPurpose.SEAL) {
            throw new IllegalArgumentException("temporary certificates are sealed by the seal signer pool");
        }
        this.onlineToken = Objects.requireNonNull(onlineToken, "onlineToken");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.signerCode = Objects.requireNonNull(signerCode, "signerCode");
    }

    /**
     * Issues a temporary certificate for {@code cardNumber}, which must be in re-issue, at office
     * {@code officeCode}; {@code validFrom} null is today, {@code validUntil} null the longest allowed.
     */
    public Issued issue(Actor actor, String cardNumber, String officeCode, LocalDate validFrom, LocalDate validUntil) {
        if (officeCode == null || !OFFICE.matcher(officeCode).matches()) {
            throw new SealException(SealException.Code.UNENCODABLE, "office code is 1 to 12 of A-Z 0-9");
        }
        LocalDate today = reissues.today();
        LocalDate from = validFrom == null ? today : validFrom;
        if (from.isBefore(today)) {
            throw new TemporaryCertificateException(
                    TemporaryCertificateException.Code.INVALID_VALIDITY, "valid-from is before today");
        }
        LocalDate longest = from.plusDays(CertificateProfile.TEMPORARY_CERTIFICATE_MAX_DAYS - 1L);

        record Prepared(long reissueId, LocalDate delivery, TemporaryCertificateContent content) {}
        Prepared prepared = database.inTransaction(c -> {
            CardRegistry.HolderData holder = registry.holderData(c, cardNumber)
                    .orElseThrow(() -> new CardException(CardException.Code.CARD_NOT_FOUND, "no card " + cardNumber));
            CardReissues.Reissue reissue = reissues.open(c, cardNumber)
                    .orElseThrow(() -> new CardException(
                            CardException.Code.NOT_IN_REISSUE, "card " + cardNumber + " is not being re-issued"));
            LocalDate delivery = reissue.expectedDelivery();
            LocalDate until = validUntil != null ? validUntil : (delivery.isBefore(longest) ? delivery : longest);
            if (until.isBefore(from)) {
                throw new TemporaryCertificateException(
                        delivery.isBefore(from)
                                ? TemporaryCertificateException.Code.PAST_DELIVERY
                                : TemporaryCertificateException.Code.INVALID_VALIDITY,
                        delivery.isBefore(from)
                                ? "the new card is expected before valid-from"
                                : "valid-until is before valid-from");
            }
            if (until.isAfter(longest)) {
                throw new TemporaryCertificateException(
                        TemporaryCertificateException.Code.VALIDITY_TOO_LONG,
                        "a temporary certificate is valid for at most "
                                + CertificateProfile.TEMPORARY_CERTIFICATE_MAX_DAYS + " days");
            }
            if (until.isAfter(delivery)) {
                throw new TemporaryCertificateException(
                        TemporaryCertificateException.Code.PAST_DELIVERY,
                        "valid-until is after the new card's expected delivery");
            }
            if (holder.birthDate() == null) {
                throw new TemporaryCertificateException(
                        TemporaryCertificateException.Code.NO_BIRTH_DATE,
                        "the card was registered without a birth date");
            }
            // Checks the name's length (NAME_TOO_LONG) before a number is taken or anything signed.
            new TemporaryCertificateContent(
                    "TC0000000000", from, until, holder.nationalId(), holder.name(), holder.birthDate(), officeCode);
            String number = nextNumber(c);
            return new Prepared(
                    reissue.id(),
                    delivery,
                    new TemporaryCertificateContent(
                            number, from, until, holder.nationalId(), holder.name(), holder.birthDate(), officeCode));
        });

        DocumentSignerPool.Reserved signer = pool.reserve(actor);
        VisibleDigitalSeal seal = new SealSigner(
                        onlineToken, signer.keyLabel(), signer.certificate(), signerCode, clock)
                .sign(prepared.content(), today);
        byte[] bytes = seal.encode();
        String number = prepared.content().documentNumber();
        Instant now = clock.instant();

        database.inTransaction(c -> {
            Optional<CardReissues.Reissue> open = reissues.open(c, cardNumber);
            if (open.isEmpty() || open.get().id() != prepared.reissueId()) {
                throw new CardException(
                        CardException.Code.NOT_IN_REISSUE, "card " + cardNumber + " is no longer being re-issued");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO temporary_certificate (number, card_number,"
                    + " reissue_id, valid_from, valid_until, office_code, signer_key_label, seal, seal_sha256, status,"
                    + " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'GOOD', ?, ?)")) {
                ps.setString(1, number);
                ps.setString(2, cardNumber);
                ps.setLong(3, prepared.reissueId());
                ps.setObject(4, prepared.content().validFrom());
                ps.setObject(5, prepared.content().validUntil());
                ps.setString(6, officeCode);
                ps.setString(7, signer.keyLabel());
                ps.setBytes(8, bytes);
                ps.setBytes(9, sha256(bytes));
                ps.setObject(10, DatabaseTime.toColumn(now));
                ps.setString(11, actor.id());
                ps.executeUpdate();
            }
            audit.append(
                    c,
                    actor.event("temporary-certificate.issue", number, AuditResult.SUCCESS)
                            .withDetails(AuditDetails.of()
                                    .put("card", cardNumber)
                                    .put(
                                            "validFrom",
                                            prepared.content().validFrom().toString())
                                    .put(
                                            "validUntil",
                                            prepared.content().validUntil().toString())
                                    .put("office", officeCode)
                                    .put("signerSerial", signer.serialHex())));
            return null;
        });
        return new Issued(number, cardNumber, prepared.content(), bytes, signer.certificate(), prepared.delivery());
    }

    /** Revokes temporary certificate {@code number} (e.g. "card-delivered", "lost"); audited. */
    public Record revoke(Actor actor, String number, String reason) {
        requireNumber(number);
        String why = reason == null || reason.isBlank() ? "unspecified" : reason.toLowerCase(Locale.ROOT);
        if (!why.matches("[a-z-]{1,32}")) {
            throw new TemporaryCertificateException(
                    TemporaryCertificateException.Code.INVALID_VALIDITY, "a reason is 1 to 32 of a-z and '-'");
        }
        Instant now = clock.instant();
        database.inTransaction(c -> {
            Record r = find(c, number, true)
                    .orElseThrow(() -> new TemporaryCertificateException(
                            TemporaryCertificateException.Code.NOT_FOUND, "no temporary certificate " + number));
            if (r.revoked()) {
                throw new TemporaryCertificateException(
                        TemporaryCertificateException.Code.ALREADY_REVOKED, number + " is already revoked");
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE temporary_certificate SET status = 'REVOKED',"
                    + " revoked_at = ?, revocation_reason = ? WHERE number = ?")) {
                ps.setObject(1, DatabaseTime.toColumn(now));
                ps.setString(2, why);
                ps.setString(3, number);
                ps.executeUpdate();
            }
            audit.append(
                    c,
                    actor.event("temporary-certificate.revoke", number, AuditResult.SUCCESS)
                            .withDetails(AuditDetails.of().put("reason", why)));
            return null;
        });
        return find(number).orElseThrow();
    }

    /** The store's record of {@code number}, if any. */
    public Optional<Record> find(String number) {
        if (number == null || !NUMBER.matcher(number).matches()) {
            return Optional.empty();
        }
        return database.inTransaction(c -> find(c, number, false));
    }

    /** The store's record of {@code number} in {@code database}, if any: what a relying party's verifier reads. */
    public static Optional<Record> find(Database database, String number) {
        if (number == null || !NUMBER.matcher(number).matches()) {
            return Optional.empty();
        }
        return database.inTransaction(c -> find(c, number, false));
    }

    private static void requireNumber(String number) {
        if (number == null || !NUMBER.matcher(number).matches()) {
            throw new TemporaryCertificateException(
                    TemporaryCertificateException.Code.NOT_FOUND, "a temporary certificate number is TC and 10 digits");
        }
    }

    private static Optional<Record> find(Connection c, String number, boolean forUpdate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT number, card_number, valid_from, valid_until,"
                + " office_code, status, revocation_reason, revoked_at, seal_sha256 FROM temporary_certificate"
                + " WHERE number = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
            ps.setString(1, number);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                LocalDateTime revoked = rs.getObject(8, LocalDateTime.class);
                return Optional.of(new Record(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getObject(3, LocalDate.class),
                        rs.getObject(4, LocalDate.class),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        revoked == null ? null : DatabaseTime.fromColumn(revoked),
                        rs.getBytes(9)));
            }
        }
    }

    private static String nextNumber(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO temporary_certificate_seq () VALUES ()", Statement.RETURN_GENERATED_KEYS)) {
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                rs.next();
                return String.format(Locale.ROOT, "TC%010d", rs.getLong(1));
            }
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
