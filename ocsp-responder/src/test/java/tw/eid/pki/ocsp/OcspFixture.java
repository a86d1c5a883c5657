package tw.eid.pki.ocsp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.bouncycastle.cert.X509CertificateHolder;
import tw.eid.pki.ca.profile.CaCertificate;
import tw.eid.pki.ca.profile.CertificateIssuance;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.CertificateRequest;
import tw.eid.pki.ca.profile.PkiNames;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.Token;

/**
 * A Citizen Root, Citizen CA and the CA's delegated OCSP signer, keys in a real token, recorded
 * in a real store the way the ceremony records them; and certificate rows of any status, written
 * directly (the responder reads only the status columns; issuance has its own tests). Published
 * in the module's test-jar for the OCSP benchmark.
 */
public final class OcspFixture {
    public final Database database;
    public final Token token;
    public final X509CertificateHolder root;
    public final X509CertificateHolder ca;
    public final X509CertificateHolder signer;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public OcspFixture(Database database, Token token, Clock clock) {
        this.database = database;
        this.token = token;
        this.clock = clock;
        ProfileSettings settings = ProfileSettings.defaults();
        token.generateKeyPair("root-key", KeyAlgorithm.EC_P384);
        token.generateKeyPair("citizen-ca-key", KeyAlgorithm.EC_P384);
        token.generateKeyPair("citizen-ca-ocsp-key", KeyAlgorithm.EC_P256);
        CertificateIssuance issuance = new CertificateIssuance(settings, clock, random);
        PkiNames names = settings.names();
        root = issuance.issue(
                issuance.prepareSelfSigned(new CertificateRequest(
                        CertificateProfile.CITIZEN_ROOT, names.citizenRoot(), token.publicKey("root-key"))),
                token.signer("root-key"));
        ca = issuance.issue(
                issuance.prepare(
                        new CertificateRequest(
                                CertificateProfile.CITIZEN_CA, names.citizenCa(), token.publicKey("citizen-ca-key")),
                        new CaCertificate(CertificateProfile.CITIZEN_ROOT, root)),
                token.signer("root-key"));
        signer = issuance.issue(
                issuance.prepare(
                        new CertificateRequest(
                                CertificateProfile.OCSP_SIGNER,
                                names.ocspResponder(CertificateProfile.CITIZEN_CA),
                                token.publicKey("citizen-ca-ocsp-key")),
                        new CaCertificate(CertificateProfile.CITIZEN_CA, ca)),
                token.signer("citizen-ca-key"));
        insertCa("citizen-root", "citizen-root", root, "root-key");
        insertCa("citizen-ca", "citizen-ca", ca, "citizen-ca-key");
        insertCa("citizen-ca-ocsp", OcspAuthorities.SIGNER_KIND, signer, "citizen-ca-ocsp-key");
    }

    private void insertCa(String name, String kind, X509CertificateHolder cert, String key) {
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO ca (name, kind, subject_der, certificate_der,"
                    + " key_label, token_label, status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'ACTIVE', ?)")) {
                ps.setString(1, name);
                ps.setString(2, kind);
                ps.setBytes(3, cert.getSubject().getEncoded("DER"));
                ps.setBytes(4, cert.getEncoded());
                ps.setString(5, key);
                ps.setString(6, token.label());
                ps.setObject(7, DatabaseTime.toColumn(clock.instant()));
                ps.executeUpdate();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return null;
        });
    }

    /** A certificate row of the Citizen CA: status GOOD, HOLD or REVOKED (with a reason or null). */
    public BigInteger certificate(String status, Integer reason) {
        return certificate(new BigInteger(128, random).setBit(127), status, reason);
    }

    /** The same, with the serial chosen by the caller. */
    public BigInteger certificate(BigInteger serial, String status, Integer reason) {
        byte[] filler = new byte[32];
        random.nextBytes(filler);
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO certificate (ca_name, serial_hex, profile, status,"
                            + " revocation_reason, revocation_time, not_before, not_after, tbs_der, der, public_key_sha256,"
                            + " created_at, updated_at) VALUES ('citizen-ca', ?, 'citizen-signature/1', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, serial.toString(16));
                ps.setString(2, status);
                ps.setObject(3, reason);
                ps.setObject(4, "GOOD".equals(status) ? null : DatabaseTime.toColumn(now.minusSeconds(3600)));
                ps.setObject(5, DatabaseTime.toColumn(now.minus(1, ChronoUnit.DAYS)));
                ps.setObject(6, DatabaseTime.toColumn(now.plus(365, ChronoUnit.DAYS)));
                ps.setBytes(7, filler);
                ps.setBytes(8, filler);
                ps.setBytes(9, filler);
                ps.setObject(10, DatabaseTime.toColumn(now));
                ps.setObject(11, DatabaseTime.toColumn(now));
                ps.executeUpdate();
            }
            return null;
        });
        return serial;
    }
}
