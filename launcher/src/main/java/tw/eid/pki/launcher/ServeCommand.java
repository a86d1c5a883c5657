package tw.eid.pki.launcher;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tw.eid.pki.hsm.Token;
import tw.eid.pki.ocsp.OcspAuthorities;
import tw.eid.pki.ocsp.OcspConfig;
import tw.eid.pki.ra.RaConfig;
import tw.eid.pki.crl.CrlConfig;

/**
 * {@code serve ra} (the RA API on its TLS port) and {@code serve ocsp} (the OCSP responder on
 * plain HTTP, API.md), after the online token is activated by k custodians. A token that stays
 * down past its restart threshold ends the process with exit code {@value #EXIT_RESTART};
 * {@code bin/eidpki} restarts a {@code serve} that exits so (SunPKCS11 cannot reload a library
 * inside a running JVM, boulder#3468), and the restarted service needs its custodians again,
 * since the PIN lives in memory only.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run a service until interrupted: 'ra' (the RA API, HTTPS with client certificates) or",
                "'ocsp' (the OCSP responder of the online CAs, plain HTTP as RFC 5019 expects) or 'crl' (the CRL",
                "publisher: signs the online CAs' full and delta CRLs and serves them with the offline CRLs over HTTP)."})
final class ServeCommand implements Callable<Integer> {
    /** EX_TEMPFAIL: the supervisor (bin/eidpki) restarts the service. */
    static final int EXIT_RESTART = 75;
    /** API.md: relying parties reach OCSP (and CRLs) on plain HTTP port 8080. */
    static final int OCSP_DEFAULT_PORT = 8080;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "ra, ocsp or crl")
    String service;

    @Option(names = "--host", description = "address to bind (default: ${DEFAULT-VALUE})")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "port, 0 for any free one (default: " + RaConfig.DEFAULT_PORT
            + " for ra, " + OCSP_DEFAULT_PORT + " for ocsp and crl)")
    Integer port;

    @Option(names = "--tls-name", split = ",", description = "ra: host names of the RA's TLS certificate, made on first"
            + " start (default: localhost,127.0.0.1)")
    List<String> tlsNames;

    @Option(names = "--validity", paramLabel = "HOURS", description = "ocsp: nextUpdate - thisUpdate of every response,"
            + " 8 to 240 hours (default: 24; never past the signer certificate's notAfter)")
    Integer validityHours;

    @Option(names = "--max-age", paramLabel = "SECONDS", description = "ocsp: Cache-Control max-age of GET responses,"
            + " 0 up to the validity (default: 60; never past nextUpdate)")
    Integer maxAgeSeconds;

    @Option(names = "--unknown-as-revoked", description = "ocsp: answer a serial the CA never issued 'revoked'"
            + " (certificateHold, 1970-01-01, RFC 6960 §2.2) instead of 'unknown'")
    boolean unknownAsRevoked;

    @Option(names = "--ignore-nonce", description = "ocsp: answer without echoing a request's nonce (RFC 9654), so that"
            + " every answer can come from the cache")
    boolean ignoreNonce;

    @Option(names = "--directory", paramLabel = "DIR", converter = PathOptions.OutputDirectory.class, description = "crl: where the CRL files are also written, for any"
            + " static web server (default: DATA/published)")
    java.nio.file.Path directory;

    @Option(names = "--full-days", paramLabel = "DAYS", description = "crl: nextUpdate - thisUpdate of full CRLs, 1 to 10"
            + " (default: 7; re-issued at half of it, and within 12 h of a change)")
    Integer fullDays;

    @Option(names = "--delta-hours", paramLabel = "HOURS", description = "crl: nextUpdate - thisUpdate of delta CRLs"
            + " (default: 24)")
    Integer deltaHours;

    @Option(names = "--keep-expired", description = "crl: keep revoked certificates on the CRLs after they expire")
    boolean keepExpired;

    @Mixin
    OnlineCustodianOptions custodians;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() throws Exception {
        // Refuse bad options before anything opens the store or asks a custodian for a passphrase.
        if (port != null && (port < 0 || port > 65535)) {
            throw new IllegalArgumentException("--port must be 0 to 65535, not " + port);
        }
        switch (service) {
            case "ra":
                refuseOcspOptions();
                refuseCrlOptions();
                return serveRa();
            case "ocsp":
                if (tlsNames != null) {
                    throw new IllegalArgumentException("--tls-name is an option of 'serve ra' (the OCSP responder is plain HTTP)");
                }
                refuseCrlOptions();
                return serveOcsp(ocspConfig());
            case "crl":
                if (tlsNames != null) {
                    throw new IllegalArgumentException("--tls-name is an option of 'serve ra' (CRLs are plain HTTP)");
                }
                if (validityHours != null || unknownAsRevoked || ignoreNonce) {
                    throw new IllegalArgumentException("--validity, --unknown-as-revoked and --ignore-nonce are options of"
                            + " 'serve ocsp', not of 'serve crl'");
                }
                return serveCrl(CrlService.config(fullDays, deltaHours, keepExpired, maxAgeSeconds,
                        (directory != null ? directory : store.dataDir().resolve("published")).toAbsolutePath()));
            default:
                throw new IllegalArgumentException("unknown service '" + service + "' (this version serves: ra, ocsp, crl)");
        }
    }

    private int serveRa() throws Exception {
        Clock clock = CommandClock.system();
        Path data = store.dataDir();
        List<String> names = tlsNames != null ? tlsNames : List.of("localhost", "127.0.0.1");
        try (ShutdownSignal stop = new ShutdownSignal(); StoreOptions.Store s = store.open();
             Token token = custodians.open(data, clock);
             RaService ra = RaService.start(s, token, data, host, port != null ? port : RaConfig.DEFAULT_PORT, names, clock)) {
            System.out.println("RA API: " + ra.url() + " (Ctrl-C to stop)");
            return ra.serveUntil(stop);
        }
    }

    private int serveOcsp(OcspConfig config) throws Exception {
        Clock clock = CommandClock.system();
        try (ShutdownSignal stop = new ShutdownSignal(); StoreOptions.Store s = store.open()) {
            // Before the custodians are asked: a store without a signer has nothing to serve.
            OcspAuthorities authorities = OcspService.authorities(s.database(), clock);
            try (Token token = custodians.open(store.dataDir(), clock);
                 OcspService ocsp = OcspService.start(s.database(), token, authorities, host,
                         port != null ? port : OCSP_DEFAULT_PORT, config, clock)) {
                for (String line : ocsp.describe()) {
                    System.out.println("OCSP for " + line);
                }
                System.out.println("OCSP responder: " + ocsp.url() + " (Ctrl-C to stop)");
                System.out.flush();
                return stop.serveUntilStopped(token);
            }
        }
    }

    private int serveCrl(CrlConfig config) throws Exception {
        Clock clock = CommandClock.system();
        try (ShutdownSignal stop = new ShutdownSignal(); StoreOptions.Store s = store.open();
             Token token = custodians.open(store.dataDir(), clock);
             CrlService crl = CrlService.start(s.database(), token, config, host, port != null ? port : OCSP_DEFAULT_PORT,
                     clock)) {
            System.out.println("CRL files: " + config.directory());
            System.out.println("CRL publisher: " + crl.url() + " (Ctrl-C to stop)");
            System.out.flush();
            return stop.serveUntilStopped(token);
        }
    }

    private void refuseCrlOptions() {
        String given = directory != null ? "--directory" : fullDays != null ? "--full-days" : deltaHours != null
                ? "--delta-hours" : keepExpired ? "--keep-expired" : null;
        if (given != null) {
            throw new IllegalArgumentException(given + " is an option of 'serve crl', not of 'serve " + service + "'");
        }
    }

    /** The responder's settings from the options, checked here so that a bad value is one clear line. */
    OcspConfig ocspConfig() {
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
                throw new IllegalArgumentException("--max-age must be 0 to " + limit + " seconds (the validity), not "
                        + maxAgeSeconds);
            }
            config = new OcspConfig(config.validity(), Duration.ofSeconds(maxAgeSeconds), config.unknownAsRevoked(),
                    config.ignoreNonce(), config.maxRequestBytes(), config.maxCertIds(), config.liveSignaturesPerSecond(),
                    config.cacheEntries(), config.followInterval());
        }
        return config.withUnknownAsRevoked(unknownAsRevoked).withIgnoreNonce(ignoreNonce);
    }

    private void refuseOcspOptions() {
        String given = validityHours != null ? "--validity" : maxAgeSeconds != null ? "--max-age"
                : unknownAsRevoked ? "--unknown-as-revoked" : ignoreNonce ? "--ignore-nonce" : null;
        if (given != null) {
            throw new IllegalArgumentException(given + " is an option of 'serve ocsp', not of 'serve ra'");
        }
    }
}
