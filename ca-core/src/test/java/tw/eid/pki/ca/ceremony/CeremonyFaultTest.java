package tw.eid.pki.ca.ceremony;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tw.eid.pki.ca.custody.ScryptCost;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.store.SignedCertificateFault;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.SoftHsmTestTokens;

/**
 * Issue 14 for the key ceremony: when the store fails right after the offline keys signed the
 * ceremony's certificates, every prepared serial stays revoked (cessationOfOperation), none is good,
 * no CA is usable, and the audit records the failed ceremony with its serials.
 */
class CeremonyFaultTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-02T09:00:00Z"), ZoneOffset.UTC);

    @Test
    void aCeremonyWhoseStoreFailsAfterTheSignaturesLeavesEveryPreparedSerialRevokedAndAudited() throws Exception {
        String label = "ceremony-fault-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        Files.writeString(dir.resolve("alice.pass"), "alice-passphrase-for-tests\n");
        Files.writeString(dir.resolve("bob.pass"), "bob-passphrase-for-tests\n");
        Path file = dir.resolve("ceremony.yaml");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "version: 1",
                        "name: fault",
                        "output: ceremony/fault",
                        "tokens:",
                        "  offline: {label: " + label + ", initialize: true}",
                        "custodians:",
                        "  threshold: 2",
                        "  shares: custody",
                        "  members:",
                        "    - {name: alice, passphraseFile: alice.pass}",
                        "    - {name: bob, passphraseFile: bob.pass}",
                        "publication:",
                        "  baseUrl: http://127.0.0.1:8080",
                        "steps:",
                        "  - key: {token: offline, label: citizen-root-key, algorithm: ec-p384}",
                        "  - key: {token: offline, label: citizen-ca-key, algorithm: ec-p384}",
                        "  - certificate: {name: citizen-root, profile: citizen-root, key: citizen-root-key}",
                        "  - certificate: {name: citizen-ca, profile: citizen-ca, key: citizen-ca-key, issuer: citizen-root}",
                        "  - crl: {issuer: citizen-root, nextUpdateDays: 365}",
                        "transcriptSigner: citizen-root-key",
                        ""));
        Ceremony.Environment env = new Ceremony.Environment(
                dir,
                Map.of(
                        "SOFTHSM2_CONF",
                        SoftHsmTestTokens.conf().toAbsolutePath().toString()),
                CLOCK,
                new SecureRandom(),
                new ScryptCost(10, 8, 1),
                (custodian, purpose) -> {
                    throw new AssertionError("no prompt in this test");
                });

        try (SignedCertificateFault fault = SignedCertificateFault.inject(db.dataSource())) {
            assertThatThrownBy(() -> Ceremony.run(file, env, db.database())).isInstanceOf(RuntimeException.class);
        }

        List<SignedCertificateFault.Row> rows = SignedCertificateFault.rows(db.database());
        SignedCertificateFault.assertRevokedNeverGood(rows, 2);
        // The root's own row is its own (self-signed); the Citizen CA's is the root's, for the root's ARL.
        assertThat(rows)
                .extracting(SignedCertificateFault.Row::caName, SignedCertificateFault.Row::profile)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("citizen-root", CertificateProfile.CITIZEN_ROOT.id()),
                        org.assertj.core.groups.Tuple.tuple("citizen-root", CertificateProfile.CITIZEN_CA.id()));
        assertThat(SignedCertificateFault.failureDetails(db.database(), "ceremony.run"))
                .singleElement()
                .asString()
                .contains(rows.get(0).serialHex(), rows.get(1).serialHex());
        // No CA of the failed ceremony is certified in the store: nothing can issue under it.
        int certified = db.database().inTransaction(c -> {
            try (PreparedStatement ps =
                            c.prepareStatement("SELECT COUNT(*) FROM ca WHERE certificate_der IS NOT NULL");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(certified).isZero();
    }
}
