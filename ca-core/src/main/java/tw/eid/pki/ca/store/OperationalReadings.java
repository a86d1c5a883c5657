package tw.eid.pki.ca.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The store's side of the operational metrics (docs/metrics.md), read every few seconds by a
 * serving process: the leases' holders, the OCSP pre-sign backlog, pending approvals and the
 * last signed audit checkpoint. Plain reads; nothing here writes.
 */
public final class OperationalReadings {
    /** The lease tables, each one row (id 1): the OCSP updater's and the CRL publisher's. */
    public static final List<String> LEASES = List.of("ocsp_updater", "crl_publisher");

    private final Database database;

    public OperationalReadings(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    /** A lease row: its holder (null when released) and until when it holds (null when never taken). */
    public record LeaseRow(String lease, String owner, Instant leaseUntil) {}

    public List<LeaseRow> leases() {
        return database.inTransaction(c -> {
            List<LeaseRow> out = new ArrayList<>();
            for (String lease : LEASES) {
                // The table names are the constants above, never input.
                try (Statement st = c.createStatement();
                        ResultSet rs =
                                st.executeQuery("SELECT owner, lease_until FROM " + lease + "_lease WHERE id = 1")) {
                    if (rs.next()) {
                        LocalDateTime until = rs.getObject(2, LocalDateTime.class);
                        out.add(new LeaseRow(
                                lease, rs.getString(1), until == null ? null : DatabaseTime.fromColumn(until)));
                    }
                }
            }
            return out;
        });
    }

    /**
     * The certificates of {@code caNames}, issued and not expired at {@code now}, whose pre-signed
     * OCSP response is missing, says another status than the certificate's, or is past half its
     * validity at {@code now}: what the updater still has to sign.
     */
    public long presignBacklog(List<String> caNames, Instant now) {
        if (caNames.isEmpty()) {
            return 0;
        }
        return database.inTransaction(c -> {
            String in = String.join(", ", caNames.stream().map(n -> "?").toList());
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT COUNT(*) FROM certificate c LEFT JOIN ocsp_response r"
                            + " ON r.ca_name = c.ca_name AND r.serial_hex = c.serial_hex"
                            + " WHERE c.ca_name IN (" + in + ") AND c.der IS NOT NULL AND c.not_after > ?"
                            + " AND (r.serial_hex IS NULL OR r.status <> c.status"
                            + " OR NOT (r.revocation_reason <=> c.revocation_reason)"
                            + " OR TIMESTAMPADD(MICROSECOND, TIMESTAMPDIFF(MICROSECOND, r.this_update, r.next_update) DIV 2,"
                            + " r.this_update) <= ?)")) {
                int i = 1;
                for (String n : caNames) {
                    ps.setString(i++, n);
                }
                LocalDateTime t = DatabaseTime.toColumn(now);
                ps.setObject(i++, t);
                ps.setObject(i, t);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** Bulk acts waiting for a second supervisor. */
    public long pendingApprovals() {
        return database.inTransaction(c -> {
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM approval WHERE status = 'PENDING'")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** When the latest audit checkpoint was signed; empty before the first. */
    public Optional<Instant> lastAuditCheckpoint() {
        return database.inTransaction(c -> {
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT MAX(signed_at) FROM audit_checkpoint")) {
                rs.next();
                LocalDateTime t = rs.getObject(1, LocalDateTime.class);
                return Optional.ofNullable(t == null ? null : DatabaseTime.fromColumn(t));
            }
        });
    }
}
