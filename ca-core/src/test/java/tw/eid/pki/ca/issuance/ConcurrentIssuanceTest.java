package tw.eid.pki.ca.issuance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditVerifier;
import tw.eid.pki.ca.card.CardRegistration;
import tw.eid.pki.ca.card.NationalId;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.HolderName;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * 2,000 issuances from 16 parallel clients: 2,000 distinct serials, 2,000 rows, 2,000 issuance
 * audit events, and a verifying audit trail. The chips' keys are software keys here (the chip is
 * not ours to model at this volume); the CA's key is in the token as always.
 */
class ConcurrentIssuanceTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    private static final int CARDS = 1_000;
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final byte[] CHIP = HexFormat.of().parseHex("04c0ffee00112233");
    private static Token token;
    private static IssuanceFixture pki;

    @BeforeAll
    static void setUp() {
        token = SoftHsmTestTokens.create("load").open(Clock.systemUTC());
        // A fixed day (a leap day): nothing here judges dates at the real time.
        pki = new IssuanceFixture(
                db.database(), token, dir, Clock.fixed(Instant.parse("2028-02-29T12:00:00Z"), ZoneOffset.UTC));
    }

    @AfterAll
    static void tearDown() {
        token.close();
    }

    private static byte[] csr(KeyPairGenerator generator) throws Exception {
        KeyPair kp = generator.generateKeyPair();
        return new PKCS10CertificationRequestBuilder(
                        new X500Name("CN=chip"),
                        SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded()))
                .build(new JcaContentSignerBuilder("SHA256withECDSA")
                        .setProvider(BC)
                        .build(kp.getPrivate()))
                .getEncoded();
    }

    @Test
    void twoThousandIssuancesFromSixteenClients() throws Exception {
        CitizenIssuer issuer = pki.issuer(CitizenIssuer.DEFAULT_PARTITION_CAPACITY);
        ExecutorService clients = Executors.newFixedThreadPool(16);
        List<Future<List<String>>> results = new ArrayList<>();
        try {
            for (int client = 0; client < 16; client++) {
                int first = client;
                results.add(clients.submit(() -> {
                    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", BC);
                    generator.initialize(new ECGenParameterSpec("secp256r1"));
                    Actor actor = Actor.local("perso-" + first);
                    List<String> serials = new ArrayList<>();
                    for (int card = first; card < CARDS; card += 16) {
                        String number = String.format("LOAD%06d", card);
                        pki.cards.register(
                                actor,
                                new CardRegistration(
                                        number, CHIP, NationalId.of("A123456789"), HolderName.of("林大同", Set.of())));
                        for (CertificateProfile profile :
                                List.of(CertificateProfile.CITIZEN_SIGNATURE, CertificateProfile.CITIZEN_ENCRYPTION)) {
                            serials.add(
                                    issuer.issue(actor, new IssueRequest(number, CHIP, profile, csr(generator), null))
                                            .serialHex());
                        }
                    }
                    return serials;
                }));
            }
            Set<String> serials = new HashSet<>();
            int issued = 0;
            for (Future<List<String>> f : results) {
                List<String> mine = f.get();
                issued += mine.size();
                serials.addAll(mine);
            }
            assertThat(issued).isEqualTo(2 * CARDS);
            assertThat(serials).hasSize(2 * CARDS);
        } finally {
            clients.shutdownNow();
        }
        assertThat(
                        count(
                                "SELECT COUNT(*) FROM certificate WHERE ca_name = 'citizen-ca' AND status = 'GOOD' AND der IS NOT NULL"))
                .isEqualTo(2 * CARDS);
        assertThat(count("SELECT COUNT(*) FROM audit_event WHERE action = 'certificate.issue' AND result = 'SUCCESS'"))
                .isEqualTo(2 * CARDS);
        var report = AuditVerifier.verify(
                db.dataSource(),
                new JcaContentVerifierProviderBuilder().setProvider(BC).build(token.publicKey("audit-key")));
        assertThat(report.ok()).as(String.valueOf(report.problem())).isTrue();
        assertThat(report.eventsChecked()).isEqualTo(3L * CARDS); // registrations + issuances
    }

    private static long count(String sql) {
        return db.database().inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql);
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
