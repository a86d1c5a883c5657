package tw.eid.pki.hsm;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.operator.ContentSigner;

/**
 * Time to recovery after a provoked token failure: the time from the failure to the next
 * successful signature through the layer, in milliseconds, median and max over N trials. Not a
 * test, and not JMH (each trial is one event, not a steady state): a main class, run by
 * {@code conformance-tests/bench/token-signing.sh}.
 *
 * <p>Failures, provoked underneath the layer on a real SoftHSM2 token through
 * {@link FaultInjectingCryptoki} (in this package because it and
 * {@link Token#open(TokenConfig, Cryptoki, char[], Clock)} are package-private):
 * <ul>
 *   <li>{@code sessions-closed}: every session the layer holds is closed behind its back (as an
 *       HSM restart or a network HSM dropping its connections would);</li>
 *   <li>{@code logged-out}: the application is logged out behind its back;</li>
 *   <li>{@code device-error}: the next call returns CKR_DEVICE_ERROR once.</li>
 * </ul>
 * Before each trial the pool is filled by signing from {@code maxSessions} threads at once, so
 * that the failure hits several open idle sessions (the output's open-sessions column is the
 * fewest the layer had open at a failure). The clock starts right after
 * the failure is provoked; the caller then signs as an application would, retrying on
 * TOKEN_UNAVAILABLE, until a signature verifies.
 *
 * <p>Arguments: {@code [trials] [algorithm-id]}, default 50 and ec-p256. Needs SOFTHSM2_CONF.
 */
public final class TokenRecoveryBenchmark {
    private static final byte[] DATA = "time to recovery".getBytes(StandardCharsets.UTF_8);

    private TokenRecoveryBenchmark() {}

    @FunctionalInterface
    interface Failure {
        void provoke(FaultInjectingCryptoki ck, Token token) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int trials = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        KeyAlgorithm algorithm = args.length > 1 ? KeyAlgorithm.fromId(args[1]) : KeyAlgorithm.EC_P256;

        SoftHsmTestTokens.TestToken testToken = SoftHsmTestTokens.create("recovery");
        FaultInjectingCryptoki ck = new FaultInjectingCryptoki(SunCryptoki.load(TokenConfig.SOFTHSM2_LIBRARY));
        TokenConfig config =
                testToken.config().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(30));
        int sessions = config.maxSessions();
        try (Token token = Token.open(config, ck, testToken.userPin(), Clock.systemUTC())) {
            KeyInfo key = token.generateKeyPair("recovery-key", algorithm);
            System.out.printf(
                    Locale.ROOT,
                    "time to recovery, %s key, pool of %d sessions, %d trials each (ms from the failure to the next verified signature)%n",
                    algorithm.id(),
                    sessions,
                    trials);
            System.out.printf(
                    Locale.ROOT,
                    "%-16s %8s %8s %8s %8s %13s %14s%n",
                    "failure",
                    "median",
                    "p90",
                    "max",
                    "min",
                    "failed-calls",
                    "open-sessions");

            measure(trials, token, ck, key, sessions, (c, t) -> {}); // warm-up, not reported
            // Baseline: a signature with nothing broken, same procedure.
            report("none (baseline)", measure(trials, token, ck, key, sessions, (c, t) -> {}));
            report(
                    "sessions-closed",
                    measure(trials, token, ck, key, sessions, (c, t) -> c.closeAllSessionsUnderneath()));
            report("logged-out", measure(trials, token, ck, key, sessions, (c, t) -> c.logoutUnderneath(t.slot())));
            report(
                    "device-error",
                    measure(trials, token, ck, key, sessions, (c, t) -> c.failNext(Pkcs11.CKR_DEVICE_ERROR, 1)));
        }
    }

    private record Result(double[] millis, int failedCalls, int minOpenAtFailure) {}

    private static Result measure(
            int trials, Token token, FaultInjectingCryptoki ck, KeyInfo key, int sessions, Failure failure)
            throws Exception {
        double[] millis = new double[trials];
        int failedCalls = 0;
        int minOpen = Integer.MAX_VALUE;
        ExecutorService fill = Executors.newFixedThreadPool(sessions);
        try {
            for (int i = 0; i < trials; i++) {
                fillPool(token, fill, sessions);
                minOpen = Math.min(minOpen, token.health().openSessions());
                failure.provoke(ck, token);
                long start = System.nanoTime();
                while (true) {
                    try {
                        ContentSigner signer = token.signer("recovery-key");
                        byte[] sig = TestSignatures.sign(signer, DATA);
                        long end = System.nanoTime();
                        if (!TestSignatures.verify(key.publicKey(), signer, DATA, sig)) {
                            throw new IllegalStateException("signature after recovery does not verify");
                        }
                        millis[i] = (end - start) / 1e6;
                        break;
                    } catch (TokenException e) {
                        failedCalls++;
                        Thread.sleep(10);
                    }
                }
                ck.heal();
                Thread.sleep(20); // let the machine settle between trials
            }
        } finally {
            fill.shutdownNow();
        }
        return new Result(millis, failedCalls, minOpen);
    }

    /**
     * Opens the sessions of the pool: rounds of {@code sessions} threads signing at once, until
     * the layer has {@code sessions} open or 20 rounds have passed (on a machine with fewer cores
     * than sessions, callers rarely overlap enough to need them all).
     */
    private static void fillPool(Token token, ExecutorService pool, int sessions) throws Exception {
        for (int round = 0; round < 20 && token.health().openSessions() < sessions; round++) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < sessions; t++) {
                all.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < 10; i++) {
                        TestSignatures.sign(token.signer("recovery-key"), DATA);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : all) {
                f.get();
            }
        }
    }

    private static void report(String name, Result r) {
        double[] sorted = r.millis().clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        double p90 = sorted[Math.min(n - 1, (int) Math.ceil(0.9 * n) - 1)];
        System.out.printf(
                Locale.ROOT,
                "%-16s %8.2f %8.2f %8.2f %8.2f %13d %14s%n",
                name,
                median,
                p90,
                sorted[n - 1],
                sorted[0],
                r.failedCalls(),
                ">= " + r.minOpenAtFailure());
    }
}
