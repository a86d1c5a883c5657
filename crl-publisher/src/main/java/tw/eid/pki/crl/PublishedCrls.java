package tw.eid.pki.crl;

import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.Database;

/**
 * The CRLs the HTTP server hands out, by URL path: the latest stored CRL of each (CA, partition,
 * full or delta), offline CRLs included. Refreshed from the store (only what changed is read); a
 * CRL is served only once it is committed there, so a publisher that dies before its commit never
 * shows a CRL.
 */
public final class PublishedCrls {
    private static final Logger log = LoggerFactory.getLogger(PublishedCrls.class);

    /** One CRL as served: its DER and the header fields the HTTP layer needs. */
    public record Served(String path, byte[] der, String etag, long number, Instant thisUpdate, Instant nextUpdate) {}

    private final Database database;
    private final CrlStore store;
    private final ProfileSettings settings;
    private volatile Map<String, Served> byPath = Map.of();
    /** Store key → id of the row served, so that a refresh reads only new rows. */
    private final Map<String, Long> ids = new HashMap<>();

    private volatile Instant refreshed;

    public PublishedCrls(Database database, ProfileSettings settings) {
        this.database = Objects.requireNonNull(database, "database");
        this.store = new CrlStore(database);
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Re-reads the latest stored CRLs; keeps what it had when the store cannot be read. */
    public synchronized void refresh(Instant now) {
        try {
            List<CrlAuthority> authorities = CrlAuthority.load(database);
            Map<String, CrlStore.Stored> latest = store.latestAll();
            Map<String, Served> next = new HashMap<>();
            Map<String, Served> current = byPath;
            for (CrlAuthority a : authorities) {
                for (Map.Entry<String, CrlStore.Stored> e : latest.entrySet()) {
                    String[] key = e.getKey().split("/");
                    if (!key[0].equals(a.name())) {
                        continue;
                    }
                    int partition = Integer.parseInt(key[1]);
                    boolean delta = key.length == 3;
                    if (partition == 0 && delta) {
                        continue;
                    }
                    String path = a.url(settings, partition, delta).getPath();
                    CrlStore.Stored s = e.getValue();
                    Served old = current.get(path);
                    if (old != null && Objects.equals(ids.get(e.getKey()), s.id())) {
                        next.put(path, old);
                        continue;
                    }
                    byte[] der;
                    try {
                        der = store.der(s.id());
                    } catch (RuntimeException ex) {
                        // One unreadable CRL (pieces missing) keeps its path's previous CRL, if any;
                        // the others still refresh.
                        log.error("cannot read CRL {} ({}) from the store: {}", s.id(), path, ex.toString());
                        der = null;
                    }
                    if (der == null) {
                        if (old != null) {
                            next.put(path, old);
                        }
                        continue;
                    }
                    ids.put(e.getKey(), s.id());
                    next.put(path, new Served(path, der, etag(der), s.number(), s.thisUpdate(), s.nextUpdate()));
                }
            }
            byPath = Map.copyOf(next);
            refreshed = now;
        } catch (RuntimeException e) {
            log.warn("cannot refresh the served CRLs from the store: {}", e.toString());
        }
    }

    /** The CRL served at {@code path}, or null. */
    public Served get(String path) {
        return byPath.get(path);
    }

    public Map<String, Served> all() {
        return byPath;
    }

    /**
     * The CRL URL paths that relying parties may follow and that are not served yet (readiness,
     * docs/metrics.md): every CRL distribution point the CA certificates in the store name, and of
     * each online CA the CRLs its certificates name: the RA Operators CA's CRL, each Citizen CA
     * partition's full CRL and its delta (freshestCRL). Empty when all are served.
     */
    public List<String> missing() {
        List<String> missing = new ArrayList<>();
        for (String path : expected()) {
            if (!byPath.containsKey(path)) {
                missing.add(path);
            }
        }
        return missing;
    }

    private Set<String> expected() {
        Set<String> paths = new TreeSet<>();
        for (CrlAuthority a : CrlAuthority.load(database)) {
            CRLDistPoint dps = CRLDistPoint.fromExtensions(a.certificate().getExtensions());
            if (dps != null) {
                for (DistributionPoint dp : dps.getDistributionPoints()) {
                    if (dp.getDistributionPoint() != null
                            && dp.getDistributionPoint().getType() == DistributionPointName.FULL_NAME) {
                        for (GeneralName n : GeneralNames.getInstance(
                                        dp.getDistributionPoint().getName())
                                .getNames()) {
                            if (n.getTagNo() == GeneralName.uniformResourceIdentifier) {
                                paths.add(URI.create(n.getName().toString()).getPath());
                            }
                        }
                    }
                }
            }
            if (!a.online()) {
                continue;
            }
            if (a.partitioned()) {
                for (int p : store.partitions(a.name())) {
                    paths.add(a.url(settings, p, false).getPath());
                    paths.add(a.url(settings, p, true).getPath());
                }
            } else {
                paths.add(a.url(settings, 0, false).getPath());
            }
        }
        return paths;
    }

    /** When the last refresh succeeded (null before the first). */
    public Instant refreshed() {
        return refreshed;
    }

    static String etag(byte[] der) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(der);
            return "\"" + HexFormat.of().formatHex(h, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
