package tw.eid.pki.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.card.CardRegistry;
import tw.eid.pki.ca.card.PersonalDataKeys;
import tw.eid.pki.ca.csr.ChipCsrChecks;
import tw.eid.pki.ca.issuance.CitizenIssuer;
import tw.eid.pki.ca.issuance.IssuingCa;
import tw.eid.pki.ca.issuance.OperatorCertificates;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.hsm.Token;
import tw.eid.pki.ra.RaConfig;
import tw.eid.pki.ra.RaServer;
import tw.eid.pki.ra.RaServices;

/**
 * {@code serve ra}: the RA API on its TLS port, after the online token is activated by k
 * custodians. A token that stays down past its restart threshold ends the process with exit code
 * {@value #EXIT_RESTART}; {@code bin/eidpki} restarts a {@code serve} that exits so (SunPKCS11
 * cannot reload a library inside a running JVM, boulder#3468), and the restarted service needs
 * its custodians again, since the PIN lives in memory only.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run a service until interrupted: 'ra' (the RA API, HTTPS with client certificates)."})
final class ServeCommand implements Callable<Integer> {
    /** EX_TEMPFAIL: the supervisor (bin/eidpki) restarts the service. */
    static final int EXIT_RESTART = 75;
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Parameters(index = "0", paramLabel = "SERVICE", description = "ra")
    String service;

    @Option(names = "--host", description = "address to bind (default: ${DEFAULT-VALUE})")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "TLS port (default: ${DEFAULT-VALUE})")
    int port = RaConfig.DEFAULT_PORT;

    @Option(names = "--tls-name", split = ",", description = "host names of the RA's TLS certificate, made on first start"
            + " (default: localhost,127.0.0.1)")
    List<String> tlsNames = List.of("localhost", "127.0.0.1");

    @Mixin
    CustodianOptions custodians;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() throws Exception {
        if (!"ra".equals(service)) {
            throw new IllegalArgumentException("unknown service '" + service + "' (this version serves: ra)");
        }
        Clock clock = Clock.systemUTC();
        Path data = store.dataDir();
        try (StoreOptions.Store s = store.open(); Token token = custodians.open(data, clock)) {
            ProfileSettings settings = ProfileSettings.defaults();
            AuditLedger audit = AuditLedger.hashChained(clock);
            IssuingCa citizenCa = IssuingCa.load(s.database(), "citizen-ca");
            IssuingCa operatorsCa = IssuingCa.load(s.database(), OperatorCommand.RA_OPERATORS_CA);
            Path tls = tlsKeyStore(data, s, token, operatorsCa, settings, audit, clock);
            CardRegistry cards = new CardRegistry(s.database(), new PersonalDataKeys(token, "pii-hmac-1", "pii-aes-1"),
                    audit, clock);
            CitizenIssuer issuer = new CitizenIssuer(s.database(), token, citizenCa, settings, new ChipCsrChecks(), cards,
                    audit, clock, new SecureRandom(), CitizenIssuer.DEFAULT_PARTITION_CAPACITY);
            RaServices services = new RaServices(s.database(), cards, issuer,
                    new RevocationService(s.database(), audit, clock), settings, audit, List.of(token));
            Server server = RaServer.newServer(RaConfig.builder(services, tls, Path.of(tls + ".pass"))
                    .host(host).port(port).clock(clock).build());
            server.start();
            System.out.println("RA API: https://" + host + ":" + port + RaServer.CONTEXT_PATH + " (Ctrl-C to stop)");
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "serve-stop"));
            int exit = 0;
            while (!stop.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
                if (token.health().restartRequired()) {
                    log.error("token '{}' down since {} ({}): restarting the process", token.label(),
                            token.health().since(), token.health().lastError());
                    exit = EXIT_RESTART;
                    break;
                }
            }
            server.stop();
            return exit;
        }
    }

    /** The RA's TLS key and certificate: DATA/ra/tls.p12, issued by the RA Operators CA on first start. */
    private static Path tlsKeyStore(Path data, StoreOptions.Store s, Token token, IssuingCa operatorsCa,
                                    ProfileSettings settings, AuditLedger audit, Clock clock) throws Exception {
        Path dir = data.resolve("ra");
        Path base = dir.resolve("tls");
        Path p12 = Path.of(base + ".p12");
        if (Files.exists(p12)) {
            return p12;
        }
        Files.createDirectories(dir);
        KeyPair key = Pkcs12Files.newP256();
        X509CertificateHolder cert = new OperatorCertificates(s.database(), token, operatorsCa, settings, audit, clock,
                new SecureRandom()).issueTlsServer(Actor.local("serve:ra"), List.of("localhost", "127.0.0.1"),
                SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()));
        return Pkcs12Files.write(base, key, cert, operatorsCa.certificate().certificate());
    }
}
