package tw.eid.pki.ra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.ra.RaFixture.Client;

/**
 * The RA behind HAProxy (docs/cluster.md#the-ra-behind-haproxy): the PROXY protocol v2 header
 * gives the client's address only on connections from a trusted load balancer (here 127.0.0.2),
 * so the per-address lock-out counts the real client; from anyone else the header is never read.
 */
class ProxyProtocolTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    static RaFixture ra;
    static final InetAddress BALANCER = loopback(2);

    @BeforeAll
    static void start() throws Exception {
        ra = new RaFixture(db, dir, RaConfig.DEFAULT_SOD_PER_SECOND, Set.of(BALANCER));
    }

    @AfterAll
    static void stop() throws Exception {
        ra.close();
    }

    @Test
    void theLockOutCountsTheAddressInTheHeaderFromTheBalancer() throws Exception {
        ra.authClock.advance(Duration.ofHours(1));
        Client officer = ra.role(OperatorRole.OFFICER);
        String client = "198.51.100.7";
        assertThat(status(BALANCER, client, officer)).isEqualTo(200);
        for (int i = 0; i < 3; i++) {
            assertThat(status(BALANCER, client, ra.revoked)).isEqualTo(401);
        }
        assertThat(status(BALANCER, client, officer))
                .as("the proxied client is locked out")
                .isEqualTo(429);
        assertThat(status(BALANCER, "198.51.100.8", officer))
                .as("another proxied client")
                .isEqualTo(200);
        assertThat(status(loopback(1), null, officer))
                .as("a direct client, not through the balancer")
                .isEqualTo(200);
    }

    @Test
    void aHeaderFromAnyoneElseIsNeverRead() {
        ra.authClock.advance(Duration.ofHours(1));
        Client officer = ra.role(OperatorRole.OFFICER);
        assertThatThrownBy(() -> status(loopback(1), "198.51.100.9", officer))
                .as("a PROXY header sent straight to the RA breaks the sender's own handshake")
                .isInstanceOf(IOException.class);
    }

    /** GET /api/v1/health from {@code from}, with a PROXY v2 header naming {@code claimed} if not null. */
    private static int status(InetAddress from, String claimed, Client client) throws IOException {
        Socket raw = new Socket();
        raw.bind(new InetSocketAddress(from, 0));
        raw.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ra.port), 5_000);
        raw.setSoTimeout(10_000);
        if (claimed != null) {
            raw.getOutputStream().write(proxyV2(InetAddress.getByName(claimed), 40_000, ra.port));
        }
        try (SSLSocket tls =
                (SSLSocket) client.ssl().getSocketFactory().createSocket(raw, "127.0.0.1", ra.port, true)) {
            tls.startHandshake();
            OutputStream out = tls.getOutputStream();
            out.write(("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = tls.getInputStream();
            String statusLine = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(statusLine.substring(9, 12));
        }
    }

    /** A PROXY protocol v2 header (HAProxy's send-proxy-v2): TCP over IPv4, source then destination. */
    static byte[] proxyV2(InetAddress source, int sourcePort, int destinationPort) {
        ByteBuffer b = ByteBuffer.allocate(16 + 12);
        b.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        b.put((byte) 0x21); // version 2, PROXY
        b.put((byte) 0x11); // AF_INET, STREAM
        b.putShort((short) 12);
        b.put(source.getAddress());
        b.put(new byte[] {127, 0, 0, 1});
        b.putShort((short) sourcePort);
        b.putShort((short) destinationPort);
        return b.array();
    }

    private static InetAddress loopback(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
