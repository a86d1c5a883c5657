package tw.eid.pki.crl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.profile.CaCertificate;
import tw.eid.pki.ca.profile.CertificateIssuance;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.CertificateRequest;
import tw.eid.pki.ca.profile.CrlProfile;
import tw.eid.pki.ca.profile.HolderName;
import tw.eid.pki.ca.profile.OfflineCrls;
import tw.eid.pki.ca.profile.PkiNames;
import tw.eid.pki.ca.profile.PreparedCrl;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.Token;

/**
 * A Citizen Root (with its ceremony-signed ARL in the store), a Citizen CA and an RA Operators CA,
 * keys in a real token, recorded in a real store the way the ceremony records them; real citizen
 * certificates issued into CRL partitions (software chip keys: they stand for the chip, the CA
 * keys stay in the token); status changes through the real {@link RevocationService}; and bulk
 * certificate rows for scale. Published in the module's test-jar for the CRL benchmark.
 */
public final class CrlFixture {
    public static final String SUBSCRIBER_ID = "7K3M9XQ2HV4TN8RW";
    public final Database database;
    public final Token token;
    public final ProfileSettings settings = ProfileSettings.defaults();
    public final X509CertificateHolder root;
    public final X509CertificateHolder ca;
    public final X509CertificateHolder operators;
    public final RevocationService revocations;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final CertificateIssuance issuance;
    private final KeyPairGenerator chipKeys;

    public CrlFixture(Database database, Token token, Clock clock) {
        this.database = database;
        this.token = token;
        this.clock = clock;
        token.generateKeyPair("root-key", KeyAlgorithm.EC_P384);
        token.generateKeyPair("citizen-ca-key", KeyAlgorithm.EC_P384);
        token.generateKeyPair("ra-operators-ca-key", KeyAlgorithm.EC_P384);
        issuance = new CertificateIssuance(settings, clock, random);
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
        operators = issuance.issue(
                issuance.prepare(
                        new CertificateRequest(
                                CertificateProfile.RA_OPERATORS_CA,
                                names.raOperatorsCa(),
                                token.publicKey("ra-operators-ca-key")),
                        new CaCertificate(CertificateProfile.CITIZEN_ROOT, root)),
                token.signer("root-key"));
        insertCa("citizen-root", root, "root-key");
        insertCa("citizen-ca", ca, "citizen-ca-key");
        insertCa("ra-operators-ca", operators, "ra-operators-ca-key");
        // The root's ARL as a ceremony signs and records it (number 1, partition 0).
        OfflineCrls offline = new OfflineCrls(settings, clock, random);
        PreparedCrl arl = offline.prepare(
                CrlProfile.CITIZEN_ROOT_ARL,
                new CaCertificate(CertificateProfile.CITIZEN_ROOT, root),
                BigInteger.ONE,
                List.of());
        X509CRLHolder signed = offline.sign(arl, token.signer("root-key"));
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO crl (ca_name, crl_partition, crl_number,"
                            + " this_update, next_update, is_delta, der, created_at) VALUES ('citizen-root', 0, 1, ?, ?, FALSE, ?, ?)")) {
                ps.setObject(1, DatabaseTime.toColumn(signed.getThisUpdate().toInstant()));
                ps.setObject(2, DatabaseTime.toColumn(signed.getNextUpdate().toInstant()));
                ps.setBytes(3, signed.getEncoded());
                ps.setObject(4, DatabaseTime.toColumn(clock.instant()));
                ps.executeUpdate();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return null;
        });
        revocations = new RevocationService(database, AuditLedger.hashChained(clock), clock);
        try {
            chipKeys = KeyPairGenerator.getInstance("EC");
            chipKeys.initialize(new ECGenParameterSpec("secp256r1"), random);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void insertCa(String name, X509CertificateHolder cert, String key) {
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO ca (name, kind, subject_der, certificate_der,"
                    + " key_label, token_label, status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'ACTIVE', ?)")) {
                ps.setString(1, name);
                ps.setString(2, name);
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

    /** A real citizen-signature certificate of the Citizen CA in {@code partition}, stored GOOD. */
    public X509CertificateHolder citizen(int partition) {
        KeyPair chip = chipKeys.generateKeyPair();
        CertificateRequest request = CertificateRequest.citizen(
                CertificateProfile.CITIZEN_SIGNATURE,
                new CertificateRequest.Citizen(
                        HolderName.of("王小明", settings.holderNamePrivateUse()), SUBSCRIBER_ID, "6789", partition, null),
                SubjectPublicKeyInfo.getInstance(chip.getPublic().getEncoded()));
        X509CertificateHolder cert = issuance.issue(
                issuance.prepare(request, new CaCertificate(CertificateProfile.CITIZEN_CA, ca)),
                token.signer("citizen-ca-key"));
        database.inTransaction(c -> {
            openPartition(c, partition);
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO certificate (ca_name, serial_hex, profile, status,"
                            + " not_before, not_after, tbs_der, der, public_key_sha256, crl_partition, created_at, updated_at)"
                            + " VALUES ('citizen-ca', ?, 'citizen-signature/1', 'GOOD', ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, cert.getSerialNumber().toString(16));
                ps.setObject(2, DatabaseTime.toColumn(cert.getNotBefore().toInstant()));
                ps.setObject(3, DatabaseTime.toColumn(cert.getNotAfter().toInstant()));
                ps.setBytes(4, cert.toASN1Structure().getTBSCertificate().getEncoded("DER"));
                ps.setBytes(5, cert.getEncoded());
                ps.setBytes(
                        6,
                        java.security.MessageDigest.getInstance("SHA-256")
                                .digest(chip.getPublic().getEncoded()));
                ps.setInt(7, partition);
                ps.setObject(8, DatabaseTime.toColumn(clock.instant()));
                ps.setObject(9, DatabaseTime.toColumn(clock.instant()));
                ps.executeUpdate();
            } catch (IOException | java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
        return cert;
    }

    private void openPartition(java.sql.Connection c, int partition) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO crl_partition (ca_name, partition_number, capacity,"
                        + " assigned, opened_at) VALUES ('citizen-ca', ?, 100000000, 1, ?) ON DUPLICATE KEY UPDATE assigned = assigned + 1")) {
            ps.setInt(1, partition);
            ps.setObject(2, DatabaseTime.toColumn(clock.instant()));
            ps.executeUpdate();
        }
    }

    public void suspend(X509CertificateHolder cert) {
        revocations.suspend(
                Actor.local("crl-test"), "citizen-ca", cert.getSerialNumber().toString(16));
    }

    public void resume(X509CertificateHolder cert) {
        revocations.resume(
                Actor.local("crl-test"), "citizen-ca", cert.getSerialNumber().toString(16));
    }

    public void revoke(X509CertificateHolder cert, tw.eid.pki.ca.profile.RevocationReason reason) {
        revocations.revoke(
                Actor.local("crl-test"), "citizen-ca", cert.getSerialNumber().toString(16), reason);
    }

    /**
     * A full partition as the Citizen CA has it at national scale: {@code count} certificate rows,
     * every {@code revokedEvery}-th on the CRL (one in ten of those on hold, the rest keyCompromise),
     * the rest good; made by the server (the sequence engine) like {@link #bulkRevoked}, with the
     * partition's row marking it full. Serials are distinct per (partition, row).
     */
    public void bulkPartition(int partition, int count, int revokedEvery) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        database.inTransaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO crl_partition (ca_name, partition_number, capacity,"
                            + " assigned, opened_at) VALUES ('citizen-ca', ?, ?, ?, ?)")) {
                ps.setInt(1, partition);
                ps.setInt(2, count);
                ps.setInt(3, count);
                ps.setObject(4, DatabaseTime.toColumn(now));
                ps.executeUpdate();
            }
            return null;
        });
        generate(partition, count, '9', partition, revokedEvery, now);
    }

    /**
     * {@code count} certificate rows in {@code partition}, revoked (keyCompromise) or on hold, made
     * by the server itself (MariaDB's sequence engine) so that a million rows take seconds; their DER
     * is a placeholder (a CRL reads only serial, status, reason and times). Serials are distinct
     * 128-bit values with the top bit set, derived from {@code seed} and the row number.
     */
    public void bulkRevoked(int partition, int count, int seed) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        database.inTransaction(c -> {
            openPartition(c, partition);
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE crl_partition SET assigned = LEAST(capacity, assigned + ?)"
                            + " WHERE ca_name = 'citizen-ca' AND partition_number = ?")) {
                ps.setInt(1, count);
                ps.setInt(2, partition);
                ps.executeUpdate();
            }
            return null;
        });
        generate(partition, count, '8', seed, 1, now);
    }

    /**
     * The rows of {@link #bulkRevoked} and {@link #bulkPartition}, 100,000 a transaction: serial
     * {@code lead} + the seed (7 hex digits) + the row number (8) + 16 hex digits of a hash; every
     * {@code revokedEvery}-th row on the CRL, one in ten of those on hold (certificateHold), the
     * rest keyCompromise, revoked an hour before {@code now}.
     */
    private void generate(int partition, int count, char lead, int seed, int revokedEvery, Instant now) {
        int batch = 100_000;
        for (int from = 1; from <= count; from += batch) {
            int to = Math.min(count, from + batch - 1);
            int f = from;
            database.inTransaction(c -> {
                try (PreparedStatement ps =
                        c.prepareStatement("INSERT INTO certificate (ca_name, serial_hex, profile, status,"
                                + " revocation_reason, revocation_time, not_before, not_after, tbs_der, der, public_key_sha256,"
                                + " crl_partition, created_at, updated_at)"
                                + " SELECT 'citizen-ca', LOWER(CONCAT(?, LPAD(HEX(?), 7, '0'), LPAD(HEX(seq), 8, '0'),"
                                + " SUBSTRING(SHA2(CONCAT(?, '-', seq), 256), 1, 16))), 'citizen-signature/1',"
                                + " IF(seq % ? = 0, IF(seq % (? * 10) = 0, 'HOLD', 'REVOKED'), 'GOOD'),"
                                + " IF(seq % ? = 0, IF(seq % (? * 10) = 0, 6, 1), NULL), IF(seq % ? = 0, ?, NULL), ?, ?,"
                                + " x'00', x'00', UNHEX(SHA2(CONCAT(?, ?, '/', seq), 256)), ?, ?, ? FROM seq_" + f
                                + "_to_" + to)) {
                    int i = 1;
                    ps.setString(i++, String.valueOf(lead));
                    ps.setInt(i++, seed);
                    ps.setInt(i++, seed);
                    for (int k = 0; k < 5; k++) {
                        ps.setInt(i++, revokedEvery);
                    }
                    ps.setObject(i++, DatabaseTime.toColumn(now.minus(1, ChronoUnit.HOURS)));
                    ps.setObject(i++, DatabaseTime.toColumn(now.minus(30, ChronoUnit.DAYS)));
                    ps.setObject(i++, DatabaseTime.toColumn(now.plus(5 * 365, ChronoUnit.DAYS)));
                    ps.setString(i++, String.valueOf(lead));
                    ps.setInt(i++, seed);
                    ps.setInt(i++, partition);
                    ps.setObject(i++, DatabaseTime.toColumn(now));
                    ps.setObject(i, DatabaseTime.toColumn(now));
                    ps.executeUpdate();
                }
                return null;
            });
        }
    }

    /** PEM of a certificate, for openssl. */
    public static Path pem(Path file, X509CertificateHolder cert) {
        try {
            Files.writeString(
                    file,
                    "-----BEGIN CERTIFICATE-----\n"
                            + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(cert.getEncoded())
                            + "\n-----END CERTIFICATE-----\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
