package tw.eid.pki.ca.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The SQL of {@link CaReader} and {@link CaRetirement} on MariaDB. */
public final class SqlCaStore implements CaReader, CaRetirement {
    private static final String COLUMNS =
            "name, kind, certificate_der, key_label, token_label, status, created_at, key_destroyed_at IS NOT NULL";

    private final Database database;

    private SqlCaStore(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    /** The CA reader and retirement writes over {@code database}. */
    public static SqlCaStore over(Database database) {
        return new SqlCaStore(database);
    }

    private static CaRow row(ResultSet rs) throws SQLException {
        return new CaRow(
                rs.getString(1),
                rs.getString(2),
                rs.getBytes(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                DatabaseTime.fromColumn(rs.getObject(7, LocalDateTime.class)),
                rs.getBoolean(8));
    }

    @Override
    public List<CaRow> certified() {
        return database.inTransaction(c -> {
            List<CaRow> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT " + COLUMNS + " FROM ca WHERE certificate_der IS NOT NULL ORDER BY name");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
            return out;
        });
    }

    @Override
    public Optional<CaRow> newestActive(String kind) {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM ca"
                    + " WHERE kind = ? AND status = 'ACTIVE' AND certificate_der IS NOT NULL"
                    + " ORDER BY created_at DESC LIMIT 1")) {
                ps.setString(1, kind);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(row(rs)) : Optional.<CaRow>empty();
                }
            }
        });
    }

    @Override
    public Optional<CaRow> byName(String name) {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM ca WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(row(rs)) : Optional.<CaRow>empty();
                }
            }
        });
    }

    @Override
    public boolean retire(Connection c, String name, String kind) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE ca SET status = 'RETIRED' WHERE name = ? AND kind = ? AND status = 'ACTIVE'")) {
            ps.setString(1, name);
            ps.setString(2, kind);
            return ps.executeUpdate() == 1;
        }
    }

    @Override
    public boolean recordKeyDestroyed(Connection c, String name, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE ca SET key_destroyed_at = ?"
                + " WHERE name = ? AND status = 'RETIRED' AND key_destroyed_at IS NULL")) {
            ps.setObject(1, DatabaseTime.toColumn(now));
            ps.setString(2, name);
            return ps.executeUpdate() == 1;
        }
    }
}
