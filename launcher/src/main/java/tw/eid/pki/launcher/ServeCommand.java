package tw.eid.pki.launcher;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tw.eid.pki.hsm.Token;
import tw.eid.pki.ra.RaConfig;

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
        try (RaService.ShutdownSignal stop = new RaService.ShutdownSignal(); StoreOptions.Store s = store.open();
             Token token = custodians.open(data, clock);
             RaService ra = RaService.start(s, token, data, host, port, tlsNames, clock)) {
            System.out.println("RA API: " + ra.url() + " (Ctrl-C to stop)");
            return ra.serveUntil(stop);
        }
    }
}
