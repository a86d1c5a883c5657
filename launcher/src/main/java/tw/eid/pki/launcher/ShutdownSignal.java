package tw.eid.pki.launcher;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.hsm.Token;

/**
 * Ctrl-C or SIGTERM, seen by a shutdown hook. The hook lets the JVM end only once this signal is
 * closed (at most 30 s): open it before the store and the token, so that try-with-resources
 * closes it last and the servers, the token and the embedded database are shut down in order.
 */
final class ShutdownSignal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShutdownSignal.class);

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread hook;

    ShutdownSignal() {
        hook = new Thread(
                () -> {
                    stop.countDown();
                    try {
                        closed.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "eidpki-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    boolean await(long time, TimeUnit unit) throws InterruptedException {
        return stop.await(time, unit);
    }

    /**
     * Waits until this signal fires (Ctrl-C, SIGTERM): 0; or until {@code token} stays down past
     * its restart threshold: {@link ServeCommand#EXIT_RESTART}, and {@code bin/eidpki} restarts
     * the process (SunPKCS11 cannot reload a library inside a running JVM, boulder#3468).
     */
    int serveUntilStopped(Token token) throws InterruptedException {
        while (!await(1, TimeUnit.SECONDS)) {
            if (token.health().restartRequired()) {
                log.error(
                        "token '{}' down since {} ({}): restarting the process",
                        token.label(),
                        token.health().since(),
                        token.health().lastError());
                return ServeCommand.EXIT_RESTART;
            }
        }
        return 0;
    }

    @Override
    public void close() {
        closed.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook has seen 'closed' and ends
        }
    }
}
