package tw.eid.pki.ra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.ra.RaFixture.Client;
import tw.eid.pki.ra.RaFixture.Reply;

/**
 * Transport and identity: TLS versions judged by openssl, client certificates judged by the
 * handshake and by every request, and the lockout of a source after three failures (the RA's
 * clock moved by hand).
 */
class TransportSecurityTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    static RaFixture ra;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        ra = new RaFixture(db, dir);
    }

    @AfterAll
    static void stop() throws Exception {
        ra.close();
    }

    /** Each test starts with a clean slate: past any window and any lockout of the one before. */
    @AfterEach
    void forgetFailures() {
        ra.authClock.advance(Duration.ofHours(1));
    }

    private String sClient(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(
                List.of("openssl", "s_client", "-connect", "127.0.0.1:" + ra.port, "-CAfile", ra.rootPem.toString()));
        cmd.addAll(List.of(args));
        return RaFixture.run(cmd);
    }

    private String officerCert(String... args) throws Exception {
        Client officer = ra.role(OperatorRole.OFFICER);
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of(
                "-cert", officer.certPem().toString(), "-key", officer.keyPem().toString()));
        return sClient(all.toArray(String[]::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-tls1", "-tls1_1"})
    void tls10And11AreRefusedEvenByAClientThatWouldSpeakThem(String version) throws Exception {
        String out = officerCert(version, "-cipher", "DEFAULT@SECLEVEL=0");
        assertThat(out).doesNotStartWith("0 ");
        assertThat(out).contains("alert protocol version").contains("Cipher is (NONE)");
    }

    @Test
    void tls12And13AreSpokenWithAeadSuitesOnly() throws Exception {
        String v12 = officerCert("-tls1_2");
        assertThat(v12)
                .startsWith("0 ")
                .contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES")
                .contains("GCM")
                .contains("Verify return code: 0 (ok)");
        String v13 = officerCert("-tls1_3");
        assertThat(v13)
                .startsWith("0 ")
                .contains("New, TLSv1.3, Cipher is TLS_")
                .contains("Verify return code: 0 (ok)");
        // CBC with RSA key transport: not offered
        assertThat(officerCert("-tls1_2", "-cipher", "AES128-SHA:ECDHE-ECDSA-AES128-SHA"))
                .doesNotStartWith("0 ");
    }

    @Test
    void noClientCertificateIsRefused() throws Exception {
        assertThatThrownBy(() -> ra.call(ra.noCertificate, "GET", "/health")).isInstanceOf(IOException.class);
        assertThat(ra.curl(ra.noCertificate, ra.uri("/health").toString())).doesNotStartWith("0 ");
    }

    @Test
    void aClientCertificateFromAnotherCaIsRefusedInTheHandshake() throws Exception {
        assertThatThrownBy(() -> ra.call(ra.foreign, "GET", "/health")).isInstanceOf(IOException.class);
        ra.authClock.advance(Duration.ofHours(1));
        assertThat(ra.curl(ra.foreign, ra.uri("/health").toString())).doesNotStartWith("0 ");
    }

    @Test
    void anExpiredClientCertificateIsRefused() throws Exception {
        // Expired on the clock the RA judges client certificates by.
        assertThat(ra.expired.certificate().getNotAfter().toInstant()).isBefore(ra.authClock.instant());
        assertThatThrownBy(() -> ra.call(ra.expired, "GET", "/health")).isInstanceOf(IOException.class);
    }

    @Test
    void aRevokedOrUnrecordedClientCertificateGets401() throws Exception {
        assertUnauthorized(ra.call(ra.revoked, "GET", "/health"), "auth.certificate-revoked");
        assertUnauthorized(ra.call(ra.unknown, "GET", "/health"), "auth.certificate-unknown");
        assertThat(ra.count("SELECT COUNT(*) FROM audit_event WHERE actor = 'unauthenticated'"
                        + " AND error_code = 'auth.certificate-revoked' AND source_addr LIKE '127.0.0.1:%'"))
                .isPositive();
        String viaCurl =
                ra.curl(ra.revoked, "-w", "\\n%{http_code}", ra.uri("/health").toString());
        assertThat(viaCurl).startsWith("0 ").endsWith("401").contains("auth.certificate-revoked");
    }

    @Test
    void revocationIsCheckedOnEveryRequestNotJustAtTheHandshake() throws Exception {
        Client officer = ra.operatorClient(
                "officer-2",
                OperatorRole.OFFICER,
                ra.authClock.instant().minus(Duration.ofDays(1)),
                ra.operatorsCaCa,
                "ra-operators-ca-key",
                true);
        HttpClient http = HttpClient.newBuilder()
                .sslContext(officer.ssl())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        HttpRequest health = HttpRequest.newBuilder(ra.uri("/health")).build();
        assertThat(http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);
        ra.revocations.suspend(
                RaFixture.SETUP,
                RaFixture.OPERATORS_CA,
                officer.certificate().getSerialNumber().toString(16));
        HttpResponse<byte[]> again = http.send(health, HttpResponse.BodyHandlers.ofByteArray());
        assertUnauthorized(
                new Reply(again.statusCode(), again.headers().map(), again.body()), "auth.certificate-revoked");
    }

    @Test
    void threeFailuresLockTheSourceOutForThirtyMinutes() throws Exception {
        Client officer = ra.role(OperatorRole.OFFICER);
        assertThat(ra.call(officer, "GET", "/health").status()).isEqualTo(200);
        assertUnauthorized(ra.call(ra.revoked, "GET", "/health"), "auth.certificate-revoked"); // 1, in the request
        assertUnauthorized(ra.call(ra.unknown, "GET", "/health"), "auth.certificate-unknown"); // 2, in the request
        assertThatThrownBy(() -> ra.call(ra.foreign, "GET", "/health")).isInstanceOf(IOException.class); // 3, handshake

        Reply locked = ra.call(officer, "GET", "/cards/TWX0000001");
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.contentType()).startsWith("application/problem+json");
        assertThat(JSON.readTree(locked.body()).get("code").asText()).isEqualTo("auth.locked-out");
        assertThat(Long.parseLong(locked.header("retry-after"))).isBetween(1790L, 1800L);
        assertThat(ra.call(ra.role(OperatorRole.AUDITOR), "GET", "/health").status())
                .isEqualTo(429);

        ra.authClock.advance(Duration.ofMinutes(29));
        assertThat(ra.call(officer, "GET", "/health").status()).isEqualTo(429);
        ra.authClock.advance(Duration.ofMinutes(1).plusSeconds(1));
        assertThat(ra.call(officer, "GET", "/health").status()).isEqualTo(200);
    }

    @Test
    void failuresOutsideTheWindowDoNotAddUp() throws Exception {
        assertUnauthorized(ra.call(ra.revoked, "GET", "/health"), "auth.certificate-revoked");
        assertUnauthorized(ra.call(ra.revoked, "GET", "/health"), "auth.certificate-revoked");
        ra.authClock.advance(Duration.ofMinutes(10).plusSeconds(1));
        assertUnauthorized(ra.call(ra.revoked, "GET", "/health"), "auth.certificate-revoked");
        assertThat(ra.call(ra.role(OperatorRole.OFFICER), "GET", "/health").status())
                .isEqualTo(200);
    }

    @Test
    void forbiddenRolesAreNotCountedTowardALockout() throws Exception {
        Client auditor = ra.role(OperatorRole.AUDITOR);
        for (int i = 0; i < 5; i++) {
            Reply r = ra.json(auditor, "POST", "/cards", "{}");
            assertThat(r.status()).isEqualTo(403);
        }
        assertThat(ra.call(auditor, "GET", "/health").status()).isEqualTo(200);
    }

    @Test
    void anUnderprivilegedCertificateFromTheRightCaWithoutClientAuthIsRefused() throws Exception {
        // The RA's own TLS server certificate comes from the same CA but is no client certificate:
        // the trust manager asks for clientAuth. Checked directly on the trust manager.
        var failures =
                new tw.eid.pki.ra.auth.AuthFailures(ra.authClock, Duration.ofMinutes(10), 3, Duration.ofMinutes(30));
        var tm = new tw.eid.pki.ra.auth.OperatorTrustManager(RaFixture.jdk(ra.operatorsCa), ra.authClock, failures);
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        char[] pw = java.nio.file.Files.readString(dir.resolve("ra-tls.password"))
                .strip()
                .toCharArray();
        try (var in = java.nio.file.Files.newInputStream(dir.resolve("ra-tls.p12"))) {
            ks.load(in, pw);
        }
        var serverCert = (java.security.cert.X509Certificate) ks.getCertificate("ra-tls");
        assertThatThrownBy(() -> tm.verify(new java.security.cert.X509Certificate[] {serverCert}))
                .hasMessageContaining("client authentication");
        tm.verify(new java.security.cert.X509Certificate[] {
            RaFixture.jdk(ra.role(OperatorRole.OFFICER).certificate())
        });
    }

    private static void assertUnauthorized(Reply r, String code) throws Exception {
        assertThat(r.status()).as(r.text()).isEqualTo(401);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(JSON.readTree(r.body()).get("code").asText()).isEqualTo(code);
    }
}
