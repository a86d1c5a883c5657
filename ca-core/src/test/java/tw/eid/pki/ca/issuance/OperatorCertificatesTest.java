package tw.eid.pki.ca.issuance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/** Operator and RA TLS certificates from the RA Operators CA's key in a real token, judged by openssl. */
class OperatorCertificatesTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    private static Token token;
    private static IssuanceFixture pki;

    @BeforeAll
    static void setUp() {
        token = SoftHsmTestTokens.create("ops").open(Clock.systemUTC());
        pki = new IssuanceFixture(db.database(), token, dir, Clock.systemUTC());
    }

    @AfterAll
    static void tearDown() {
        token.close();
    }

    static SubjectPublicKeyInfo newKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return SubjectPublicKeyInfo.getInstance(g.generateKeyPair().getPublic().getEncoded());
    }

    private static String verify(String purpose, X509CertificateHolder cert) throws Exception {
        Path leaf = IssuanceFixture.writePem(dir.resolve(cert.getSerialNumber().toString(16) + ".pem"), cert);
        Process p = new ProcessBuilder(
                        "openssl",
                        "verify",
                        "-x509_strict",
                        "-purpose",
                        purpose,
                        "-CAfile",
                        pki.rootPem.toString(),
                        "-untrusted",
                        pki.operatorsPem.toString(),
                        leaf.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() + " " + out;
    }

    private static String status(X509CertificateHolder cert) {
        return db.database().inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT status FROM certificate WHERE ca_name = 'ra-operators-ca' AND serial_hex = ? AND der IS NOT NULL")) {
                ps.setString(1, cert.getSerialNumber().toString(16));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : "missing";
                }
            }
        });
    }

    @Test
    void issuesRecordedOperatorAndTlsCertificatesThatOpensslAccepts() throws Exception {
        OperatorCertificates ops = pki.operatorCertificates();
        Actor admin = Actor.local("ceremony:admins");
        X509CertificateHolder officer = ops.issueOperator(
                admin, "officer-0001", "Daan Household Registration Office", OperatorRole.OFFICER, newKey());
        X509CertificateHolder tls = ops.issueTlsServer(admin, List.of("localhost", "127.0.0.1"), newKey());

        assertThat(verify("sslclient", officer)).startsWith("0 ").endsWith(": OK");
        assertThat(verify("sslserver", tls)).startsWith("0 ").endsWith(": OK");
        assertThat(verify("sslserver", officer)).doesNotStartWith("0 ");
        assertThat(officer.getSubject().toString()).contains("CN=officer-0001");
        assertThat(pki.settings.operatorRole(
                        org.bouncycastle.asn1.x509.CertificatePolicies.fromExtensions(officer.getExtensions())
                                .getPolicyInformation()[0]
                                .getPolicyIdentifier()
                                .getId()))
                .contains(OperatorRole.OFFICER);
        assertThat(status(officer)).isEqualTo("GOOD");
        assertThat(status(tls)).isEqualTo("GOOD");
    }
}
