package tw.eid.pki.ra;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything {@link RaServer#newServer} needs. Checked on construction (docs/style.md #6); the defaults
 * are the safe ones of docs/api.md and the seed checklist (4.6: three failures, thirty minutes).
 *
 * <p>The TLS server key: a software EC P-256 key in a PKCS#12 file, its certificate issued by the
 * RA Operators CA under profile {@code ra-tls-server}. The key is not a CA key (it signs handshakes,
 * never certificates), so docs/architecture.md's "CA keys in the token" does not bind it; moving it into
 * the token through SunPKCS11 is a later step. The file and the file with its password must be
 * readable by the owner only, and there is no default password anywhere.
 *
 * @param host                  the address to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
 * @param port                  the TLS port (8443 in docs/api.md; 0 for any free port, as tests do)
 * @param tlsKeyStore           the PKCS#12 file with the server key and its chain (owner-only)
 * @param tlsKeyStorePassword   a file holding the PKCS#12 password on one line (owner-only)
 * @param operatorsCaName       the RA Operators CA's name in the {@code ca} table: its certificate
 *                              is the only trust anchor for client certificates, and operator
 *                              certificates are looked up under this name on every request
 * @param citizenCaName         the CA of {@code /certificates/{serial}} without {@code ?ca=}, and
 *                              the CA whose certificates suspend, resume and revoke act on
 * @param authFailureWindow     failures of one source within this window count together (10 min)
 * @param authFailureLimit      this many failures within the window lock the source out (3)
 * @param lockout               for this long (30 min)
 * @param maxRequestBytes       larger request bodies are refused with 413 (64 KiB)
 * @param sodPerSecond          SOD requests a second per client certificate, burst twice that (20)
 * @param proxyProtocolFrom     load balancers whose PROXY protocol header gives the client's
 *                              address (HAProxy's send-proxy-v2); empty: none, every peer is itself
 * @param clock                 time for certificate validity and lockout (injected, docs/style.md #5)
 * @param services              the domain
 */
public record RaConfig(
        String host,
        int port,
        Path tlsKeyStore,
        Path tlsKeyStorePassword,
        String operatorsCaName,
        String citizenCaName,
        Duration authFailureWindow,
        int authFailureLimit,
        Duration lockout,
        int maxRequestBytes,
        int sodPerSecond,
        Set<InetAddress> proxyProtocolFrom,
        Clock clock,
        RaServices services) {

    public static final int DEFAULT_PORT = 8443;
    public static final Duration DEFAULT_AUTH_FAILURE_WINDOW = Duration.ofMinutes(10);
    public static final int DEFAULT_AUTH_FAILURE_LIMIT = 3;
    public static final Duration DEFAULT_LOCKOUT = Duration.ofMinutes(30);
    public static final int DEFAULT_MAX_REQUEST_BYTES = 64 * 1024;
    public static final int DEFAULT_SOD_PER_SECOND = 20;

    private static final Pattern CA_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    public RaConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        Objects.requireNonNull(tlsKeyStore, "tlsKeyStore");
        Objects.requireNonNull(tlsKeyStorePassword, "tlsKeyStorePassword (a file; there is no default password)");
        requireCaName("operatorsCaName", operatorsCaName);
        requireCaName("citizenCaName", citizenCaName);
        if (authFailureWindow == null || authFailureWindow.isNegative() || authFailureWindow.isZero()) {
            throw new IllegalArgumentException("authFailureWindow must be positive");
        }
        if (authFailureLimit < 1) {
            throw new IllegalArgumentException("authFailureLimit must be at least 1");
        }
        if (lockout == null || lockout.isNegative() || lockout.isZero()) {
            throw new IllegalArgumentException("lockout must be positive");
        }
        if (maxRequestBytes < 1024 || maxRequestBytes > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("maxRequestBytes must be 1 KiB..16 MiB: " + maxRequestBytes);
        }
        if (sodPerSecond < 1 || sodPerSecond > 100_000) {
            throw new IllegalArgumentException("sodPerSecond must be 1..100000: " + sodPerSecond);
        }
        proxyProtocolFrom = Set.copyOf(Objects.requireNonNull(proxyProtocolFrom, "proxyProtocolFrom"));
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(services, "services");
    }

    private static void requireCaName(String what, String name) {
        if (name == null || !CA_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " must be a CA name of the ca table: " + name);
        }
    }

    /** A builder with the defaults: port 8443 on all addresses, ra-operators-ca, citizen-ca. */
    public static Builder builder(RaServices services, Path tlsKeyStore, Path tlsKeyStorePassword) {
        return new Builder(services, tlsKeyStore, tlsKeyStorePassword);
    }

    /** Builds an {@link RaConfig}; the record's constructor checks the result. */
    public static final class Builder {
        private final RaServices services;
        private final Path tlsKeyStore;
        private final Path tlsKeyStorePassword;
        private String host = "0.0.0.0";
        private int port = DEFAULT_PORT;
        private String operatorsCaName = "ra-operators-ca";
        private String citizenCaName = "citizen-ca";
        private Duration authFailureWindow = DEFAULT_AUTH_FAILURE_WINDOW;
        private int authFailureLimit = DEFAULT_AUTH_FAILURE_LIMIT;
        private Duration lockout = DEFAULT_LOCKOUT;
        private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
        private int sodPerSecond = DEFAULT_SOD_PER_SECOND;
        private Set<InetAddress> proxyProtocolFrom = Set.of();
        private Clock clock = Clock.systemUTC();

        private Builder(RaServices services, Path tlsKeyStore, Path tlsKeyStorePassword) {
            this.services = services;
            this.tlsKeyStore = tlsKeyStore;
            this.tlsKeyStorePassword = tlsKeyStorePassword;
        }

        public Builder host(String value) {
            host = value;
            return this;
        }

        public Builder port(int value) {
            port = value;
            return this;
        }

        public Builder operatorsCaName(String value) {
            operatorsCaName = value;
            return this;
        }

        public Builder citizenCaName(String value) {
            citizenCaName = value;
            return this;
        }

        public Builder authFailureWindow(Duration value) {
            authFailureWindow = value;
            return this;
        }

        public Builder authFailureLimit(int value) {
            authFailureLimit = value;
            return this;
        }

        public Builder lockout(Duration value) {
            lockout = value;
            return this;
        }

        public Builder maxRequestBytes(int value) {
            maxRequestBytes = value;
            return this;
        }

        public Builder sodPerSecond(int value) {
            sodPerSecond = value;
            return this;
        }

        public Builder proxyProtocolFrom(Set<InetAddress> value) {
            proxyProtocolFrom = value;
            return this;
        }

        public Builder clock(Clock value) {
            clock = value;
            return this;
        }

        public RaConfig build() {
            return new RaConfig(
                    host,
                    port,
                    tlsKeyStore,
                    tlsKeyStorePassword,
                    operatorsCaName,
                    citizenCaName,
                    authFailureWindow,
                    authFailureLimit,
                    lockout,
                    maxRequestBytes,
                    sodPerSecond,
                    proxyProtocolFrom,
                    clock,
                    services);
        }
    }
}
