package tw.eid.pki.ra;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.glassfish.jersey.server.ContainerResponse;
import org.glassfish.jersey.server.ExtendedUriInfo;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.glassfish.jersey.server.monitoring.ApplicationEvent;
import org.glassfish.jersey.server.monitoring.ApplicationEventListener;
import org.glassfish.jersey.server.monitoring.RequestEvent;
import org.glassfish.jersey.server.monitoring.RequestEventListener;
import org.glassfish.jersey.uri.UriTemplate;

/**
 * The RA API's request metrics (docs/metrics.md): {@code eidpki_ra_requests_total} by method,
 * route (the resource's path template, never the request's own path: low cardinality) and status
 * class, and their latency. Every route of the resource model starts at 0 for 2xx, 4xx and 5xx.
 * Requests that match no route (or are refused before matching) count under route "unmatched".
 */
final class RequestMetrics implements ApplicationEventListener {
    static final List<String> STATUS_CLASSES = List.of("2xx", "4xx", "5xx");

    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    @Override
    public void onEvent(ApplicationEvent event) {
        if (event.getType() == ApplicationEvent.Type.INITIALIZATION_FINISHED) {
            for (Resource r : event.getResourceModel().getResources()) {
                initialise("", r);
            }
        }
    }

    private void initialise(String prefix, Resource resource) {
        String path = normalise(prefix + "/" + (resource.getPath() == null ? "" : resource.getPath()));
        for (ResourceMethod m : resource.getResourceMethods()) {
            for (String status : STATUS_CLASSES) {
                counter(m.getHttpMethod(), path, status);
            }
            timer(m.getHttpMethod(), path);
        }
        for (Resource child : resource.getChildResources()) {
            initialise(path, child);
        }
    }

    @Override
    public RequestEventListener onRequest(RequestEvent start) {
        long started = System.nanoTime();
        return event -> {
            if (event.getType() != RequestEvent.Type.FINISHED) {
                return;
            }
            String method = event.getContainerRequest().getMethod();
            String route = route(event.getUriInfo());
            ContainerResponse response = event.getContainerResponse();
            int status = response == null ? 500 : response.getStatus();
            counter(method, route, (status / 100) + "xx").increment();
            timer(method, route).record(Duration.ofNanos(System.nanoTime() - started));
        };
    }

    private static String route(ExtendedUriInfo info) {
        if (info == null || info.getMatchedTemplates().isEmpty()) {
            return "unmatched";
        }
        List<UriTemplate> templates = info.getMatchedTemplates();
        StringBuilder b = new StringBuilder();
        for (int i = templates.size() - 1; i >= 0; i--) {
            b.append('/').append(templates.get(i).getTemplate());
        }
        return normalise(b.toString());
    }

    private static String normalise(String path) {
        String p = ("/" + path).replaceAll("/+", "/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private Counter counter(String method, String route, String status) {
        return counters.computeIfAbsent(
                method + " " + route + " " + status,
                k -> Counter.builder("eidpki.ra.requests")
                        .description("RA API requests by method, route template and status class")
                        .tag("method", method)
                        .tag("route", route)
                        .tag("status", status)
                        .register(Metrics.globalRegistry));
    }

    private Timer timer(String method, String route) {
        return timers.computeIfAbsent(
                method + " " + route,
                k -> Timer.builder("eidpki.ra.request.duration")
                        .description("RA API request latency by method and route template")
                        .tag("method", method)
                        .tag("route", route)
                        .serviceLevelObjectives(
                                Duration.ofMillis(5),
                                Duration.ofMillis(25),
                                Duration.ofMillis(100),
                                Duration.ofMillis(250),
                                Duration.ofSeconds(1),
                                Duration.ofSeconds(5))
                        .register(Metrics.globalRegistry));
    }
}
