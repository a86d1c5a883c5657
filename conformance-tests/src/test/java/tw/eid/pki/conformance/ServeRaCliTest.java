package tw.eid.pki.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The launcher's wiring, end to end through processes: a ceremony, operator certificates issued by
 * {@code eidpki operator issue}, the RA API started by {@code eidpki serve ra}, and curl as the
 * client — with the certificates the CLI wrote, and without one.
 */
class ServeRaCliTest {
    private static Path data;
    private static CeremonySpec spec;
    private static Process server;
    private static int port;
    private static Path trust;

    @BeforeAll
    static void start() throws Exception {
        data = Workspace.fresh("serve-ra");
        spec = CeremonySpec.create(data, "srv");
        assertThat(spec.run().exitCode()).isZero();
        for (String[] op :
                List.of(new String[] {"officer-0001", "officer"}, new String[] {"auditor-0001", "auditor"})) {
            Tools.Result r = Cli.eidpki(
                    "operator",
                    "issue",
                    "--data-dir",
                    data.toString(),
                    "--token-label",
                    spec.onlineLabel,
                    "--id",
                    op[0],
                    "--office",
                    "Daan Office",
                    "--role",
                    op[1],
                    "--out",
                    data.resolve("operators").toString(),
                    "--custodian",
                    spec.custodianArg("alice"),
                    "--custodian",
                    spec.custodianArg("bob"));
            assertThat(r.exitCode()).as(r.stderr()).isZero();
        }
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(data.resolve("operators/officer-0001.key.pem"))))
                .isEqualTo("rw-------");
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        server = Cli.start(
                data.resolve("serve.log"),
                "serve",
                "ra",
                "--data-dir",
                data.toString(),
                "--port",
                String.valueOf(port),
                "--admin-port",
                "0",
                "--token-label",
                spec.onlineLabel,
                "--custodian",
                spec.custodianArg("alice"),
                "--custodian",
                spec.custodianArg("carol"));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!listening(port)) {
            assertThat(server.isAlive())
                    .as(Files.readString(data.resolve("serve.log")))
                    .isTrue();
            assertThat(System.nanoTime())
                    .as("serve ra did not listen within 2 minutes")
                    .isLessThan(deadline);
            Thread.sleep(250);
        }
        trust = data.resolve("trust.pem");
        Files.writeString(
                trust,
                Files.readString(spec.output().resolve("ra-operators-ca.pem"))
                        + Files.readString(spec.output().resolve("citizen-root.pem")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Tools.Result curl(String operator, String... args) {
        List<String> command = new java.util.ArrayList<>(
                List.of("curl", "-s", "-S", "-o", "-", "-w", "\\n%{http_code}", "--cacert", trust.toString()));
        if (operator != null) {
            command.addAll(List.of(
                    "--cert",
                    data.resolve("operators/" + operator + ".pem").toString(),
                    "--key",
                    data.resolve("operators/" + operator + ".key.pem").toString()));
        }
        command.addAll(List.of(args));
        return Tools.run(command, java.util.Map.of());
    }

    @Test
    void anOperatorCertificateFromTheCliOpensTheApiAndItsRoleIsEnforced() {
        Tools.Result health = curl("officer-0001", "https://127.0.0.1:" + port + "/api/v1/health");
        assertThat(health.exitCode()).as(health.stderr()).isZero();
        assertThat(health.stdout()).contains("\"up\"").endsWith("200");

        // An auditor may not register cards: 403 as problem+json with a stable code.
        Tools.Result refused = curl(
                "auditor-0001",
                "-H",
                "Content-Type: application/json",
                "-d",
                "{}",
                "https://127.0.0.1:" + port + "/api/v1/cards");
        assertThat(refused.stdout()).endsWith("403").contains("\"code\"");
    }

    @Test
    void withoutAClientCertificateThereIsNoAccess() {
        Tools.Result none = curl(null, "https://127.0.0.1:" + port + "/api/v1/cards/TW00000001");
        // Either the handshake fails (curl error) or the API answers 401.
        assertThat(none.exitCode() != 0 || none.stdout().endsWith("401"))
                .as(none.stdout() + none.stderr())
                .isTrue();
    }

    @Test
    void theServerCertificateComesFromTheRaOperatorsCa() {
        Tools.Result chain = Tools.openssl(
                "verify",
                "-x509_strict",
                "-purpose",
                "sslserver",
                "-CAfile",
                spec.output().resolve("citizen-root.pem").toString(),
                "-untrusted",
                spec.output().resolve("ra-operators-ca.pem").toString(),
                data.resolve("ra/tls.pem").toString());
        assertThat(chain.exitCode()).as(chain.stdout() + chain.stderr()).isZero();
    }
}
