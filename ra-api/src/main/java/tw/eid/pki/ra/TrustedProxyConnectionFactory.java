package tw.eid.pki.ra;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ProxyConnectionFactory;
import org.eclipse.jetty.util.component.ContainerLifeCycle;

/**
 * The PROXY protocol (v1 or v2, as HAProxy's {@code send-proxy-v2} sends it) honoured only on
 * connections from the load balancers' own addresses (docs/cluster.md#the-ra-behind-haproxy).
 *
 * <p>Behind HAProxy in TCP mode, mutual TLS ends at the RA, and the client's address reaches it in
 * the PROXY header, so the per-address lock-out and the audit see the real client. Any other peer
 * is served as itself: its PROXY header, if it sends one, is not read and breaks its TLS
 * handshake, so no client can claim another's address.
 */
final class TrustedProxyConnectionFactory extends ContainerLifeCycle implements ConnectionFactory {

    private final ProxyConnectionFactory proxy;
    private final String next;
    private final Set<InetAddress> trusted;

    TrustedProxyConnectionFactory(String nextProtocol, Set<InetAddress> trusted) {
        this.proxy = new ProxyConnectionFactory(nextProtocol);
        this.next = nextProtocol;
        this.trusted = Set.copyOf(trusted);
        addBean(proxy);
    }

    @Override
    public String getProtocol() {
        return proxy.getProtocol();
    }

    @Override
    public List<String> getProtocols() {
        return proxy.getProtocols();
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        SocketAddress peer = endPoint.getRemoteSocketAddress();
        if (peer instanceof InetSocketAddress address && trusted.contains(address.getAddress())) {
            return proxy.newConnection(connector, endPoint);
        }
        return connector.getConnectionFactory(next).newConnection(connector, endPoint);
    }
}
