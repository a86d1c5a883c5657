package tw.eid.pki.ca.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.ca.store.TestDatabase;

/**
 * What {@code /certs/{ca}.crt} publishes, from a real store, read back by openssl: one CA
 * certificate as DER, a CSCA and its successor as certs-only CMS, and nothing for any other name.
 */
class CaCertificatesTest {
    /** The test certificates' start: a fixed day (nothing judges their dates). */
    private static final Instant AT = Instant.parse("2028-02-29T12:00:00Z");

    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    Path dir;

    @Test
    void oneCaIsItsDerAndTwoCscasAreACertsOnlyCmsWhileOtherNamesGiveNothing() throws Exception {
        CaCertificates published = new CaCertificates(db.database());
        assertThat(published.at("citizen-root")).as("no root created yet").isEmpty();

        X509CertificateHolder root = selfSigned("CN=Test Citizen Root");
        insert("test-root", "citizen-root", root, "ACTIVE", Instant.parse("2026-01-01T00:00:00Z"));
        X509CertificateHolder signer = selfSigned("CN=Test OCSP signer");
        insert("test-root-ocsp", "ocsp-signer", signer, "ACTIVE", Instant.parse("2026-01-02T00:00:00Z"));
        X509CertificateHolder oldCsca = selfSigned("CN=Test CSCA 1");
        insert("test-csca-1", "csca", oldCsca, "SUPERSEDED", Instant.parse("2026-01-03T00:00:00Z"));
        X509CertificateHolder newCsca = selfSigned("CN=Test CSCA 2");
        insert("test-csca-2", "csca", newCsca, "ACTIVE", Instant.parse("2026-01-04T00:00:00Z"));

        CaCertificates.Published one = published.at("citizen-root").orElseThrow();
        assertThat(one.contentType()).isEqualTo("application/pkix-cert");
        assertThat(one.body()).isEqualTo(root.getEncoded());
        assertThat(one.lastModified()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        Path der = Files.write(dir.resolve("root.crt"), one.body());
        OpenSslCli.Result x509 =
                OpenSslCli.openssl(dir, "x509", "-inform", "DER", "-in", der.toString(), "-noout", "-subject");
        assertThat(x509.exitCode()).as(x509.output()).isZero();
        assertThat(x509.output()).contains("CN = Test Citizen Root");

        CaCertificates.Published two = published.at("csca").orElseThrow();
        assertThat(two.contentType()).isEqualTo("application/pkcs7-mime; smime-type=certs-only");
        assertThat(two.lastModified()).isEqualTo(Instant.parse("2026-01-04T00:00:00Z"));
        Path p7c = Files.write(dir.resolve("csca.p7c"), two.body());
        OpenSslCli.Result pkcs7 =
                OpenSslCli.openssl(dir, "pkcs7", "-inform", "DER", "-in", p7c.toString(), "-print_certs", "-noout");
        assertThat(pkcs7.exitCode()).as(pkcs7.output()).isZero();
        assertThat(pkcs7.output())
                .contains("CN = Test CSCA 1")
                .contains("CN = Test CSCA 2")
                .doesNotContain("OCSP");

        for (String other : new String[] {
            "ocsp-signer",
            "test-root-ocsp",
            "test-root",
            "csca-link",
            "document-signer",
            "citizen-signature",
            "",
            "../citizen-root",
            "CITIZEN-ROOT"
        }) {
            assertThat(published.at(other)).as(other).isEmpty();
        }
        assertThat(published.at("citizen-ca"))
                .as("a CA profile with no certificate in the store")
                .isEmpty();
    }

    private static X509CertificateHolder selfSigned(String subject) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair key = g.generateKeyPair();
        X500Name name = new X500Name(subject);
        return new X509v3CertificateBuilder(
                        name,
                        BigInteger.ONE,
                        Date.from(AT),
                        Date.from(AT.plusSeconds(86_400)),
                        name,
                        SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()));
    }

    private static void insert(String name, String kind, X509CertificateHolder cert, String status, Instant at)
            throws Exception {
        byte[] subject = cert.getSubject().getEncoded("DER");
        byte[] der = cert.getEncoded();
        db.database().inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO ca (name, kind, subject_der, certificate_der,"
                    + " key_label, token_label, status, created_at) VALUES (?, ?, ?, ?, ?, 'test', ?, ?)")) {
                ps.setString(1, name);
                ps.setString(2, kind);
                ps.setBytes(3, subject);
                ps.setBytes(4, der);
                ps.setString(5, name + "-key");
                ps.setString(6, status);
                ps.setObject(7, DatabaseTime.toColumn(at));
                ps.executeUpdate();
            }
            return null;
        });
    }
}
