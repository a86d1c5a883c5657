package tw.eid.pki.launcher;

import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.card.CardRegistry;
import tw.eid.pki.ca.card.PersonalDataKeys;
import tw.eid.pki.ca.csr.ChipCsrChecks;
import tw.eid.pki.ca.cvc.AgencyAuthorizations;
import tw.eid.pki.ca.document.DocumentSignerPool;
import tw.eid.pki.ca.document.SignerPurpose;
import tw.eid.pki.ca.document.SodIssuer;
import tw.eid.pki.ca.document.seal.TemporaryCertificates;
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
 * The RA API wired on an open store and an activated online token: what {@code serve ra} and the
 * demo both run. Closing it stops the server; the caller closes the token and the store after it.
 */
final class RaService implements AutoCloseable {
    private final Server server;
    private final Token token;
    private final String url;

    private RaService(Server server, Token token, String url) {
        this.server = server;
        this.token = token;
        this.url = url;
    }

    /**
     * Wires the RA API on {@code token} (the activated online token) and the store, and starts it.
     * The TLS key and certificate are {@code DATA/ra/tls.p12}, issued by the RA Operators CA for
     * {@code tlsNames} on first start.
     */
    static RaService start(
            StoreOptions.Store s, Token token, Path data, String host, int port, List<String> tlsNames, Clock clock)
            throws Exception {
        return start(s, token, data, host, port, tlsNames, Set.of(), clock);
    }

    /** As above, honouring the PROXY protocol from {@code proxyFrom} (HAProxy in front: docs/cluster.md). */
    static RaService start(
            StoreOptions.Store s,
            Token token,
            Path data,
            String host,
            int port,
            List<String> tlsNames,
            Set<InetAddress> proxyFrom,
            Clock clock)
            throws Exception {
        ProfileSettings settings = ProfileSettings.defaults();
        AuditLedger audit = AuditLedger.hashChained(clock);
        IssuingCa citizenCa = IssuingCa.load(s.database(), "citizen-ca");
        IssuingCa operatorsCa = IssuingCa.load(s.database(), OperatorCommand.RA_OPERATORS_CA);
        Path tls = tlsKeyStore(data, s, token, operatorsCa, settings, audit, clock, tlsNames);
        CardRegistry cards =
                new CardRegistry(s.database(), new PersonalDataKeys(token, "pii-hmac-1", "pii-aes-1"), audit, clock);
        CitizenIssuer issuer = new CitizenIssuer(
                s.database(),
                token,
                citizenCa,
                settings,
                new ChipCsrChecks(),
                cards,
                audit,
                clock,
                new SecureRandom(),
                CitizenIssuer.DEFAULT_PARTITION_CAPACITY);
        // The document signer: the DS pool's keys are in this (online) token; see bin/eidpki ds.
        SodIssuer sods = new SodIssuer(
                s.database(),
                token,
                new DocumentSignerPool(s.database(), audit, clock),
                audit,
                SodIssuer.DEFAULT_MAX_BATCH);
        RaServices base = new RaServices(
                        s.database(),
                        cards,
                        issuer,
                        new RevocationService(s.database(), audit, clock),
                        settings,
                        audit,
                        List.of(token),
                        clock)
                .withSods(sods)
                // Agency records and terminal CV certificates: the DV keys are in this (online) token.
                .withAgencies(new AgencyAuthorizations(s.database(), audit, clock), token);
        // The temporary ID certificates (issue 24): sealed by the seal signer pool, whose keys are in
        // this (online) token too; "HR" is the seal header's signer code (TWHR).
        DocumentSignerPool seals = new DocumentSignerPool(
                s.database(),
                audit,
                clock,
                DocumentSignerPool.DEFAULT_LOW_WATER_MARK,
                DocumentSignerPool.Settings.defaults(),
                System::nanoTime,
                SignerPurpose.SEAL);
        RaServices services = base.withTemporaryCertificates(
                new TemporaryCertificates(s.database(), cards, base.reissues(), seals, token, audit, clock, "HR"));
        Server server = RaServer.newServer(RaConfig.builder(services, tls, Path.of(tls + ".pass"))
                .host(host)
                .port(port)
                .proxyProtocolFrom(proxyFrom)
                .clock(clock)
                .build());
        Telemetry.instrument(server, "ra");
        server.start();
        // The port bound, which --port 0 leaves to the system.
        int bound = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        return new RaService(server, token, "https://" + host + ":" + bound + RaServer.CONTEXT_PATH);
    }

    /** The Document Signer pool (its status for the metrics: docs/metrics.md). */
    static DocumentSignerPool documentSigners(StoreOptions.Store s, Clock clock) {
        return new DocumentSignerPool(s.database(), AuditLedger.hashChained(clock), clock);
    }

    /** The API's base URL, e.g. {@code https://127.0.0.1:8443/api/v1}. */
    String url() {
        return url;
    }

    /** Serves until {@code signal} fires: 0; or until the token stays down: {@link ServeCommand#EXIT_RESTART}. */
    int serveUntil(ShutdownSignal signal) throws InterruptedException {
        return signal.serveUntilStopped(token);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** The RA's TLS key and certificate: DATA/ra/tls.p12, issued by the RA Operators CA on first start. */
    private static Path tlsKeyStore(
            Path data,
            StoreOptions.Store s,
            Token token,
            IssuingCa operatorsCa,
            ProfileSettings settings,
            AuditLedger audit,
            Clock clock,
            List<String> tlsNames)
            throws Exception {
        Path dir = data.resolve("ra");
        Path base = dir.resolve("tls");
        Path p12 = Path.of(base + ".p12");
        if (Files.exists(p12)) {
            return p12;
        }
        Files.createDirectories(dir);
        // Two RA processes sharing one data directory (bin/cluster runs ra1 and ra2 on one machine) may
        // start together: the first takes the lock and writes the key store, the second then finds it.
        try (FileChannel channel =
                        FileChannel.open(dir.resolve("tls.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = channel.lock()) {
            if (Files.exists(p12)) {
                return p12;
            }
            KeyPair key = Pkcs12Files.newP256();
            X509CertificateHolder cert = new OperatorCertificates(
                            s.database(), token, operatorsCa, settings, audit, clock, new SecureRandom())
                    .issueTlsServer(
                            Actor.local("serve:ra"),
                            List.copyOf(tlsNames),
                            SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()));
            return Pkcs12Files.write(base, key, cert, operatorsCa.certificate().certificate());
        }
    }
}
