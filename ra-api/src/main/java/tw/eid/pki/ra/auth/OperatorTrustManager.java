package tw.eid.pki.ra.auth;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS handshake's judge of client certificates: PKIX (RFC 5280 §6) with the RA Operators CA as
 * the only trust anchor, at the injected clock's time, and the clientAuth extended key usage (so
 * that the RA's own TLS server certificate, from the same CA, is no client certificate).
 * Revocation is not checked here but on every request, against the store ({@link
 * OperatorAuthenticator}), where it also covers resumed TLS sessions.
 *
 * <p>A refusal is counted against the peer's address ({@link AuthFailures}); Jetty creates each
 * server SSLEngine with the remote address, so {@link SSLEngine#getPeerHost()} is the client's IP.
 */
public final class OperatorTrustManager extends X509ExtendedTrustManager {
    private static final Logger log = LoggerFactory.getLogger(OperatorTrustManager.class);
    static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    private final X509Certificate operatorsCa;
    private final Clock clock;
    private final AuthFailures failures;

    public OperatorTrustManager(X509Certificate operatorsCa, Clock clock, AuthFailures failures) {
        this.operatorsCa = Objects.requireNonNull(operatorsCa, "operatorsCa");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.failures = Objects.requireNonNull(failures, "failures");
    }

    /** The checks, without counting: PKIX to the RA Operators CA and clientAuth. */
    public void verify(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("no client certificate");
        }
        X509Certificate leaf = chain[0];
        try {
            // Only the leaf: whatever else the client sends, the anchor is our CA and nothing between.
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(operatorsCa, null)));
            params.setRevocationEnabled(false);
            params.setDate(Date.from(clock.instant()));
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), params);
        } catch (GeneralSecurityException e) {
            throw new CertificateException("client certificate refused: " + e.getMessage(), e);
        }
        List<String> eku = leaf.getExtendedKeyUsage();
        if (eku == null || !eku.contains(CLIENT_AUTH)) {
            throw new CertificateException("client certificate is not for TLS client authentication");
        }
    }

    private void check(X509Certificate[] chain, String peer) throws CertificateException {
        try {
            verify(chain);
        } catch (CertificateException e) {
            boolean locked = failures.record(peer);
            log.info(
                    "TLS client certificate from {} refused{}: {}",
                    peer,
                    locked ? " (source locked out)" : "",
                    e.getMessage());
            throw e;
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain, engine == null ? null : engine.getPeerHost());
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(
                chain,
                socket == null || socket.getInetAddress() == null
                        ? null
                        : socket.getInetAddress().getHostAddress());
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("this trust manager judges client certificates only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("this trust manager judges client certificates only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("this trust manager judges client certificates only");
    }

    /** Sent to clients as certificate_authorities: only the RA Operators CA. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[] {operatorsCa};
    }
}
