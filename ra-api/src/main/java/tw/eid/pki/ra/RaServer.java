package tw.eid.pki.ra;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.glassfish.jersey.CommonProperties;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.glassfish.jersey.servlet.ServletContainer;
import tw.eid.pki.ca.http.JettyHardening;
import tw.eid.pki.ca.issuance.IssuingCa;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.store.AuthLockouts;
import tw.eid.pki.ra.auth.AuthFailures;
import tw.eid.pki.ra.auth.AuthenticationFilter;
import tw.eid.pki.ra.auth.OperatorAuthenticator;
import tw.eid.pki.ra.auth.OperatorTrustManager;
import tw.eid.pki.ra.auth.RequestAudit;
import tw.eid.pki.ra.auth.RoleAuthorization;
import tw.eid.pki.ra.console.Console;
import tw.eid.pki.ra.problem.ProblemErrorHandler;
import tw.eid.pki.ra.problem.ProblemMappers;
import tw.eid.pki.ra.resources.AgencyResource;
import tw.eid.pki.ra.resources.ApprovalResource;
import tw.eid.pki.ra.resources.AuditResource;
import tw.eid.pki.ra.resources.CardResource;
import tw.eid.pki.ra.resources.CertificateResource;
import tw.eid.pki.ra.resources.HealthResource;
import tw.eid.pki.ra.resources.JsonMapper;
import tw.eid.pki.ra.resources.OpenApiResource;
import tw.eid.pki.ra.resources.RequestSizeLimit;
import tw.eid.pki.ra.resources.RevocationsResource;
import tw.eid.pki.ra.resources.SodRateLimit;
import tw.eid.pki.ra.resources.TemporaryCertificatePdf;
import tw.eid.pki.ra.resources.TemporaryCertificateResource;
import tw.eid.pki.ra.store.CertificateRecords;

/**
 * The RA API of docs/api.md at {@code https://HOST:PORT/api/v1}: Jersey on Jetty 12 (ee10), one TLS
 * connector with a required client certificate.
 *
 * <p>Who gets in, in order:
 * <ol>
 *   <li>TLS 1.3 or 1.2 only, AEAD cipher suites with forward secrecy only, no renegotiation;</li>
 *   <li>the handshake requires a client certificate and accepts it only if it chains to the RA
 *       Operators CA (the only trust anchor), is within its validity and is for clientAuth
 *       ({@link OperatorTrustManager}; refusals count toward the source's lockout);</li>
 *   <li>every request: a locked-out source gets 429; the certificate must be on record in the store
 *       as issued by the RA Operators CA, and good (not on hold, not revoked), checked anew each
 *       time; its one policy OID gives the role ({@link OperatorAuthenticator}); refusals 401,
 *       audited and counted;</li>
 *   <li>every resource method names its roles; any other role gets 403, audited, not counted
 *       ({@link RoleAuthorization}).</li>
 * </ol>
 */
public final class RaServer {
    /** TLS 1.3 suites, then TLS 1.2 ECDHE with AEAD (the server key is EC P-256). */
    static final String[] CIPHER_SUITES = {
        "TLS_AES_256_GCM_SHA384",
        "TLS_AES_128_GCM_SHA256",
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    };

    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    public static final String CONTEXT_PATH = "/api/v1";

    private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);

    private RaServer() {}

    /**
     * A server ready to {@code start()}, not started (tests start it on port 0 and read the port
     * from its connector). Fails here, at start-up, if the key store or its password file is
     * readable by others, if the key store does not open, or if the store has no RA Operators CA.
     */
    public static Server newServer(RaConfig config) {
        RaServices services = config.services();
        X509Certificate operatorsCa = operatorsCa(config);
        AuthFailures failures = new AuthFailures(
                config.clock(),
                config.authFailureWindow(),
                config.authFailureLimit(),
                config.lockout(),
                new AuthLockouts(services.database()));
        SSLContext tls = sslContext(config, new OperatorTrustManager(operatorsCa, config.clock(), failures));

        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setSslContext(tls);
        ssl.setNeedClientAuth(true);
        ssl.setIncludeProtocols(PROTOCOLS);
        ssl.setIncludeCipherSuites(CIPHER_SUITES);
        ssl.setRenegotiationAllowed(false);

        Server server = new Server();
        HttpConfiguration http = JettyHardening.httpConfiguration();
        http.setSecureScheme("https");
        http.setSecurePort(config.port());
        http.addCustomizer(new SecureRequestCustomizer());
        SslConnectionFactory tlsFactory = new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString());
        ServerConnector connector = config.proxyProtocolFrom().isEmpty()
                ? new ServerConnector(server, tlsFactory, new HttpConnectionFactory(http))
                : new ServerConnector(
                        server,
                        new TrustedProxyConnectionFactory(tlsFactory.getProtocol(), config.proxyProtocolFrom()),
                        tlsFactory,
                        new HttpConnectionFactory(http));
        connector.setHost(config.host());
        connector.setPort(config.port());
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler(CONTEXT_PATH, false, false);
        context.addServlet(new ServletHolder(new ServletContainer(resources(config, operatorsCa, failures))), "/*");
        context.setErrorHandler(ProblemErrorHandler.servlet());
        server.setErrorHandler(ProblemErrorHandler.core());
        // The officer console (issue 19) beside the API: same connector, same authenticator and
        // lock-out (one AuthFailures), same domain services.
        server.setHandler(new ContextHandlerCollection(context, console(config, operatorsCa, failures)));
        return server;
    }

    private static ServletContextHandler console(RaConfig config, X509Certificate operatorsCa, AuthFailures failures) {
        RaServices s = config.services();
        CertificateRecords records = new CertificateRecords(s.database());
        return Console.context(
                new Console.Services(
                        s.cards(),
                        records,
                        s.revocations(),
                        s.lossReports(),
                        s.approvals(),
                        new RequestAudit(s.database(), s.audit()),
                        config.citizenCaName()),
                failures,
                new OperatorAuthenticator(
                        operatorsCa, config.operatorsCaName(), records, s.profileSettings(), config.clock()),
                config.clock());
    }

    static ResourceConfig resources(RaConfig config, X509Certificate operatorsCa, AuthFailures failures) {
        RaServices s = config.services();
        CertificateRecords records = new CertificateRecords(s.database());
        RequestAudit audit = new RequestAudit(s.database(), s.audit());
        ResourceConfig rc = new ResourceConfig();
        rc.property(ServerProperties.WADL_FEATURE_DISABLE, true);
        rc.property(ServerProperties.BV_FEATURE_DISABLE, true);
        // No auto-discovered Jackson feature: it would bring mappers that answer text/plain.
        rc.property(CommonProperties.FEATURE_AUTO_DISCOVERY_DISABLE, true);
        // Errors Jersey answers without a body and without asking a mapper (a Content-Type or Accept
        // header that does not parse) go to sendError, so that ProblemErrorHandler writes their problem.
        rc.property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, false);
        rc.register(JacksonFeature.withoutExceptionMappers());
        rc.register(new RequestMetrics());
        rc.register(new JsonMapper());
        rc.register(new AuthenticationFilter(
                failures,
                new OperatorAuthenticator(
                        operatorsCa, config.operatorsCaName(), records, s.profileSettings(), config.clock()),
                audit,
                config.clock()));
        rc.register(new RequestSizeLimit(config.maxRequestBytes()));
        rc.register(new RoleAuthorization(audit));
        ProblemMappers.all().forEach(rc::register);
        rc.register(new CardResource(
                s.cards(),
                s.issuer(),
                s.revocations(),
                records,
                s.profileSettings(),
                audit,
                s.sods(),
                new SodRateLimit(System::nanoTime, config.sodPerSecond()),
                s.reissues(),
                s.temporaryCertificates(),
                s.temporaryCertificates() == null
                        ? null
                        : new TemporaryCertificatePdf(TemporaryCertificatePdf.DEFAULT_FONT),
                s.lossReports()));
        rc.register(new TemporaryCertificateResource(s.temporaryCertificates()));
        rc.register(new CertificateResource(records, s.revocations(), config.citizenCaName()));
        rc.register(new RevocationsResource(s.approvals(), config.citizenCaName()));
        rc.register(new ApprovalResource(s.approvals()));
        rc.register(new AgencyResource(s.agencies(), s.cvToken()));
        rc.register(new AuditResource(s.auditQuery()));
        rc.register(new HealthResource(
                records, s.tokens(), s.sods() == null ? null : s.sods().pool()));
        rc.register(new OpenApiResource());
        return rc;
    }

    /** The RA Operators CA's certificate from the store's {@code ca} table. */
    private static X509Certificate operatorsCa(RaConfig config) {
        IssuingCa ca = IssuingCa.load(config.services().database(), config.operatorsCaName());
        if (ca.certificate().profile() != CertificateProfile.RA_OPERATORS_CA) {
            throw new IllegalStateException("CA '" + config.operatorsCaName() + "' is a "
                    + ca.certificate().profile().profileName() + ", not the RA Operators CA");
        }
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(ca.certificate().certificate());
        } catch (CertificateException e) {
            throw new IllegalStateException("the RA Operators CA certificate does not parse", e);
        }
    }

    private static SSLContext sslContext(RaConfig config, TrustManager trust) {
        char[] password = password(config.tlsKeyStorePassword());
        try {
            requireOwnerOnly(config.tlsKeyStore(), "TLS key store");
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(config.tlsKeyStore())) {
                keys.load(in, password);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), new TrustManager[] {trust}, new SecureRandom());
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(
                    "cannot open the TLS key store " + config.tlsKeyStore() + ": " + e.getMessage(), e);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /** The password file's first line; the file must be the owner's only (like an SSH key). */
    static char[] password(Path file) {
        try {
            requireOwnerOnly(file, "TLS key store password file");
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int end = text.indexOf('\n');
            String line = (end < 0 ? text : text.substring(0, end)).replace("\r", "");
            if (line.isEmpty()) {
                throw new IllegalStateException("the TLS key store password file " + file + " is empty");
            }
            return line.toCharArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the TLS key store password file " + file, e);
        }
    }

    static void requireOwnerOnly(Path file, String what) throws IOException {
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (posix != null && posix.readAttributes().permissions().stream().anyMatch(GROUP_OR_OTHER::contains)) {
            throw new IllegalStateException(what + " " + file + " is accessible to group or others; chmod 600 it");
        }
    }
}
