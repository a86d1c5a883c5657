package tw.eid.pki.ca.profile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSAbsentContent;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.util.CollectionStore;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.ca.store.StoreException;

/**
 * The CA certificates relying parties fetch at {@code {base}/certs/{ca}.crt} (docs/api.md), the AIA
 * caIssuers target that {@link ProfileSettings#caCertificateUrl} writes into the certificates a CA
 * issues: for the path segment of a CA profile, every certificate of that profile in the store's
 * {@code ca} table (its {@code kind}), whatever its status: a CSCA superseded by a rollover still
 * verifies what it signed.
 *
 * <p>One certificate is published as its DER ({@code application/pkix-cert}, RFC 2585); several
 * (two CSCAs after a rollover) as a certs-only CMS SignedData ({@code application/pkcs7-mime};
 * RFC 5280 §4.2.2.1 allows either at a caIssuers URI), so a path builder finds whichever issued
 * the certificate in hand.
 *
 * <p>Security guarantee: only the certificates of the four CA profiles are ever published (never
 * an OCSP signer's, a Document Signer's or a subscriber's), exactly as the store holds them; a
 * segment that names no CA profile, or a profile with no certificate yet, gives nothing.
 */
public final class CaCertificates {
    /** The CA profiles whose certificates the {@code ca} table holds, by their published path segment. */
    private static final Set<CertificateProfile> PUBLISHED = EnumSet.of(
            CertificateProfile.CITIZEN_ROOT,
            CertificateProfile.CITIZEN_CA,
            CertificateProfile.RA_OPERATORS_CA,
            CertificateProfile.CSCA);

    public static final String PKIX_CERT = "application/pkix-cert";
    public static final String PKCS7_CERTS_ONLY = "application/pkcs7-mime; smime-type=certs-only";

    /** What one path serves: the body, its media type, and the newest certificate's recording time. */
    public record Published(byte[] body, String contentType, Instant lastModified) {}

    private final Database database;

    public CaCertificates(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    /** The CA profile whose certificates {@code {base}/certs/{segment}.crt} publishes, if any. */
    public static Optional<CertificateProfile> profileAt(String segment) {
        return PUBLISHED.stream().filter(p -> p.caSlug().equals(segment)).findFirst();
    }

    /** What {@code {base}/certs/{segment}.crt} serves now, or empty (404). */
    public Optional<Published> at(String segment) {
        Optional<CertificateProfile> profile = profileAt(segment);
        if (profile.isEmpty()) {
            return Optional.empty();
        }
        List<X509CertificateHolder> certificates = new ArrayList<>();
        Instant newest = null;
        try (Connection c = database.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT certificate_der, created_at FROM ca"
                        + " WHERE kind = ? AND certificate_der IS NOT NULL ORDER BY created_at, name")) {
            ps.setString(1, profile.get().profileName());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    certificates.add(new X509CertificateHolder(rs.getBytes(1)));
                    newest = DatabaseTime.fromColumn(rs.getObject(2, LocalDateTime.class));
                }
            }
        } catch (SQLException e) {
            throw new StoreException(StoreException.Code.SQL, "cannot read the CA certificates", e);
        } catch (IOException e) {
            throw new IllegalStateException("a " + segment + " certificate in the store does not parse", e);
        }
        if (certificates.isEmpty()) {
            return Optional.empty();
        }
        if (certificates.size() == 1) {
            return Optional.of(new Published(encoded(certificates.get(0)), PKIX_CERT, newest));
        }
        return Optional.of(new Published(certsOnly(certificates), PKCS7_CERTS_ONLY, newest));
    }

    /** RFC 5652 §5 SignedData with no content and no signer, the certificates only (DER). */
    static byte[] certsOnly(List<X509CertificateHolder> certificates) {
        try {
            CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
            generator.addCertificates(new CollectionStore<>(certificates));
            return generator
                    .generate(new CMSAbsentContent(), false)
                    .toASN1Structure()
                    .getEncoded(ASN1Encoding.DER);
        } catch (CMSException e) {
            throw new IllegalStateException("cannot encode the certificates as certs-only CMS", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] encoded(X509CertificateHolder certificate) {
        try {
            return certificate.getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
