package tw.eid.pki.hsm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.operator.ContentSigner;

/**
 * The child JVM of {@link SessionLeakTest}: opens an existing token through OpenSC's pkcs11-spy
 * (so that every PKCS#11 call lands in the spy's log), generates a P-256 key, signs from several
 * threads, verifies a sample of the signatures, and closes the token.
 *
 * <p>Arguments: {@code library tokenLabel maxSessions signatures threads spyLog}. The user PIN
 * comes on stdin (one line), never on the command line. Reports on stdout, one {@code KEY value}
 * per line: {@code SIGNED}, {@code VERIFIED}, {@code MILLIS}, {@code OPEN_SESSIONS} (the layer's
 * own count), {@code MARK} (the size of the spy log after the last signature, before
 * {@link Token#close()}: every call before it is in the log, because the spy flushes after each
 * call), then {@code CLOSED} after close.
 */
public final class SessionLeakProbe {
    /** Every {@code VERIFY_EVERY}-th signature of each thread is verified in software. */
    static final int VERIFY_EVERY = 500;

    private SessionLeakProbe() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println(
                    "usage: SessionLeakProbe library tokenLabel maxSessions signatures threads spyLog  (PIN on stdin)");
            System.exit(2);
        }
        Path library = Path.of(args[0]);
        String tokenLabel = args[1];
        int maxSessions = Integer.parseInt(args[2]);
        int signatures = Integer.parseInt(args[3]);
        int threads = Integer.parseInt(args[4]);
        Path spyLog = Path.of(args[5]);

        char[] pin;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line = in.readLine();
            if (line == null || line.isEmpty()) {
                throw new IllegalStateException("no PIN on stdin");
            }
            pin = line.toCharArray();
        }
        TokenConfig config = new TokenConfig(
                library,
                tokenLabel,
                maxSessions,
                Duration.ofSeconds(30),
                Duration.ofSeconds(1),
                Duration.ofSeconds(30));
        Token token = Token.open(config, pin, Clock.systemUTC());
        Arrays.fill(pin, '\0');
        KeyInfo key = token.generateKeyPair("leak-p256", KeyAlgorithm.EC_P256);

        AtomicLong signed = new AtomicLong();
        AtomicLong verified = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            int share = signatures / threads + (t < signatures % threads ? 1 : 0);
            futures.add(pool.submit(() -> {
                for (int i = 0; i < share; i++) {
                    byte[] data = ("session leak probe, thread " + thread + ", signature " + i)
                            .getBytes(StandardCharsets.UTF_8);
                    ContentSigner signer = token.signer("leak-p256");
                    byte[] signature = TestSignatures.sign(signer, data);
                    signed.incrementAndGet();
                    if (i % VERIFY_EVERY == 0) {
                        if (!TestSignatures.verify(key.publicKey(), signer, data, signature)) {
                            throw new IllegalStateException(
                                    "signature " + i + " of thread " + thread + " does not verify");
                        }
                        verified.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("SIGNED " + signed.get());
        System.out.println("VERIFIED " + verified.get());
        System.out.println("MILLIS " + millis);
        System.out.println("OPEN_SESSIONS " + token.health().openSessions());
        // No PKCS#11 call is in flight here: every signing thread has finished.
        System.out.println("MARK " + Files.size(spyLog));
        System.out.flush();
        token.close();
        System.out.println("CLOSED " + Files.size(spyLog));
        System.out.flush();
    }

    /**
     * Counts of calls in a pkcs11-spy log: C_OpenSession, C_CloseSession, C_CloseAllSessions and
     * C_Sign headers, and every "Returned:" other than CKR_OK by name (the happy path has only
     * CKR_USER_ALREADY_LOGGED_IN, the answer to logging in a second session).
     */
    record SpyCounts(long opened, long closed, long closeAll, long signs, Map<String, Long> failures, long bytes) {
        long open() {
            return opened - closed;
        }
    }

    // "\n<n>: C_Function\n" is one fprintf in pkcs11-spy, so a call's header line stays whole even
    // when threads interleave; the lines after it (arguments, "Returned:") may belong to another
    // thread's call, so returns are counted by code only, not attributed to a function.
    private static final Pattern HEADER = Pattern.compile("^\\d+: (C_\\w+)$");
    private static final Pattern RETURNED = Pattern.compile("^Returned:\\s+(\\d+) (\\w+)");

    /**
     * Counts calls in the first {@code limit} bytes of a pkcs11-spy log (all of it for
     * {@code Long.MAX_VALUE}).
     */
    static SpyCounts count(Path log, long limit) throws IOException {
        long opened = 0;
        long closed = 0;
        long closeAll = 0;
        long signs = 0;
        Map<String, Long> failures = new TreeMap<>();
        long position = 0;
        try (BufferedReader r = Files.newBufferedReader(log, StandardCharsets.ISO_8859_1)) {
            for (String line = r.readLine(); line != null && position < limit; line = r.readLine()) {
                position += line.length() + 1; // ISO-8859-1: one char per byte; the spy writes "\n"
                if (line.startsWith("Returned:")) {
                    Matcher m = RETURNED.matcher(line);
                    if (m.find() && !m.group(1).equals("0")) {
                        failures.merge(m.group(2), 1L, Long::sum);
                    }
                    continue;
                }
                Matcher h = HEADER.matcher(line);
                if (h.matches()) {
                    switch (h.group(1)) {
                        case "C_OpenSession" -> opened++;
                        case "C_CloseSession" -> closed++;
                        case "C_CloseAllSessions" -> closeAll++;
                        case "C_Sign" -> signs++;
                        default -> {}
                    }
                }
            }
        }
        return new SpyCounts(opened, closed, closeAll, signs, failures, Math.min(position, limit));
    }
}
