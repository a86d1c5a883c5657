package tw.eid.pki.ca.issuance;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Objects;
import org.bouncycastle.cert.X509CertificateHolder;
import tw.eid.pki.ca.profile.CaCertificate;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.store.Database;

/** An online CA as the store records it after the ceremony: its certificate and its key's label. */
public record IssuingCa(String name, CaCertificate certificate, String keyLabel) {
    public IssuingCa {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(keyLabel, "keyLabel");
    }

    /** Loads CA {@code name} (e.g. citizen-ca) from the {@code ca} table. */
    public static IssuingCa load(Database database, String name) {
        return database.inTransaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT kind, certificate_der, key_label FROM ca WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getBytes(2) == null) {
                        throw new IllegalStateException(
                                "the store has no certified CA named '" + name + "': run the ceremony first");
                    }
                    CertificateProfile profile = null;
                    for (CertificateProfile p : CertificateProfile.values()) {
                        if (p.profileName().equals(rs.getString(1))) {
                            profile = p;
                        }
                    }
                    if (profile == null) {
                        throw new IllegalStateException("CA '" + name + "' has unknown kind " + rs.getString(1));
                    }
                    try {
                        return new IssuingCa(
                                name,
                                new CaCertificate(profile, new X509CertificateHolder(rs.getBytes(2))),
                                rs.getString(3));
                    } catch (IOException e) {
                        throw new IllegalStateException("CA '" + name + "' has an unreadable certificate", e);
                    }
                }
            }
        });
    }
}
