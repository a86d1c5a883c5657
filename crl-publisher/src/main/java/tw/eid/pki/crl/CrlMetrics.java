package tw.eid.pki.crl;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Clock;
import java.util.Enumeration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.x509.CertificateList;

/**
 * The served CRLs' gauges (docs/metrics.md), one set per URL path as it appears: seconds since
 * thisUpdate, seconds until nextUpdate, size in bytes and number of entries. A path that stops
 * being served reads NaN.
 */
final class CrlMetrics {
    private final PublishedCrls crls;
    private final Clock clock;
    private final MeterRegistry registry = Metrics.globalRegistry;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    /** Entries by the served CRL's ETag: counted once per CRL, not on every scrape. */
    private final Map<String, Long> entries = new ConcurrentHashMap<>();

    CrlMetrics(PublishedCrls crls, Clock clock) {
        this.crls = crls;
        this.clock = clock;
    }

    /** Registers the gauges of paths that appeared since the last call. */
    void update() {
        for (String path : crls.all().keySet()) {
            if (registered.add(path)) {
                register(path);
            }
        }
        entries.keySet()
                .retainAll(crls.all().values().stream()
                        .map(PublishedCrls.Served::etag)
                        .toList());
    }

    private void register(String path) {
        Gauge.builder("eidpki.crl.age", this, m -> m.read(path, Reading.AGE))
                .description("now - thisUpdate of the CRL served at the path")
                .baseUnit("seconds")
                .tag("path", path)
                .register(registry);
        Gauge.builder("eidpki.crl.until.next.update", this, m -> m.read(path, Reading.UNTIL_NEXT_UPDATE))
                .description("nextUpdate of the CRL served at the path, minus now (negative: stale)")
                .baseUnit("seconds")
                .tag("path", path)
                .register(registry);
        Gauge.builder("eidpki.crl.lifetime", this, m -> m.read(path, Reading.LIFETIME))
                .description("nextUpdate - thisUpdate of the CRL served at the path")
                .baseUnit("seconds")
                .tag("path", path)
                .register(registry);
        Gauge.builder("eidpki.crl.size", this, m -> m.read(path, Reading.SIZE))
                .description("DER size of the CRL served at the path")
                .baseUnit("bytes")
                .tag("path", path)
                .register(registry);
        Gauge.builder("eidpki.crl.entries", this, m -> m.read(path, Reading.ENTRIES))
                .description("revoked certificates listed on the CRL served at the path")
                .tag("path", path)
                .register(registry);
    }

    private enum Reading {
        AGE,
        UNTIL_NEXT_UPDATE,
        LIFETIME,
        SIZE,
        ENTRIES
    }

    private double read(String path, Reading reading) {
        PublishedCrls.Served c = crls.get(path);
        if (c == null) {
            return Double.NaN;
        }
        long now = clock.instant().getEpochSecond();
        return switch (reading) {
            case AGE -> now - c.thisUpdate().getEpochSecond();
            case UNTIL_NEXT_UPDATE -> c.nextUpdate().getEpochSecond() - now;
            case LIFETIME -> c.nextUpdate().getEpochSecond() - c.thisUpdate().getEpochSecond();
            case SIZE -> c.der().length;
            case ENTRIES -> entries.computeIfAbsent(c.etag(), e -> count(c.der()));
        };
    }

    /** The entries of a CRL's revokedCertificates, counted by Bouncy Castle's parser (-1: cannot parse). */
    private static long count(byte[] der) {
        try {
            long n = 0;
            Enumeration<?> e = CertificateList.getInstance(der).getRevokedCertificateEnumeration();
            while (e.hasMoreElements()) {
                e.nextElement();
                n++;
            }
            return n;
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
