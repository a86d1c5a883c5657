package tw.eid.pki.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tw.eid.pki.hsm.MutableClock;

/**
 * The responder's metrics (docs/metrics.md) on a registry of the test's own under Micrometer's
 * global one: every label combination exists at 0, each answer counts once under its labels, and
 * the freshness gauges follow the responses served over one to two windows on a pinned clock.
 */
class OcspMetricsTest {
    private static final Instant NOW = Instant.parse("2028-02-29T12:00:00Z");
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MutableClock clock = new MutableClock(NOW);

    @BeforeEach
    void add() {
        Metrics.addRegistry(registry);
    }

    @AfterEach
    void remove() {
        Metrics.removeRegistry(registry);
    }

    private double count(String method, String status, String source) {
        return registry.get("eidpki.ocsp.responses")
                .tags("method", method, "status", status, "source", source)
                .counter()
                .count();
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    @Test
    void eachAnswerCountsOnceUnderItsLabelsAndTheGaugesFollowWhatWasServed() {
        OcspMetrics metrics = new OcspMetrics(OcspConfig.defaults(), clock);
        assertThat(registry.get("eidpki.ocsp.responses").counters()).hasSize(2 * 4 * 4);
        double before = count("GET", "revoked", "store");
        assertThat(gauge("eidpki.ocsp.served.oldest.age")).isNaN();

        OcspAnswer stored = new OcspAnswer(
                new byte[] {1}, 0, NOW.minus(Duration.ofHours(3)), NOW.plus(Duration.ofHours(21)), "revoked", "store");
        OcspAnswer live = new OcspAnswer(new byte[] {2}, 0, NOW, NOW.plus(Duration.ofHours(24)), "good", "live");
        long t = System.nanoTime();
        metrics.served(stored, stored.source(), true, t);
        metrics.served(stored, "memory", true, t);
        metrics.served(live, live.source(), false, t);
        metrics.served(OcspResponder.status(1), "none", false, t);

        assertThat(count("GET", "revoked", "store")).isEqualTo(before + 1);
        assertThat(count("GET", "revoked", "memory")).isEqualTo(1);
        assertThat(count("POST", "good", "live")).isEqualTo(1);
        assertThat(count("POST", "error", "none")).isEqualTo(1);
        assertThat(registry.get("eidpki.ocsp.response.duration")
                        .tag("method", "GET")
                        .timer()
                        .count())
                .isEqualTo(2);
        assertThat(gauge("eidpki.ocsp.served.oldest.age")).isEqualTo(3 * 3600);
        assertThat(gauge("eidpki.ocsp.served.until.next.update")).isEqualTo(21 * 3600);
        assertThat(gauge("eidpki.ocsp.response.validity")).isEqualTo(24 * 3600);

        // The old answer still counts one window later, and no more after the next.
        clock.advance(OcspMetrics.WINDOW);
        assertThat(gauge("eidpki.ocsp.served.oldest.age")).isEqualTo(3 * 3600 + 60);
        metrics.served(live, "memory", true, t);
        assertThat(gauge("eidpki.ocsp.served.oldest.age")).isEqualTo(3 * 3600 + 60);
        clock.advance(OcspMetrics.WINDOW);
        assertThat(gauge("eidpki.ocsp.served.oldest.age")).isEqualTo(120);
        clock.advance(OcspMetrics.WINDOW);
        assertThat(gauge("eidpki.ocsp.served.oldest.age")).isNaN();
    }

    @Test
    void aResponseIsLabelledRevokedIfAnyCertIdIsAndUnknownIfAnyIsUnknown() {
        CertificateStatus revoked = OcspResponder.revokedStatus(NOW, CRLReason.keyCompromise);
        // Bouncy Castle's GOOD is null.
        assertThat(LiveSigner.label(Arrays.asList(CertificateStatus.GOOD))).isEqualTo("good");
        assertThat(LiveSigner.label(Arrays.asList(CertificateStatus.GOOD, new UnknownStatus())))
                .isEqualTo("unknown");
        assertThat(LiveSigner.label(List.of(new UnknownStatus(), revoked))).isEqualTo("revoked");
    }
}
