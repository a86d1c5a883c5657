package tw.eid.pki.hsm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Acceptance: sessions do not leak. After 100,000 P-256 signatures from 8 threads, the number of
 * sessions opened minus closed is at or below the pool's maximum, and zero once the token is
 * closed.
 *
 * <p>SoftHSM2 reports no session count (ulSessionCount is CK_UNAVAILABLE_INFORMATION), so the
 * calls are counted: a child JVM opens the token through OpenSC's pkcs11-spy, which logs every
 * PKCS#11 call before passing it to SoftHSM2, and this test counts C_OpenSession and
 * C_CloseSession in that log. A child process, because the spy must be the library the layer
 * loads, and a JVM loads a PKCS#11 library once.
 */
class SessionLeakTest {
    static final Path SPY = Path.of("/usr/lib/x86_64-linux-gnu/pkcs11/pkcs11-spy.so");
    static final int SIGNATURES = 100_000;
    static final int THREADS = 8;
    /** Fewer sessions than threads, so that the pool's bound is what keeps the count down. */
    static final int MAX_SESSIONS = 4;

    @Test
    @Timeout(value = 115, unit = TimeUnit.SECONDS)
    void sessionsOpenedMinusClosedStayWithinThePoolAndReachZeroOnClose() throws Exception {
        assertThat(SPY)
                .as("OpenSC's pkcs11-spy (apt-get install opensc-pkcs11)")
                .isReadable();
        // Created before anything in this JVM loads SoftHSM2 (a SoftHSM2 instance does not see
        // tokens created after it started); the child starts after, so it sees the token.
        SoftHsmTestTokens.TestToken testToken = SoftHsmTestTokens.create("leak");
        Path dir = Path.of(System.getProperty("eidpki.test.workdir", "target/test-work"), "session-leak");
        Files.createDirectories(dir);
        Path spyLog = dir.resolve("pkcs11-spy-" + testToken.label() + ".log");
        Files.deleteIfExists(spyLog);

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(pkcs11Flags());
        command.add("-cp");
        command.add(testClasspath());
        command.add(SessionLeakProbe.class.getName());
        command.addAll(List.of(
                SPY.toString(),
                testToken.label(),
                String.valueOf(MAX_SESSIONS),
                String.valueOf(SIGNATURES),
                String.valueOf(THREADS),
                spyLog.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SOFTHSM2_CONF", SoftHsmTestTokens.conf().toString());
        pb.environment().put("PKCS11SPY", TokenConfig.SOFTHSM2_LIBRARY.toString());
        pb.environment().put("PKCS11SPY_OUTPUT", spyLog.toString());

        Process child = pb.start();
        try (OutputStream stdin = child.getOutputStream()) {
            stdin.write(new String(testToken.userPin()).getBytes(StandardCharsets.UTF_8));
            stdin.write('\n');
        }
        Map<String, String> report = new HashMap<>();
        StringBuilder output = new StringBuilder();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                output.append(line).append('\n');
                String[] kv = line.split(" ", 2);
                if (kv.length == 2
                        && Set.of("SIGNED", "VERIFIED", "MILLIS", "OPEN_SESSIONS", "MARK", "CLOSED")
                                .contains(kv[0])) {
                    report.put(kv[0], kv[1].trim());
                }
            }
        }
        if (!child.waitFor(10, TimeUnit.SECONDS)) {
            child.destroyForcibly();
        }
        assertThat(child.exitValue())
                .as("child exit status; its output:\n%s", tail(output, 4000))
                .isZero();
        assertThat(report)
                .as("child report; its output:\n%s", tail(output, 4000))
                .containsKeys("SIGNED", "VERIFIED", "MARK", "CLOSED");
        assertThat(Long.parseLong(report.get("SIGNED"))).isEqualTo(SIGNATURES);
        assertThat(Long.parseLong(report.get("VERIFIED"))).isPositive();

        long mark = Long.parseLong(report.get("MARK"));
        SessionLeakProbe.SpyCounts beforeClose = SessionLeakProbe.count(spyLog, mark);
        SessionLeakProbe.SpyCounts afterClose = SessionLeakProbe.count(spyLog, Long.MAX_VALUE);
        long logBytes = Files.size(spyLog);
        System.out.printf(
                "session leak: %d signatures from %d threads in %s ms through pkcs11-spy; "
                        + "before close: %d opened, %d closed, %d C_Sign; after close: %d opened, %d closed; "
                        + "non-OK returns %s; spy log %d MB%n",
                SIGNATURES,
                THREADS,
                report.get("MILLIS"),
                beforeClose.opened(),
                beforeClose.closed(),
                beforeClose.signs(),
                afterClose.opened(),
                afterClose.closed(),
                afterClose.failures(),
                logBytes >> 20);

        // The mark fell between calls: the spy flushes after each "Returned:" line.
        assertThat(beforeClose.bytes()).isEqualTo(mark);
        assertThat(beforeClose.signs())
                .as("C_Sign calls counted before the mark")
                .isGreaterThanOrEqualTo(SIGNATURES);
        assertThat(beforeClose.opened()).as("sessions opened before close").isPositive();
        assertThat(beforeClose.open())
                .as("sessions opened minus closed after %d signatures", SIGNATURES)
                .isBetween(1L, (long) MAX_SESSIONS);
        assertThat(afterClose.closeAll()).isZero();
        assertThat(afterClose.open())
                .as("sessions opened minus closed after Token.close()")
                .isZero();
        // No open or close failed (a failed C_OpenSession would count as opened above): the only
        // non-OK answer on the happy path is CKR_USER_ALREADY_LOGGED_IN to a second session's login.
        assertThat(afterClose.failures().keySet()).isSubsetOf(Set.of("CKR_USER_ALREADY_LOGGED_IN"));

        if (logBytes > 10L << 20) {
            Files.delete(spyLog);
        }
    }

    /** The flags that let the child use SunPKCS11's wrapper, as surefire's argLine gives this JVM. */
    private static List<String> pkcs11Flags() {
        List<String> flags = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-modules") || arg.startsWith("--add-exports") || arg.startsWith("--add-opens")) {
                flags.add(arg);
            }
        }
        if (flags.isEmpty()) {
            flags.addAll(List.of(
                    "--add-modules=jdk.crypto.cryptoki",
                    "--add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED",
                    "--add-exports=jdk.crypto.cryptoki/sun.security.pkcs11=ALL-UNNAMED"));
        }
        return flags;
    }

    /**
     * The test classpath. Surefire runs tests from a manifest-only booter jar but sets
     * java.class.path to the real test classpath (the booter jar is in surefire.real.class.path).
     */
    private static String testClasspath() throws IOException {
        String cp = System.getProperty("java.class.path");
        assertThat(cp).as("java.class.path should be the test classpath").contains("test-classes");
        return cp;
    }

    private static String tail(StringBuilder s, int n) {
        return s.length() <= n ? s.toString() : "…" + s.substring(s.length() - n);
    }
}
