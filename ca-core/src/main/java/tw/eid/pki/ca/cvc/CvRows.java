package tw.eid.pki.ca.cvc;

import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import tw.eid.pki.ca.store.DatabaseTime;

/** The {@code cv_certificate} rows (V11): written once, in the transaction that audits the act. */
final class CvRows {
    private CvRows() {}

    /** One stored CV certificate with what we know about its key. */
    record Row(
            long id,
            CvKind kind,
            CvCertificate certificate,
            String keyLabel,
            String tokenLabel,
            Long agencyRecord,
            ASN1ObjectIdentifier curve) {}

    static long insert(
            Connection c,
            CvKind kind,
            CvCertificate cert,
            String keyLabel,
            String tokenLabel,
            Long agencyRecord,
            Instant now)
            throws SQLException {
        CvCertificate.Body b = cert.body();
        byte[] keyHash = CvSignatures.sha256(b.publicKey().point());
        String keyUse = kind == CvKind.LINK ? null : kind.name();
        if (keyUse != null) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM cv_certificate WHERE key_use = ? AND public_key_sha256 = ? FOR UPDATE")) {
                ps.setString(1, keyUse);
                ps.setBytes(2, keyHash);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        throw new CvException(CvException.Code.KEY_REUSED, "this public key was certified before");
                    }
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO cv_certificate (kind, car, chr, terminal_type, curve_oid, effective_date,"
                        + " expiration_date, public_key_sha256, key_use, key_label, token_label, agency_record, der,"
                        + " issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, kind.name());
            ps.setString(2, b.car().toString());
            ps.setString(3, b.chr().toString());
            ps.setString(4, b.chat().type().name());
            ps.setString(5, b.publicKey().curve().getId());
            ps.setDate(6, Date.valueOf(b.effective()));
            ps.setDate(7, Date.valueOf(b.expiration()));
            ps.setBytes(8, keyHash);
            ps.setString(9, keyUse);
            ps.setString(10, keyLabel);
            ps.setString(11, tokenLabel);
            if (agencyRecord == null) {
                ps.setNull(12, Types.BIGINT);
            } else {
                ps.setLong(12, agencyRecord);
            }
            ps.setBytes(13, cert.encoded());
            ps.setObject(14, DatabaseTime.toColumn(now));
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    private static final String COLUMNS =
            "SELECT id, kind, der, key_label, token_label, agency_record, curve_oid FROM cv_certificate ";

    /** The newest certificate of {@code kind} whose holder is {@code chr}. */
    static Optional<Row> byChr(Connection c, CvKind kind, HolderReference chr) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(COLUMNS + "WHERE kind = ? AND chr = ? ORDER BY id DESC LIMIT 1")) {
            ps.setString(1, kind.name());
            ps.setString(2, chr.toString());
            return one(ps);
        }
    }

    /** The DV of {@code type} that is valid on {@code day} and runs longest. */
    static Optional<Row> currentDv(Connection c, TerminalType type, LocalDate day) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(COLUMNS
                + "WHERE kind = 'DV' AND terminal_type = ? AND effective_date <= ? AND expiration_date >= ?"
                + " ORDER BY expiration_date DESC, id DESC LIMIT 1")) {
            ps.setString(1, type.name());
            ps.setDate(2, Date.valueOf(day));
            ps.setDate(3, Date.valueOf(day));
            return one(ps);
        }
    }

    private static Optional<Row> one(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            ASN1ObjectIdentifier curve = new ASN1ObjectIdentifier(rs.getString("curve_oid"));
            long recordColumn = rs.getLong("agency_record");
            Long record = rs.wasNull() ? null : recordColumn;
            return Optional.of(new Row(
                    rs.getLong("id"),
                    CvKind.valueOf(rs.getString("kind")),
                    CvCertificate.parse(rs.getBytes("der"), curve),
                    rs.getString("key_label"),
                    rs.getString("token_label"),
                    record,
                    curve));
        }
    }
}
