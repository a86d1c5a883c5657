package tw.eid.pki.launcher;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The clock of every launcher command: the system's UTC clock, except in a test run that pins
 * it.
 *
 * <p>A test (the conformance suite's pinned-date runs, or a person trying the demo on a future
 * date) sets two JVM system properties, for example through {@code EIDPKI_JAVA_OPTS}:
 * <ul>
 *   <li>{@value #TEST_FLAG}{@code =true}: the test flag; without it the clock property is
 *       ignored with a warning, so a stray property alone never moves a real CA's time;
 *   <li>{@value #CLOCK_PROPERTY}{@code =2028-02-29T00:00:00Z}: the instant the clock reads at
 *       the anchor, after which it runs at the system clock's pace (a ceremony, a service and
 *       the CRL scheduler need time to pass);
 *   <li>{@value #ANCHOR_PROPERTY}{@code =<epoch milliseconds>} (optional): the real time at which
 *       the clock read the pinned instant. Several processes of one test run share it, so that
 *       their times agree; without it the anchor is this JVM's start.
 * </ul>
 * A pinned clock is announced on stderr at every start. No production command line, script or
 * configuration file sets either property; {@code bin/eidpki} passes nothing of its own.
 */
final class CommandClock {

    static final String TEST_FLAG = "eidpki.test";
    static final String CLOCK_PROPERTY = "eidpki.test.clock";
    static final String ANCHOR_PROPERTY = "eidpki.test.clock.anchor";

    private static Clock clock;
    private static boolean pinned;
    private static Duration offset = Duration.ZERO;

    private CommandClock() {}

    /** The clock for this process (chosen once, at the first call). */
    static synchronized Clock system() {
        if (clock == null) {
            Clock base = Clock.systemUTC();
            clock = choose(
                    System.getProperty(TEST_FLAG),
                    System.getProperty(CLOCK_PROPERTY),
                    System.getProperty(ANCHOR_PROPERTY),
                    base,
                    jvmStart(),
                    System.err);
            pinned = clock != base;
            offset = pinned ? Duration.between(base.instant(), clock.instant()) : Duration.ZERO;
        }
        return clock;
    }

    /** Whether this process runs on a pinned test clock. */
    static synchronized boolean pinned() {
        system();
        return pinned;
    }

    /**
     * What puts an outside tool (openssl, curl) on this process's clock: {@code faketime -f
     * +SECONDSs} when the clock is pinned, nothing otherwise.
     */
    static synchronized List<String> toolPrefix() {
        if (!pinned()) {
            return List.of();
        }
        return List.of("faketime", "-f", wholeSecondsAhead(offset));
    }

    /**
     * The clock {@code base}, or {@code base} moved so that it read {@code pinned} at {@code anchor}
     * (epoch milliseconds; {@code defaultAnchor} when null), when {@code flag} is {@code true}.
     *
     * @throws IllegalArgumentException for a pinned instant or anchor that does not parse
     */
    static Clock choose(String flag, String pinned, String anchor, Clock base, Instant defaultAnchor, PrintStream err) {
        if (pinned == null) {
            return base;
        }
        if (!"true".equals(flag)) {
            err.println("eidpki: warning: " + CLOCK_PROPERTY + " is ignored without -D" + TEST_FLAG
                    + "=true; using the system clock");
            return base;
        }
        Instant at;
        try {
            at = Instant.parse(pinned);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    CLOCK_PROPERTY + " must be an instant such as 2028-02-29T00:00:00Z: '" + pinned + "'");
        }
        Instant from = defaultAnchor;
        if (anchor != null) {
            try {
                from = Instant.ofEpochMilli(Long.parseLong(anchor));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(ANCHOR_PROPERTY + " must be epoch milliseconds: '" + anchor + "'");
            }
        }
        Clock moved = Clock.offset(base, Duration.between(from, at));
        err.println("eidpki: TEST CLOCK: time reads " + at + " at " + from + " (now " + moved.instant()
                + "); never use this outside a test");
        return moved;
    }

    /**
     * libfaketime's relative offset in whole seconds, rounded up: a tool never runs behind this
     * process's clock (a certificate made a moment ago is never "not yet valid" to it); it may run
     * up to a second ahead, well inside every validity window the tools check.
     */
    static String wholeSecondsAhead(Duration offset) {
        long seconds = offset.getSeconds() + (offset.getNano() > 0 ? 1 : 0);
        return (seconds < 0 ? "" : "+") + seconds + "s";
    }

    private static Instant jvmStart() {
        return Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
    }
}
