package tw.eid.pki.conformance;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The time of this conformance run: the real time, or, when the run is pinned with {@code
 * -Dconformance.clock=2028-02-29T00:00:00Z} on the Maven command line, a clock that read that
 * instant when this class loaded and runs on from there.
 *
 * <p>A pinned run moves everything that judges or makes time-bound artefacts onto one timeline:
 * <ul>
 *   <li>the launcher's child JVMs, through its test-only clock properties ({@link #launcherProperties()});
 *   <li>the independent tools (openssl, GnuTLS, curl, pkcs11-tool), through libfaketime with
 *       the same offset ({@link #command(List)});
 *   <li>checks made in this JVM (Java PKIX, fixtures that issue in-process), through {@link #clock()}.
 * </ul>
 * This class is where the conformance suite reads the system clock, on purpose: it is the one
 * place the pin applies.
 */
final class TestTime {
    static final String PROPERTY = "conformance.clock";

    /** The pinned instant, or null when the run uses real time. */
    static final Instant PINNED = parse(System.getProperty(PROPERTY));
    /** The real time at which the pinned clock read {@link #PINNED}. */
    private static final Instant ANCHOR = Clock.systemUTC().instant();
    /** Pinned minus real time; zero when not pinned. */
    static final Duration OFFSET = PINNED == null ? Duration.ZERO : Duration.between(ANCHOR, PINNED);

    private TestTime() {}

    static boolean pinned() {
        return PINNED != null;
    }

    /** This run's clock. */
    static Clock clock() {
        return Clock.offset(Clock.systemUTC(), OFFSET);
    }

    static Instant now() {
        return clock().instant();
    }

    /** JVM options that put a launcher child on this run's clock (none when not pinned). */
    static List<String> launcherProperties() {
        if (!pinned()) {
            return List.of();
        }
        return List.of(
                "-Deidpki.test=true",
                "-Deidpki.test.clock=" + PINNED,
                "-Deidpki.test.clock.anchor=" + ANCHOR.toEpochMilli());
    }

    /** {@code command} as run under this run's clock: through faketime when pinned. */
    static List<String> command(List<String> command) {
        if (!pinned() || command.isEmpty() || command.get(0).endsWith("/java")) {
            return command;
        }
        List<String> faked = new ArrayList<>();
        faked.add("faketime");
        faked.add("-f");
        // libfaketime's relative form: the offset in whole seconds, rounded up so that a tool
        // never runs behind the launcher children (a certificate made a moment ago is never "not
        // yet valid" to it), then the clock runs on.
        long seconds = OFFSET.getSeconds() + (OFFSET.getNano() > 0 ? 1 : 0);
        faked.add((seconds < 0 ? "" : "+") + seconds + "s");
        faked.addAll(command);
        return faked;
    }

    /**
     * {@code stderr} of a launcher child without the line in which a pinned clock announces
     * itself, so that the suite's "exactly one line on stderr" checks judge the command's own
     * output in a pinned run too.
     */
    static String withoutAnnouncement(String stderr) {
        if (!pinned()) {
            return stderr;
        }
        return stderr.replaceAll("(?m)^eidpki: TEST CLOCK: [^\\n]*\\n", "");
    }

    private static Instant parse(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(PROPERTY + " must be an instant such as 2028-02-29T00:00:00Z: " + value);
        }
    }
}
