package tw.eid.pki.ca.issuance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Base64;
import org.bouncycastle.cert.X509CertificateHolder;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.card.CardRegistry;
import tw.eid.pki.ca.card.PersonalDataKeys;
import tw.eid.pki.ca.csr.ChipCsrChecks;
import tw.eid.pki.ca.profile.CaCertificate;
import tw.eid.pki.ca.profile.CertificateIssuance;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.CertificateRequest;
import tw.eid.pki.ca.profile.PkiNames;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.SecretKeyType;
import tw.eid.pki.hsm.Token;

/**
 * A Citizen Root and Citizen CA whose keys live in a real token, recorded in a real store, with the
 * card registry and an issuer on top: what a running RA has after the ceremony.
 */
final class IssuanceFixture {
    final Token caToken;
    final ProfileSettings settings = ProfileSettings.defaults();
    final CardRegistry cards;
    final IssuingCa citizenCa;
    final IssuingCa raOperatorsCa;
    final Path operatorsPem;
    final Path rootPem;
    final Path caPem;
    private final Database database;
    private final Clock clock;

    IssuanceFixture(Database database, Token caToken, Path dir, Clock clock) {
        this.database = database;
        this.caToken = caToken;
        this.clock = clock;
        caToken.generateKeyPair("root-key", KeyAlgorithm.EC_P384);
        caToken.generateKeyPair("citizen-ca-key", KeyAlgorithm.EC_P384);
        caToken.generateKeyPair("ra-operators-ca-key", KeyAlgorithm.EC_P384);
        caToken.generateKeyPair("audit-key", KeyAlgorithm.EC_P256);
        caToken.generateSecretKey("pii-hmac-1", SecretKeyType.HMAC_SHA256);
        caToken.generateSecretKey("pii-aes-1", SecretKeyType.AES_256);
        CertificateIssuance ceremony = new CertificateIssuance(settings, clock, new SecureRandom());
        PkiNames names = settings.names();
        X509CertificateHolder root = ceremony.issue(
                ceremony.prepareSelfSigned(new CertificateRequest(
                        CertificateProfile.CITIZEN_ROOT, names.citizenRoot(), caToken.publicKey("root-key"))),
                caToken.signer("root-key"));
        X509CertificateHolder ca = ceremony.issue(
                ceremony.prepare(
                        new CertificateRequest(
                                CertificateProfile.CITIZEN_CA, names.citizenCa(), caToken.publicKey("citizen-ca-key")),
                        new CaCertificate(CertificateProfile.CITIZEN_ROOT, root)),
                caToken.signer("root-key"));
        X509CertificateHolder operators = ceremony.issue(
                ceremony.prepare(
                        new CertificateRequest(
                                CertificateProfile.RA_OPERATORS_CA,
                                names.raOperatorsCa(),
                                caToken.publicKey("ra-operators-ca-key")),
                        new CaCertificate(CertificateProfile.CITIZEN_ROOT, root)),
                caToken.signer("root-key"));
        rootPem = writePem(dir.resolve("root.pem"), root);
        operatorsPem = writePem(dir.resolve("ra-operators-ca.pem"), operators);
        caPem = writePem(dir.resolve("citizen-ca.pem"), ca);
        database.inTransaction(c -> {
            insertCa(c, "citizen-root", root, "root-key");
            insertCa(c, "citizen-ca", ca, "citizen-ca-key");
            insertCa(c, "ra-operators-ca", operators, "ra-operators-ca-key");
            return null;
        });
        cards = new CardRegistry(
                database,
                new PersonalDataKeys(caToken, "pii-hmac-1", "pii-aes-1"),
                AuditLedger.hashChained(clock),
                clock);
        citizenCa = IssuingCa.load(database, "citizen-ca");
        raOperatorsCa = IssuingCa.load(database, "ra-operators-ca");
    }

    CitizenIssuer issuer(int partitionCapacity) {
        return new CitizenIssuer(
                database,
                caToken,
                citizenCa,
                settings,
                new ChipCsrChecks(),
                cards,
                AuditLedger.hashChained(clock),
                clock,
                new SecureRandom(),
                partitionCapacity);
    }

    OperatorCertificates operatorCertificates() {
        return new OperatorCertificates(
                database, caToken, raOperatorsCa, settings, AuditLedger.hashChained(clock), clock, new SecureRandom());
    }

    private void insertCa(Connection c, String name, X509CertificateHolder cert, String key) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO ca (name, kind, subject_der, certificate_der, key_label,"
                        + " token_label, status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'ACTIVE', ?)")) {
            ps.setString(1, name);
            ps.setString(2, name);
            ps.setBytes(3, cert.getSubject().getEncoded("DER"));
            ps.setBytes(4, cert.getEncoded());
            ps.setString(5, key);
            ps.setString(6, caToken.label());
            ps.setObject(7, DatabaseTime.toColumn(clock.instant()));
            ps.executeUpdate();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path writePem(Path p, X509CertificateHolder cert) {
        try {
            Files.writeString(
                    p,
                    "-----BEGIN CERTIFICATE-----\n"
                            + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(cert.getEncoded())
                            + "\n-----END CERTIFICATE-----\n");
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
