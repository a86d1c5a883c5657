package tw.eid.pki.ca.store;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.mariadb.jdbc.Driver;

/**
 * Connections to the first database node of the JDBC URL's host list that can vouch for the
 * latest commits (docs/cluster.md#how-a-process-picks-its-database-node).
 *
 * <p>A Galera node that has left the primary component still accepts connections and answers
 * pings and {@code SELECT 1}; only statements on tables fail (error 1047). The driver's own
 * fail-over modes therefore keep handing out such a node. This data source opens a connection to
 * each host in the URL's order and keeps the first whose node is in the primary component, ready
 * and Synced ({@code wsrep_local_state} 4); a node that is joining, donating, desynced (for
 * example under {@code FLUSH TABLES WITH READ LOCK}) or cut off is skipped. A host that failed is
 * skipped for {@value #HOST_PAUSE_MS} ms unless every host has failed. A server without Galera is
 * always taken.
 *
 * <p>So each process uses its own node first (the URL lists it first) and comes back to it when
 * it is healthy again, as the pool replaces connections.
 */
final class NodeSelectingDataSource implements DataSource {

    static final long HOST_PAUSE_MS = 5_000;

    /** Galera's {@code wsrep_local_state} for a node that is in sync with its component. */
    private static final String SYNCED = "4";

    private static final Pattern URL = Pattern.compile("^jdbc:(mariadb|mysql):(?:[a-z]+:)?//([^/?]+)(.*)$");

    private final List<String> hostUrls;
    private final Properties properties;
    private final Driver driver = new Driver();
    private final AtomicLongArray pausedUntil;
    private final LongSupplier millis;
    private volatile int loginTimeoutSeconds = 5;

    NodeSelectingDataSource(String jdbcUrl, Properties properties, LongSupplier millis) {
        this.hostUrls = hostUrls(jdbcUrl);
        this.properties = Objects.requireNonNull(properties, "properties");
        this.pausedUntil = new AtomicLongArray(hostUrls.size());
        this.millis = millis;
    }

    /**
     * One single-host URL per host of {@code jdbcUrl}, in its order, each keeping the database and
     * the options; a fail-over prefix ({@code sequential:}, {@code loadbalance:} ...) is dropped
     * because this class does the choosing.
     */
    static List<String> hostUrls(String jdbcUrl) {
        Matcher m = URL.matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a jdbc:mariadb://host[,host...]/database URL");
        }
        List<String> urls = new ArrayList<>();
        for (String host : m.group(2).split(",")) {
            String h = host.strip();
            if (h.isEmpty()) {
                throw new IllegalArgumentException("the JDBC URL has an empty host");
            }
            urls.add("jdbc:mariadb://" + h + m.group(3));
        }
        return List.copyOf(urls);
    }

    int hosts() {
        return hostUrls.size();
    }

    @Override
    public Connection getConnection() throws SQLException {
        long now = millis.getAsLong();
        List<String> refusals = new ArrayList<>();
        SQLException last = null;
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < hostUrls.size(); i++) {
                // First pass: hosts not paused; second pass (all paused or all refused): the rest.
                boolean paused = pausedUntil.get(i) > now;
                if (paused != (pass == 1)) {
                    continue;
                }
                Connection c = null;
                try {
                    c = driver.connect(hostUrls.get(i), properties);
                    if (c == null) {
                        throw new SQLException("the MariaDB driver did not take the URL", "08001");
                    }
                    String notReady = notReady(c);
                    if (notReady == null) {
                        pausedUntil.set(i, 0);
                        return c;
                    }
                    refusals.add("node " + (i + 1) + " " + notReady);
                    c.close();
                } catch (SQLException e) {
                    last = e;
                    refusals.add("node " + (i + 1) + " unreachable (" + e.getSQLState() + ")");
                    if (c != null) {
                        try {
                            c.close();
                        } catch (SQLException ignored) {
                            e.addSuppressed(ignored);
                        }
                    }
                }
                pausedUntil.set(i, now + HOST_PAUSE_MS);
            }
        }
        SQLTransientConnectionException none = new SQLTransientConnectionException(
                "no database node can serve: " + String.join("; ", refusals), "08004");
        if (last != null) {
            none.initCause(last);
        }
        throw none;
    }

    /**
     * Why this connection's node must not be used, or null when it may: a server without Galera
     * (or with it switched off) always may.
     */
    static String notReady(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            String wsrepOn;
            try (ResultSet rs = s.executeQuery("SHOW GLOBAL VARIABLES LIKE 'wsrep_on'")) {
                wsrepOn = rs.next() ? rs.getString(2) : "OFF";
            }
            if (!"ON".equalsIgnoreCase(wsrepOn)) {
                return null;
            }
            String ready = null;
            String state = null;
            String component = null;
            try (ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS WHERE Variable_name IN"
                    + " ('wsrep_ready', 'wsrep_local_state', 'wsrep_cluster_status')")) {
                while (rs.next()) {
                    switch (rs.getString(1).toLowerCase()) {
                        case "wsrep_ready" -> ready = rs.getString(2);
                        case "wsrep_local_state" -> state = rs.getString(2);
                        case "wsrep_cluster_status" -> component = rs.getString(2);
                        default -> {}
                    }
                }
            }
            if (!"Primary".equalsIgnoreCase(component)) {
                return "is not in the primary component (" + component + ")";
            }
            if (!"ON".equalsIgnoreCase(ready)) {
                return "is not ready";
            }
            if (!SYNCED.equals(state)) {
                return "is not Synced (wsrep_local_state " + state + ")";
            }
            return null;
        }
    }

    /** Whether the server behind this connection runs Galera replication. */
    static boolean isGalera(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW GLOBAL VARIABLES LIKE 'wsrep_on'")) {
            return rs.next() && "ON".equalsIgnoreCase(rs.getString(2));
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the account is fixed by the settings");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    /**
     * Kept for the pool: Hikari sets it from its connection timeout and, when it closes, waits this
     * long for connections still being made (0 would make every close warn that it timed out).
     */
    @Override
    public void setLoginTimeout(int seconds) {
        loginTimeoutSeconds = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeoutSeconds;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
