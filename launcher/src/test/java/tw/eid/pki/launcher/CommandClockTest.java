package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The launcher's clock: the base clock unless a test pins it with both properties. */
class CommandClockTest {
    private static final Instant REAL = Instant.parse("2026-12-07T10:00:00Z");
    private static final Clock BASE = Clock.fixed(REAL, ZoneOffset.UTC);
    private static final Instant JVM_START = REAL.minus(Duration.ofSeconds(30));

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private Clock choose(String flag, String pinned, String anchor) {
        return CommandClock.choose(
                flag, pinned, anchor, BASE, JVM_START, new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withoutAPinnedInstantTheBaseClockIsUsedSilently() {
        assertThat(choose(null, null, null)).isSameAs(BASE);
        assertThat(choose("true", null, null)).isSameAs(BASE);
        assertThat(err()).isEmpty();
    }

    @Test
    void aPinnedInstantWithoutTheTestFlagIsIgnoredWithAWarning() {
        assertThat(choose(null, "2031-12-07T00:00:00Z", null).instant()).isEqualTo(REAL);
        assertThat(choose("yes", "2031-12-07T00:00:00Z", null).instant()).isEqualTo(REAL);
        assertThat(err()).contains("ignored without -Deidpki.test=true");
    }

    @Test
    void pinnedAtTheJvmStartByDefaultThenRunning() {
        Clock c = choose("true", "2028-02-29T00:00:00Z", null);
        // The JVM started 30 s before the base clock's reading: 30 s have passed since the pin.
        assertThat(c.instant()).isEqualTo(Instant.parse("2028-02-29T00:00:30Z"));
        assertThat(err()).contains("TEST CLOCK").contains("2028-02-29T00:00:00Z");
    }

    @Test
    void anAnchorSharesOneTimelineBetweenProcesses() {
        long anchor = REAL.minus(Duration.ofMinutes(5)).toEpochMilli();
        Clock c = choose("true", "2031-12-07T00:00:00Z", Long.toString(anchor));
        assertThat(c.instant()).isEqualTo(Instant.parse("2031-12-07T00:05:00Z"));
    }

    @Test
    void malformedValuesAreRefusedInOneLine() {
        assertThatThrownBy(() -> choose("true", "2031-12-07", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("eidpki.test.clock must be an instant");
        assertThatThrownBy(() -> choose("true", "2031-12-07T00:00:00Z", "soon"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("epoch milliseconds");
    }

    @Test
    void toolsGetTheOffsetRoundedUpToWholeSeconds() {
        assertThat(CommandClock.wholeSecondsAhead(Duration.ofMillis(157_716_928_300L)))
                .isEqualTo("+157716929s");
        assertThat(CommandClock.wholeSecondsAhead(Duration.ofSeconds(60))).isEqualTo("+60s");
        assertThat(CommandClock.wholeSecondsAhead(Duration.ofMillis(-1_500))).isEqualTo("-1s");
        assertThat(CommandClock.wholeSecondsAhead(Duration.ZERO)).isEqualTo("+0s");
    }
}
