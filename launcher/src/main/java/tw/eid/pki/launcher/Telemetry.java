package tw.eid.pki.launcher;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jetty.JettyConnectionMetrics;
import io.micrometer.core.instrument.binder.jetty.JettyServerThreadPoolMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.jetty12.server.TimedHandler;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.thread.ThreadPool;
import tw.eid.pki.ca.metrics.CaMetrics;

/**
 * The process's Prometheus registry (docs/metrics.md): added once to Micrometer's global registry,
 * where every module records its metrics, with the JVM's binders. Only serving processes (serve,
 * demo) create it; every other command leaves the global registry empty, so recording costs
 * next to nothing there.
 */
final class Telemetry {
    private static PrometheusMeterRegistry registry;

    private Telemetry() {}

    /**
     * False only with {@code -Deidpki.metrics=off}, for the benchmark's "metrics off" side
     * (BENCHMARKS.md): then nothing is recorded (the global registry has no registry under it),
     * the public servers are not instrumented and {@code /metrics} is empty.
     */
    static boolean enabled() {
        return !"off".equals(System.getProperty("eidpki.metrics"));
    }

    static synchronized PrometheusMeterRegistry registry() {
        if (registry == null) {
            PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            if (!enabled()) {
                registry = r;
                return r;
            }
            new JvmMemoryMetrics().bindTo(r);
            new JvmGcMetrics().bindTo(r);
            new JvmThreadMetrics().bindTo(r);
            new ClassLoaderMetrics().bindTo(r);
            new ProcessorMetrics().bindTo(r);
            new UptimeMetrics().bindTo(r);
            new FileDescriptorMetrics().bindTo(r);
            Metrics.addRegistry(r);
            CaMetrics.register();
            registry = r;
        }
        return registry;
    }

    /**
     * Jetty's metrics for one public server, tagged {@code server=NAME} (micrometer-jetty12's
     * request timer around its handler, the connections and the thread pool). Call before the
     * server starts. Request ids ({@link RequestIds}) are added whether metrics are on or not.
     */
    static void instrument(Server server, String name) {
        RequestIds.install(server, name);
        if (!enabled()) {
            return;
        }
        Tags tags = Tags.of("server", name);
        TimedHandler timed = new TimedHandler(Metrics.globalRegistry, tags);
        timed.setHandler(server.getHandler());
        server.setHandler(timed);
        JettyConnectionMetrics.addToAllConnectors(server, Metrics.globalRegistry, tags);
        ThreadPool pool = server.getThreadPool();
        new JettyServerThreadPoolMetrics(pool, tags).bindTo(Metrics.globalRegistry);
    }
}
