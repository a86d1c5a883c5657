package tw.eid.pki.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditVerifier;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.MutableClock;
import tw.eid.pki.hsm.Pkcs11ToolObjects;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * A renewed OCSP signer's old key is destroyed once the new signer has been current for
 * {@link OcspSignerRetirement#RETIRE_AFTER} and not before, marked RETIRED in the store before it
 * is destroyed and recorded after, audited; a run interrupted between the steps is finished by the
 * next one. Each test has its own store and token.
 */
class OcspSignerRetirementTest {
    /** One token per test, all created before the library is loaded (SoftHSM2 does not see tokens made later). */
    private static final Deque<SoftHsmTestTokens.TestToken> TOKENS = new ArrayDeque<>();

    private Database database;
    private MutableClock clock;
    private SoftHsmTestTokens.TestToken testToken;
    private Token token;
    private OcspFixture pki;
    private OcspSignerRenewal renewal;
    private OcspSignerRetirement retirement;

    @BeforeAll
    static void createTokens() {
        for (int i = 0; i < 3; i++) {
            TOKENS.add(SoftHsmTestTokens.create("ocsp-retire"));
        }
    }

    @BeforeEach
    void setUp() {
        database = TestDatabase.createDatabase();
        // Late in a year: the signers it rotates and retires span the new year.
        clock = new MutableClock(Instant.parse("2031-12-20T08:00:00Z"));
        testToken = TOKENS.remove();
        token = testToken.open(Clock.systemUTC());
        pki = new OcspFixture(database, token, clock);
        renewal = new OcspSignerRenewal(
                database, token, ProfileSettings.defaults(), AuditLedger.hashChained(clock), clock, new SecureRandom());
        retirement = new OcspSignerRetirement(database, token, AuditLedger.hashChained(clock), clock);
    }

    @AfterEach
    void tearDown() {
        token.close();
        database.close();
    }

    @Test
    void theOldKeyIsDestroyedOnlyOnceTheNewSignerHasBeenCurrentLongEnough() throws Exception {
        BigInteger good = pki.certificate("GOOD", null);
        OcspResponder holder = responder();
        OcspUpdater updater = new OcspUpdater(database, holder, "node-a", clock, renewal, retirement);
        // Another responder process, without the lease: it only reloads its authorities.
        OcspResponder other = responder();
        OcspUpdater otherUpdater = new OcspUpdater(database, other, "node-b", clock);
        byte[] request = OcspResponderTest.request(OcspResponderTest.id(pki.ca, good));
        assertThat(updater.runOnce()).isNotNegative();
        assertThat(otherUpdater.runOnce()).isEqualTo(-1);

        clock.set(renewalDue(pki.signer));
        updater.runOnce();
        String renewed = signerRows().get(1)[0];
        Instant renewedAt = clock.instant();
        assertThat(token.exists("citizen-ca-ocsp-key")).isTrue();

        // The other process picks up the new signer at its next reload (within OcspUpdater.RELOAD)...
        clock.advance(OcspUpdater.RELOAD.plusSeconds(1));
        otherUpdater.runOnce();
        X509CertificateHolder renewedCertificate = OcspSignerRenewalTest.signerOf(other.respond(request));
        assertThat(renewedCertificate).isNotEqualTo(pki.signer);

        // ... and a minute short of RETIRE_AFTER the old key is still there, its row ACTIVE.
        clock.set(renewedAt.plus(OcspSignerRetirement.RETIRE_AFTER).minusSeconds(60));
        updater.runOnce();
        assertThat(token.exists("citizen-ca-ocsp-key")).isTrue();
        assertThat(status("citizen-ca-ocsp")).isEqualTo("ACTIVE");

        clock.set(renewedAt.plus(OcspSignerRetirement.RETIRE_AFTER).plusSeconds(1));
        updater.runOnce();
        assertThat(status("citizen-ca-ocsp")).isEqualTo("RETIRED");
        assertThat(keyDestroyedAt("citizen-ca-ocsp")).isNotNull();
        assertThat(token.exists("citizen-ca-ocsp-key")).isFalse();
        assertThat(Pkcs11ToolObjects.list(testToken))
                .extracting(Pkcs11ToolObjects.P11Object::label)
                .doesNotContain("citizen-ca-ocsp-key")
                .contains("citizen-ca-key", signerKey(renewed));
        // Both processes answer from the new signer; the old row and certificate stay.
        assertThat(OcspSignerRenewalTest.signerOf(holder.respond(request))).isEqualTo(renewedCertificate);
        assertThat(OcspSignerRenewalTest.signerOf(other.respond(
                        OcspResponderTest.request(OcspResponderTest.id(pki.ca, pki.certificate("GOOD", null))))))
                .isEqualTo(renewedCertificate);
        assertThat(signerRows()).hasSize(2);
        assertThat(auditTargets("ocsp-signer.retire")).containsExactly("citizen-ca-ocsp");
        assertThat(auditTargets("ocsp-signer.key-destroy")).containsExactly("citizen-ca-ocsp");
        assertThat(auditDetails("ocsp-signer.key-destroy"))
                .contains("\"objectsDestroyed\":2", "\"alreadyAbsent\":false");
        assertThat(AuditVerifier.verify(
                                database.dataSource(),
                                new JcaContentVerifierProviderBuilder()
                                        .setProvider(new BouncyCastleProvider())
                                        .build(pki.ca))
                        .ok())
                .isTrue();

        // A retired signer is never loaded again, not even where it would be the only valid one.
        assertThat(OcspAuthorities.load(
                                database,
                                renewedCertificate.getNotBefore().toInstant().minusSeconds(1))
                        .all())
                .isEmpty();
        // Later runs find nothing more to do.
        clock.advance(OcspUpdater.RELOAD.plusSeconds(1));
        updater.runOnce();
        assertThat(auditTargets("ocsp-signer.key-destroy")).hasSize(1);
        assertThat(token.exists(signerKey(renewed))).isTrue();
        updater.close();
        otherUpdater.close();
    }

    @Test
    void aRunInterruptedAfterTheRetirementOrAfterTheDestructionIsFinishedByTheNext() {
        clock.set(renewalDue(pki.signer));
        OcspAuthority first =
                OcspAuthorities.load(database, clock.instant()).all().get(0);
        String second = renewal.renew(first);

        // Interrupted after step 1: marked RETIRED, the key still in the token.
        setStatus("citizen-ca-ocsp", "RETIRED");
        assertThat(retirement.run()).containsExactly("citizen-ca-ocsp");
        assertThat(token.exists("citizen-ca-ocsp-key")).isFalse();
        assertThat(keyDestroyedAt("citizen-ca-ocsp")).isNotNull();

        // Interrupted after step 2: marked RETIRED, the key destroyed, the destruction not recorded.
        OcspAuthority current =
                OcspAuthorities.load(database, clock.instant()).all().get(0);
        assertThat(current.signerName()).isEqualTo(second);
        clock.set(renewalDue(current.signerCertificate()));
        renewal.renew(current);
        setStatus(second, "RETIRED");
        token.destroyKeyPair(signerKey(second));
        assertThat(retirement.run()).containsExactly(second);
        assertThat(keyDestroyedAt(second)).isNotNull();
        assertThat(auditDetails("ocsp-signer.key-destroy")).contains("\"alreadyAbsent\":true");
        assertThat(auditTargets("ocsp-signer.key-destroy")).containsExactly("citizen-ca-ocsp", second);
        assertThat(retirement.run()).isEmpty();
    }

    @Test
    void anExpiredSignerWithoutSuccessorIsRetiredAnHourAfterItsNotAfter() {
        Instant notAfter = pki.signer.getNotAfter().toInstant();
        clock.set(notAfter.plus(OcspSignerRetirement.RETIRE_AFTER).minusSeconds(1));
        assertThat(retirement.run()).isEmpty();
        assertThat(token.exists("citizen-ca-ocsp-key")).isTrue();
        clock.set(notAfter.plus(OcspSignerRetirement.RETIRE_AFTER));
        assertThat(retirement.run()).containsExactly("citizen-ca-ocsp");
        assertThat(token.exists("citizen-ca-ocsp-key")).isFalse();
        assertThat(auditDetails("ocsp-signer.retire")).contains("\"reason\":\"expired\"");
        // The CA keys in the same token are never touched.
        assertThat(token.exists("citizen-ca-key")).isTrue();
        assertThat(token.exists("root-key")).isTrue();
    }

    private OcspResponder responder() {
        return new OcspResponder(
                database, token, OcspAuthorities.load(database, clock.instant()), OcspConfig.defaults(), clock);
    }

    /** A minute after {@code signer} has less than a third of its lifetime left. */
    private static Instant renewalDue(X509CertificateHolder signer) {
        Instant end = signer.getNotAfter().toInstant();
        return end.minus(
                        Duration.between(signer.getNotBefore().toInstant(), end).dividedBy(3))
                .plusSeconds(60);
    }

    /** name and key label of each signer row, oldest first. */
    private List<String[]> signerRows() {
        return database.inTransaction(c -> {
            List<String[]> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT name, key_label FROM ca WHERE kind = 'ocsp-signer' ORDER BY created_at, name");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            return out;
        });
    }

    private String signerKey(String name) {
        return signerRows().stream().filter(r -> r[0].equals(name)).findFirst().orElseThrow()[1];
    }

    private String status(String name) {
        return column("SELECT status FROM ca WHERE name = ?", name);
    }

    private String keyDestroyedAt(String name) {
        return column("SELECT key_destroyed_at FROM ca WHERE name = ?", name);
    }

    private List<String> auditTargets(String action) {
        return columns("SELECT target FROM audit_event WHERE action = ? ORDER BY seq", action);
    }

    private String auditDetails(String action) {
        List<String> all = columns("SELECT details FROM audit_event WHERE action = ? ORDER BY seq", action);
        return all.get(all.size() - 1);
    }

    private void setStatus(String name, String status) {
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE ca SET status = ? WHERE name = ?")) {
                ps.setString(1, status);
                ps.setString(2, name);
                return ps.executeUpdate();
            }
        });
    }

    private String column(String sql, String parameter) {
        List<String> all = columns(sql, parameter);
        return all.isEmpty() ? null : all.get(0);
    }

    private List<String> columns(String sql, String parameter) {
        return database.inTransaction(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, parameter);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }
}
