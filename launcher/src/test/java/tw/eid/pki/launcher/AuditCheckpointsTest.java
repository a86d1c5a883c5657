package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.audit.AuditCheckpoint;
import tw.eid.pki.ca.audit.AuditCheckpointer;
import tw.eid.pki.ca.audit.AuditFixture;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditReport;
import tw.eid.pki.ca.audit.AuditVerifier;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.crl.CrlConfig;
import tw.eid.pki.crl.CrlPublisher;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.MutableClock;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * The audit checkpoints the CRL-publishing process signs on a schedule (issue 20): with a real
 * token and store and a pinned clock, two processes' publishers share the lease; only the holder's
 * schedule signs, once the interval has passed and the ledger has grown; the other takes over when
 * the holder stops renewing. The checkpoints verify with the token's public key (Bouncy Castle).
 */
class AuditCheckpointsTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final String KEY = "audit-key";
    private static final Duration INTERVAL = AuditCheckpoints.INTERVAL;
    private static Token token;
    private static Token other;
    private static MutableClock clock;
    private static AuditLedger ledger;

    @BeforeAll
    static void tokenAndFirstCheckpoint() {
        // Both created before either is opened: the PKCS#11 library lists its tokens once per process.
        SoftHsmTestTokens.TestToken created = SoftHsmTestTokens.create("audit-cp");
        SoftHsmTestTokens.TestToken otherCreated = SoftHsmTestTokens.create("audit-cp-other");
        token = created.open(Clock.systemUTC());
        other = otherCreated.open(Clock.systemUTC());
        token.generateKeyPair(KEY, KeyAlgorithm.EC_P256);
        clock = new MutableClock(Instant.parse("2026-05-01T08:00:00Z"));
        ledger = AuditLedger.hashChained(clock);
    }

    @AfterAll
    static void closeToken() {
        if (token != null) {
            token.close();
        }
        if (other != null) {
            other.close();
        }
    }

    @Test
    void onlyTheLeaseHolderSignsOnceTheIntervalHasPassedAndTheOtherTakesOver() throws Exception {
        assertThat(AuditCheckpoints.create(db.database(), token, () -> true, INTERVAL, clock))
                .as("no checkpoint in the store names a key yet")
                .isNull();

        // What the ceremony does: events, then the first checkpoint with the audit key.
        AuditFixture.fill(db.database(), ledger, 1, 3);
        db.database().inTransaction(c -> new AuditCheckpointer(clock).checkpoint(c, token.signer(KEY), KEY));

        try (CrlPublisher a = publisher("node-a");
                CrlPublisher b = publisher("node-b")) {
            AuditCheckpoints atA = AuditCheckpoints.create(db.database(), token, a::leading, INTERVAL, clock);
            AuditCheckpoints atB = AuditCheckpoints.create(db.database(), token, b::leading, INTERVAL, clock);
            assertThat(atA).isNotNull();
            assertThat(atB).isNotNull();

            assertThat(a.runOnce()).as("a takes the free lease").isNotNull();
            assertThat(b.runOnce()).as("b finds it held").isNull();
            assertThat(a.leading()).isTrue();
            assertThat(b.leading()).isFalse();

            AuditFixture.fill(db.database(), ledger, 4, 2);
            assertThat(atA.checkpointIfDue()).as("the interval has not passed").isEmpty();

            clock.advance(INTERVAL);
            a.runOnce();
            b.runOnce();
            assertThat(atB.checkpointIfDue()).as("b does not hold the lease").isEmpty();
            Optional<AuditCheckpoint> first = atA.checkpointIfDue();
            assertThat(first)
                    .as("a holds the lease, the interval is over, the ledger grew")
                    .isPresent();
            assertThat(first.get().seq()).isEqualTo(5);
            assertThat(first.get().signerKeyLabel()).isEqualTo(KEY);
            assertThat(atA.checkpointIfDue()).as("just signed").isEmpty();

            // a stops renewing (its process died); b takes the lapsed lease at its next round.
            AuditFixture.fill(db.database(), ledger, 6, 4);
            clock.advance(INTERVAL);
            assertThat(a.leading()).as("a's lease ran out").isFalse();
            assertThat(b.runOnce()).as("b takes the lapsed lease").isNotNull();
            assertThat(atA.checkpointIfDue()).isEmpty();
            Optional<AuditCheckpoint> second = atB.checkpointIfDue();
            assertThat(second).isPresent();
            assertThat(second.get().seq()).isEqualTo(9);

            clock.advance(INTERVAL);
            b.runOnce();
            assertThat(atB.checkpointIfDue()).as("the ledger has not grown").isEmpty();
        }

        ContentVerifierProvider verifier = new JcaContentVerifierProviderBuilder()
                .setProvider(new BouncyCastleProvider())
                .build(new JcaPEMKeyConverter().getPublicKey(token.publicKey(KEY)));
        AuditReport report = AuditVerifier.verify(db.dataSource(), verifier);
        assertThat(report.firstProblem()).isNull();
        assertThat(report.checkpointsChecked()).isEqualTo(3);
        assertThat(report.lastSealedSeq()).isEqualTo(9);

        assertThat(AuditCheckpoints.create(db.database(), other, () -> true, INTERVAL, clock))
                .as("a token without the checkpoint key schedules nothing")
                .isNull();
    }

    private static CrlPublisher publisher(String owner) {
        return new CrlPublisher(db.database(), token, ProfileSettings.defaults(), CrlConfig.defaults(), owner, clock);
    }
}
