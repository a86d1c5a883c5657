package tw.eid.pki.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.cvc.AgencyAuthorizations;
import tw.eid.pki.ca.cvc.CvAuthority;
import tw.eid.pki.ca.document.MasterLists;
import tw.eid.pki.ca.document.seal.TemporaryCertificateVerifier;
import tw.eid.pki.ca.profile.CaCertificates;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.hsm.Token;
import tw.eid.pki.ocsp.OcspAuthorities;
import tw.eid.pki.ocsp.OcspAuthority;
import tw.eid.pki.ocsp.OcspConfig;
import tw.eid.pki.ocsp.OcspResponder;
import tw.eid.pki.ocsp.OcspServer;
import tw.eid.pki.ocsp.OcspSignerRenewal;
import tw.eid.pki.ocsp.OcspSignerRetirement;
import tw.eid.pki.ocsp.OcspUpdater;
import tw.eid.pki.ocsp.StatusLogFollower;

/**
 * The OCSP responder wired on an open store and an activated online token: what {@code serve
 * ocsp} and the demo both run. It answers for every online CA that has a valid delegated signer
 * in the store (RFC 6960 §4.2.2.2) and for no other. Closing it stops the server, then the status
 * log follower; the caller closes the token and the store after it.
 */
final class OcspService implements AutoCloseable {
    private final Server server;
    private final StatusLogFollower follower;
    private final OcspUpdater updater;
    private final OcspAuthorities authorities;
    private final String url;
    private final OcspResponder responder;

    private OcspService(
            Server server,
            StatusLogFollower follower,
            OcspUpdater updater,
            OcspAuthorities authorities,
            String url,
            OcspResponder responder) {
        this.responder = responder;
        this.server = server;
        this.follower = follower;
        this.updater = updater;
        this.authorities = authorities;
        this.url = url;
    }

    /**
     * The CAs with a delegated signer valid now, read from the store; a store with none (no
     * ceremony yet, or every signer expired) is refused, since such a responder could only answer
     * unauthorized.
     */
    static OcspAuthorities authorities(Database database, Clock clock) {
        OcspAuthorities authorities = OcspAuthorities.load(database, clock.instant());
        if (authorities.all().isEmpty()) {
            throw new IllegalStateException("no CA in the store has a valid OCSP signer (a ceremony certificate step"
                    + " with profile ocsp-signer): nothing to answer for");
        }
        return authorities;
    }

    /** Wires the responder on {@code token} (the activated online token) and the store, and starts it on host:port. */
    static OcspService start(
            Database database,
            Token token,
            OcspAuthorities authorities,
            String host,
            int port,
            OcspConfig config,
            Clock clock)
            throws Exception {
        return start(database, token, authorities, host, port, config, clock, null);
    }

    /**
     * As above; with {@code crl}, the same port also serves {@code /crl/...} through that handler
     * (docs/api.md: in the demo OCSP and CRLs share port 8080), routed in front of the OCSP handler.
     */
    static OcspService start(
            Database database,
            Token token,
            OcspAuthorities authorities,
            String host,
            int port,
            OcspConfig config,
            Clock clock,
            Handler crl)
            throws Exception {
        OcspResponder responder = new OcspResponder(database, token, authorities, config, clock);
        StatusLogFollower follower = StatusLogFollower.start(database, responder, clock);
        Server server = OcspServer.newServer(responder, follower, database, token, host, port, clock);
        // The CSCA master list shares the relying parties' port (issue 6).
        server.setHandler(new MasterListHandler(
                new MasterLists(
                        database,
                        ProfileSettings.defaults(),
                        AuditLedger.hashChained(clock),
                        clock,
                        new SecureRandom()),
                server.getHandler()));
        // So do the CA certificates, the AIA caIssuers target.
        server.setHandler(new CaCertificatesHandler(new CaCertificates(database), server.getHandler()));
        // And the verifier of temporary ID certificates' seals (issue 24).
        server.setHandler(new TemporaryCertificateVerifyHandler(
                new TemporaryCertificateVerifier(database, clock), server.getHandler()));
        // And the terminals' CV renewals with the CV trust points (issue 22): the DV keys are in this token.
        server.setHandler(new CvTerminalHandler(
                new AgencyAuthorizations(database, AuditLedger.hashChained(clock), clock),
                new CvAuthority(database, AuditLedger.hashChained(clock), clock),
                token,
                server.getHandler()));
        if (crl != null) {
            server.setHandler(new CrlService.Routing(crl, server.getHandler()));
        }
        Telemetry.instrument(server, crl == null ? "ocsp" : "ocsp-crl");
        try {
            server.start();
        } catch (Exception e) {
            stopQuietly(server);
            follower.close();
            if (e instanceof IOException) {
                // Jetty's "Failed to bind to ..." with the reason (address in use) in its cause.
                throw new IOException(
                        "cannot listen on " + host + ":" + port + ": "
                                + OneLine.of(e.getCause() != null ? e.getCause() : e),
                        e);
            }
            throw e;
        }
        // Every responder process runs an updater; the lease in the store lets one of them sign.
        // The lease holder also renews each CA's delegated signer in the token when a third of its life is left,
        // and destroys the keys of signers superseded long enough that no process can still be using them.
        OcspSignerRenewal renewal = new OcspSignerRenewal(
                database, token, ProfileSettings.defaults(), AuditLedger.hashChained(clock), clock, new SecureRandom());
        OcspSignerRetirement retirement =
                new OcspSignerRetirement(database, token, AuditLedger.hashChained(clock), clock);
        OcspUpdater updater = new OcspUpdater(
                        database, responder, updaterName(host, OcspServer.port(server)), clock, renewal, retirement)
                .start(Duration.ofSeconds(1));
        String h = host.contains(":") ? "[" + host + "]" : host;
        return new OcspService(
                server,
                follower,
                updater,
                authorities,
                "http://" + h + ":" + OcspServer.port(server) + "/ocsp",
                responder);
    }

    /** The responder's URL for POST (and, below it, RFC 5019 GET), e.g. {@code http://127.0.0.1:8080/ocsp}. */
    String url() {
        return url;
    }

    /** Readiness (docs/metrics.md): null while a delegated signer is loaded, else why not. */
    String signerMissing() {
        return responder.authorities().all().isEmpty() ? "no OCSP signer loaded" : null;
    }

    /** The CAs answered for now (the pre-sign backlog's CAs). */
    List<String> caNames() {
        return responder.authorities().all().stream().map(OcspAuthority::caName).toList();
    }

    /** The names of the CAs it answers for, each with its signer: {@code citizen-ca (citizen-ca-ocsp)}. */
    List<String> answersFor() {
        return authorities.all().stream().map(OcspAuthority::caName).toList();
    }

    /** One line per CA: {@code citizen-ca signed by citizen-ca-ocsp (until ...)}. */
    List<String> describe() {
        return authorities.all().stream()
                .map(a -> a.caName() + " signed by " + a.signerName() + " (until "
                        + a.signerCertificate().getNotAfter().toInstant() + ")")
                .toList();
    }

    /** This process's name in the updater lease: host name, process id and port. */
    private static String updaterName(String host, int port) {
        String node;
        try {
            node = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            node = host;
        }
        return node + "/" + ProcessHandle.current().pid() + ":" + port;
    }

    @Override
    public void close() throws Exception {
        try {
            server.stop();
        } finally {
            updater.close();
            follower.close();
        }
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception ignored) {
            // not started: nothing to stop
        }
    }
}
