package tw.eid.pki.launcher;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;
import tw.eid.pki.crl.CrlConfig;
import tw.eid.pki.hsm.Token;
import tw.eid.pki.ocsp.OcspAuthorities;
import tw.eid.pki.ocsp.OcspConfig;
import tw.eid.pki.ra.RaConfig;

/**
 * {@code serve ra} (the RA API on its TLS port), {@code serve ocsp} (the OCSP responder on plain
 * HTTP, docs/api.md), {@code serve crl} (the CRL publisher on plain HTTP) and {@code serve all} (the
 * three in one process, OCSP and CRLs on one port as in the demo), each a subcommand with only its
 * own options, after the online token is activated by k custodians. A token that stays down past
 * its restart threshold ends the process with exit code {@value #EXIT_RESTART}; {@code bin/eidpki}
 * restarts a {@code serve} that exits so (SunPKCS11 cannot reload a library inside a running JVM,
 * boulder#3468), and the restarted service needs its custodians again, since the PIN lives in
 * memory only.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Run a service until interrupted, after k custodians activate the online",
            "token: 'ra', 'ocsp', 'crl', or 'all' of them in one process. Each takes only",
            "its own options (serve SERVICE --help)."
        },
        subcommands = {ServeCommand.Ra.class, ServeCommand.Ocsp.class, ServeCommand.Crl.class, ServeCommand.All.class})
final class ServeCommand implements Runnable {
    /** EX_TEMPFAIL: the supervisor (bin/eidpki) restarts the service. */
    static final int EXIT_RESTART = 75;
    /** docs/api.md: relying parties reach OCSP (and CRLs) on plain HTTP port 8080. */
    static final int OCSP_DEFAULT_PORT = 8080;

    private static final String MISSING_SERVICE = "Missing required parameter: 'SERVICE' (ra, ocsp, crl or all)";

    @Override
    public void run() {
        throw new IllegalArgumentException(MISSING_SERVICE);
    }

    /**
     * The line for a refusal of picocli's while it reads a {@code serve} command line: a word where
     * the service belongs is an unknown service; an option before the service says that the service
     * comes first, or that it is missing; an option of another service says whose it is; any other
     * refusal as picocli words it.
     */
    static String refusal(ParameterException e) {
        CommandLine command = e.getCommandLine();
        if (!(e instanceof UnmatchedArgumentException unmatched)
                || unmatched.getUnmatched().isEmpty()) {
            return e.getMessage();
        }
        String first = unmatched.getUnmatched().get(0);
        if (command.getCommandSpec().userObject() instanceof ServeCommand) {
            if (!first.startsWith("-")) {
                return "unknown service '" + first + "' (this version serves: ra, ocsp, crl, all)";
            }
            ParseResult parsed = command.getParseResult();
            return parsed != null && parsed.hasSubcommand()
                    ? "the service comes before its options: serve "
                            + parsed.subcommand().commandSpec().name() + " " + first + " ..."
                    : MISSING_SERVICE;
        }
        CommandLine parent = command.getParent();
        String option = unmatched.getUnmatched().stream()
                .filter(a -> a.startsWith("-"))
                .findFirst()
                .map(a -> a.contains("=") ? a.substring(0, a.indexOf('=')) : a)
                .orElse(null);
        if (parent == null || !(parent.getCommandSpec().userObject() instanceof ServeCommand) || option == null) {
            return e.getMessage();
        }
        List<String> owners = parent.getSubcommands().values().stream()
                .filter(s -> s != command
                        && !s.getCommandName().equals("all")
                        && s.getCommandSpec().findOption(option) != null)
                .map(s -> "'serve " + s.getCommandName() + "'")
                .toList();
        if (owners.isEmpty()) {
            return e.getMessage();
        }
        String whose = owners.size() == 1
                ? owners.get(0)
                : String.join(", ", owners.subList(0, owners.size() - 1)) + " and " + owners.get(owners.size() - 1);
        return option + " is an option of " + whose + ", not of 'serve " + command.getCommandName() + "'";
    }

    /** What every service has: where it listens, its admin port, its custodians (the online token) and the store. */
    abstract static class Service implements Callable<Integer> {
        @Option(names = "--host", description = "address to bind (default: ${DEFAULT-VALUE})")
        String host = "127.0.0.1";

        @Option(
                names = "--admin-host",
                description = "address of the admin port (/metrics, /health/live, /health/ready)"
                        + " (default: ${DEFAULT-VALUE})")
        String adminHost = "127.0.0.1";

        @Option(
                names = "--admin-port",
                paramLabel = "PORT",
                description = "the admin port, 0 for any free one; never one of the public ports"
                        + " (default: ${DEFAULT-VALUE}; docs/metrics.md)")
        int adminPort;

        @Option(
                names = "--log-format",
                paramLabel = "FORMAT",
                description = "the log on stderr: text, or json (one JSON object per line, with the"
                        + " request id of each HTTP request) (default: ${DEFAULT-VALUE})")
        Logs.Format logFormat = Logs.Format.text;

        Service(int adminDefault) {
            adminPort = adminDefault;
        }

        @Mixin
        OnlineCustodianOptions custodians;

        @Mixin
        StoreOptions store;

        AdminServer admin(Token token, StoreOptions.Store s, List<AdminServer.Check> more) throws Exception {
            return startAdmin(adminHost, adminPort, token, s, more);
        }

        static void checkPort(String option, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(option + " must be 0 to 65535, not " + port);
            }
        }
    }

    /** A service on one port: ra, ocsp or crl. */
    abstract static class OnePort extends Service {
        @Option(names = "--port", description = "port, 0 for any free one (default: ${DEFAULT-VALUE})")
        int port;

        OnePort(int defaultPort, int adminDefault) {
            super(adminDefault);
            port = defaultPort;
        }

        @Override
        public Integer call() throws Exception {
            // Refuse bad options before anything opens the store or asks a custodian for a passphrase.
            checkPort("--port", port);
            AdminServer.checkOption(adminPort, port);
            Logs.use(logFormat);
            Telemetry.registry();
            return serve(CommandClock.system());
        }

        /** Serves on {@link #port} until stopped: 0, or {@link #EXIT_RESTART} when the token stays down. */
        abstract int serve(Clock clock) throws Exception;
    }

    /** The RA's own options. */
    static final class RaOptions {
        @Option(
                names = "--tls-name",
                split = ",",
                description = "host names of the RA's TLS certificate, made on first"
                        + " start (default: localhost,127.0.0.1)")
        List<String> tlsNames;

        @Option(
                names = "--proxy-protocol-from",
                split = ",",
                paramLabel = "ADDRESS",
                description = "load balancer addresses (IP literals) whose PROXY protocol header gives"
                        + " the client's address, as HAProxy's send-proxy-v2 sends it (default: none)")
        List<String> proxyFrom;

        List<String> names() {
            return tlsNames != null ? tlsNames : List.of("localhost", "127.0.0.1");
        }

        /** The --proxy-protocol-from addresses; only IP literals, never names to resolve. */
        Set<InetAddress> proxies() {
            Set<InetAddress> out = new LinkedHashSet<>();
            for (String a : proxyFrom == null ? List.<String>of() : proxyFrom) {
                if (!a.matches("[0-9.]+|[0-9a-fA-F:]+")) {
                    throw new IllegalArgumentException("--proxy-protocol-from takes IP addresses, not '" + a + "'");
                }
                try {
                    out.add(InetAddress.getByName(a));
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException("--proxy-protocol-from: not an IP address: '" + a + "'");
                }
            }
            return out;
        }
    }

    /** The OCSP responder's own options; {@code --max-age} is each command's, since CRLs have one too. */
    static final class OcspOptions {
        @Option(
                names = "--validity",
                paramLabel = "HOURS",
                description = "nextUpdate - thisUpdate of every OCSP response,"
                        + " 8 to 240 hours (default: 24; never past the signer certificate's notAfter)")
        Integer validityHours;

        @Option(
                names = "--unknown-as-revoked",
                description = "answer a serial the CA never issued 'revoked'"
                        + " (certificateHold, 1970-01-01, RFC 6960 §2.2) instead of 'unknown'")
        boolean unknownAsRevoked;

        @Option(
                names = "--ignore-nonce",
                description = "answer without echoing a request's nonce (RFC 9654), so that"
                        + " every answer can come from the cache")
        boolean ignoreNonce;

        /** The responder's settings from the options, checked here so that a bad value is one clear line. */
        OcspConfig config(Integer maxAgeSeconds) {
            OcspConfig config = OcspConfig.defaults();
            if (validityHours != null) {
                Duration min = OcspConfig.MIN_VALIDITY;
                Duration max = OcspConfig.MAX_VALIDITY;
                if (validityHours < min.toHours() || validityHours > max.toHours()) {
                    throw new IllegalArgumentException("--validity must be " + min.toHours() + " to " + max.toHours()
                            + " hours (8 hours to 10 days), not " + validityHours);
                }
                config = config.withValidity(Duration.ofHours(validityHours));
            }
            if (maxAgeSeconds != null) {
                long limit = config.validity().toSeconds();
                if (maxAgeSeconds < 0 || maxAgeSeconds > limit) {
                    throw new IllegalArgumentException(
                            "--max-age must be 0 to " + limit + " seconds (the validity), not " + maxAgeSeconds);
                }
                config = new OcspConfig(
                        config.validity(),
                        Duration.ofSeconds(maxAgeSeconds),
                        config.unknownAsRevoked(),
                        config.ignoreNonce(),
                        config.maxRequestBytes(),
                        config.maxCertIds(),
                        config.liveSignaturesPerSecond(),
                        config.cacheEntries(),
                        config.followInterval());
            }
            return config.withUnknownAsRevoked(unknownAsRevoked).withIgnoreNonce(ignoreNonce);
        }
    }

    /** The CRL publisher's own options; {@code --max-age} is each command's, since OCSP has one too. */
    static final class CrlOptions {
        @Option(
                names = "--directory",
                paramLabel = "DIR",
                converter = PathOptions.OutputDirectory.class,
                description =
                        "where the CRL files are also written, for any static web server (default: DATA/published)")
        Path directory;

        @Option(
                names = "--full-days",
                paramLabel = "DAYS",
                description = "nextUpdate - thisUpdate of full CRLs, 1 to 10"
                        + " (default: 7; re-issued at half of it, and within 12 h of a change)")
        Integer fullDays;

        @Option(
                names = "--delta-hours",
                paramLabel = "HOURS",
                description = "nextUpdate - thisUpdate of delta CRLs" + " (default: 24)")
        Integer deltaHours;

        @Option(names = "--keep-expired", description = "keep revoked certificates on the CRLs after they expire")
        boolean keepExpired;

        /** The publisher's settings from the options; a bad value is one clear line. */
        CrlConfig config(Integer maxAgeSeconds, Path dataDir) {
            return CrlService.config(
                    fullDays,
                    deltaHours,
                    keepExpired,
                    maxAgeSeconds,
                    (directory != null ? directory : dataDir.resolve("published")).toAbsolutePath());
        }
    }

    @Command(
            name = "ra",
            mixinStandardHelpOptions = true,
            description = {"Run the RA API until interrupted.", "HTTPS with client certificates of the RA Operators CA."
            })
    static final class Ra extends OnePort {
        Ra() {
            super(RaConfig.DEFAULT_PORT, AdminServer.RA_DEFAULT_PORT);
        }

        @Mixin
        RaOptions ra;

        @Override
        int serve(Clock clock) throws Exception {
            Path data = store.dataDir();
            ra.proxies(); // a bad --proxy-protocol-from is refused before the admin port is probed
            AdminServer.checkFree(adminHost, adminPort);
            try (ShutdownSignal stop = new ShutdownSignal();
                    StoreOptions.Store s = store.open();
                    Token token = custodians.open(data, clock);
                    RaService service = RaService.start(s, token, data, host, port, ra.names(), ra.proxies(), clock);
                    OperationalGauges gauges = new OperationalGauges(s.database(), clock)
                            .withRa(RaService.documentSigners(s, clock))
                            .start();
                    AdminServer admin = admin(token, s, List.of())) {
                System.out.println("RA API: " + service.url() + " (Ctrl-C to stop)");
                announce(admin, "RA API");
                return service.serveUntil(stop);
            }
        }
    }

    @Command(
            name = "ocsp",
            mixinStandardHelpOptions = true,
            description = {
                "Run the OCSP responder until interrupted.",
                "The online CAs' responder on plain HTTP, as RFC 5019 expects; the same port",
                "serves /health, the CA certificates and the CSCA master list."
            })
    static final class Ocsp extends OnePort {
        /** A responder that cannot reach a database node answers tryLater after this, not 10 s. */
        static final Duration OCSP_CONNECTION_WAIT = Duration.ofMillis(1500);

        Ocsp() {
            super(OCSP_DEFAULT_PORT, AdminServer.OCSP_DEFAULT_PORT);
        }

        @Option(
                names = "--max-age",
                paramLabel = "SECONDS",
                description = "Cache-Control max-age of GET responses,"
                        + " 0 up to the validity (default: 60; never past nextUpdate)")
        Integer maxAgeSeconds;

        @Mixin
        OcspOptions ocsp;

        @Override
        int serve(Clock clock) throws Exception {
            OcspConfig config = ocsp.config(maxAgeSeconds);
            AdminServer.checkFree(adminHost, adminPort);
            store.connectionWait = OCSP_CONNECTION_WAIT;
            try (ShutdownSignal stop = new ShutdownSignal();
                    StoreOptions.Store s = store.open()) {
                // Before the custodians are asked: a store without a signer has nothing to serve.
                OcspAuthorities authorities = OcspService.authorities(s.database(), clock);
                try (Token token = custodians.open(store.dataDir(), clock);
                        OcspService service =
                                OcspService.start(s.database(), token, authorities, host, port, config, clock);
                        OperationalGauges gauges = new OperationalGauges(s.database(), clock)
                                .withPresignBacklog(service::caNames)
                                .start();
                        AdminServer admin = admin(
                                token, s, List.of(new AdminServer.Check("ocsp-signer", service::signerMissing)))) {
                    printOcsp(service);
                    announce(admin, "OCSP");
                    System.out.flush();
                    return stop.serveUntilStopped(token);
                }
            }
        }
    }

    @Command(
            name = "crl",
            mixinStandardHelpOptions = true,
            description = {
                "Run the CRL publisher until interrupted.",
                "It signs the online CAs' full and delta CRLs and serves them with the offline",
                "CRLs over plain HTTP."
            })
    static final class Crl extends OnePort {
        Crl() {
            super(OCSP_DEFAULT_PORT, AdminServer.CRL_DEFAULT_PORT);
        }

        @Option(
                names = "--max-age",
                paramLabel = "SECONDS",
                description = "Cache-Control max-age of the CRLs, 0 to 86400" + " (default: 60; never past nextUpdate)")
        Integer maxAgeSeconds;

        @Mixin
        CrlOptions crl;

        @Override
        int serve(Clock clock) throws Exception {
            CrlConfig config = crl.config(maxAgeSeconds, store.dataDir());
            AdminServer.checkFree(adminHost, adminPort);
            try (ShutdownSignal stop = new ShutdownSignal();
                    StoreOptions.Store s = store.open();
                    Token token = custodians.open(store.dataDir(), clock);
                    CrlService service = CrlService.start(s.database(), token, config, host, port, clock);
                    OperationalGauges gauges = new OperationalGauges(s.database(), clock).start();
                    AdminServer admin = admin(token, s, List.of(new AdminServer.Check("crls", service::crlsMissing)))) {
                printCrl(config, service.url());
                announce(admin, "CRLs");
                System.out.flush();
                return stop.serveUntilStopped(token);
            }
        }
    }

    @Command(
            name = "all",
            mixinStandardHelpOptions = true,
            description = {
                "Run the RA API, OCSP and the CRL publisher until interrupted.",
                "All three in one process with one activation of the online token; OCSP and",
                "the CRLs share one plain HTTP port, as in the demo."
            })
    static final class All extends Service {
        @Option(
                names = "--ra-port",
                paramLabel = "PORT",
                description = "the RA API's TLS port, 0 for any free one" + " (default: ${DEFAULT-VALUE})")
        int raPort = RaConfig.DEFAULT_PORT;

        @Option(
                names = "--ocsp-port",
                paramLabel = "PORT",
                description =
                        "the plain HTTP port of OCSP and the CRLs," + " 0 for any free one (default: ${DEFAULT-VALUE})")
        int ocspPort = OCSP_DEFAULT_PORT;

        @Option(
                names = "--max-age",
                paramLabel = "SECONDS",
                description = "Cache-Control max-age of OCSP GET responses"
                        + " (0 up to the validity) and of the CRLs (0 to 86400) (default: 60; never past nextUpdate)")
        Integer maxAgeSeconds;

        @Mixin
        RaOptions ra;

        @Mixin
        OcspOptions ocsp;

        @Mixin
        CrlOptions crl;

        All() {
            super(AdminServer.ALL_DEFAULT_PORT);
        }

        @Override
        public Integer call() throws Exception {
            checkPort("--ra-port", raPort);
            checkPort("--ocsp-port", ocspPort);
            AdminServer.checkOption(adminPort, raPort, ocspPort);
            Logs.use(logFormat);
            Telemetry.registry();
            OcspConfig ocspConfig = ocsp.config(maxAgeSeconds);
            CrlConfig crlConfig = crl.config(maxAgeSeconds, store.dataDir());
            ra.proxies();
            AdminServer.checkFree(adminHost, adminPort);
            Clock clock = CommandClock.system();
            Path data = store.dataDir();
            try (ShutdownSignal stop = new ShutdownSignal();
                    StoreOptions.Store s = store.open()) {
                // Before the custodians are asked: a store without an OCSP signer cannot serve all three.
                OcspAuthorities authorities = OcspService.authorities(s.database(), clock);
                try (Token token = custodians.open(data, clock);
                        RaService raService =
                                RaService.start(s, token, data, host, raPort, ra.names(), ra.proxies(), clock);
                        CrlService crlService = CrlService.withoutServer(s.database(), token, crlConfig, clock);
                        OcspService ocspService = OcspService.start(
                                s.database(),
                                token,
                                authorities,
                                host,
                                ocspPort,
                                ocspConfig,
                                clock,
                                crlService.handler());
                        OperationalGauges gauges = new OperationalGauges(s.database(), clock)
                                .withPresignBacklog(ocspService::caNames)
                                .withRa(RaService.documentSigners(s, clock))
                                .start();
                        AdminServer admin = admin(
                                token,
                                s,
                                List.of(
                                        new AdminServer.Check("ocsp-signer", ocspService::signerMissing),
                                        new AdminServer.Check("crls", crlService::crlsMissing)))) {
                    System.out.println("RA API: " + raService.url());
                    printOcsp(ocspService);
                    String url = ocspService.url();
                    printCrl(crlConfig, url.substring(0, url.length() - "/ocsp".length()) + "/crl/");
                    announce(admin, "RA API, OCSP and CRLs");
                    System.out.flush();
                    return stop.serveUntilStopped(token);
                }
            }
        }
    }

    /**
     * The admin port with the readiness checks every service has (the token logged in, the store
     * reachable and writable) and {@code more}.
     */
    static AdminServer startAdmin(
            String adminHost, int adminPort, Token token, StoreOptions.Store s, List<AdminServer.Check> more)
            throws Exception {
        List<AdminServer.Check> checks = new ArrayList<>();
        checks.add(new AdminServer.Check(
                "token",
                () -> token.health().up()
                        ? null
                        : "token '" + token.label() + "' down since "
                                + token.health().since()));
        checks.add(
                new AdminServer.Check("database", () -> s.database().writable(2) ? null : "unreachable or read-only"));
        checks.addAll(more);
        return AdminServer.start(adminHost, adminPort, Telemetry.registry(), checks);
    }

    /** Prints where the admin port listens, and {@code Ready: ...} once every readiness check passes. */
    static void announce(AdminServer admin, String what) {
        System.out.println("Admin: " + admin.url() + " (/metrics, /health/live, /health/ready)");
        admin.announceWhenReady(System.out, what);
    }

    private static void printOcsp(OcspService service) {
        for (String line : service.describe()) {
            System.out.println("OCSP for " + line);
        }
        System.out.println("OCSP responder: " + service.url() + " (Ctrl-C to stop)");
    }

    private static void printCrl(CrlConfig config, String url) {
        System.out.println("CRL files: " + config.directory());
        System.out.println("CRL publisher: " + url + " (Ctrl-C to stop)");
    }
}
