package tw.eid.pki.ca.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AuditEventTest {

    @Test
    void acceptsACompleteEvent() {
        AuditEvent event = AuditEvent.of("officer:A123", "certificate.revoke", "citizen-ca/3f9a", AuditResult.REFUSED)
                .withAddresses("[2001:db8::1]:51234", "10.0.0.1:8443")
                .withErrorCode("ra.separation-of-duties")
                .withDetails("{\"second_officer\":null}");
        assertThat(event.errorCode()).isEqualTo("ra.separation-of-duties");
    }

    @Test
    void refusesAnActorThatIsNotAnId() {
        assertThatThrownBy(() -> AuditEvent.of(" ", "x", null, AuditResult.SUCCESS))
                .isInstanceOf(IllegalArgumentException.class);
        // A person's name is exactly what must not go in; spaces and CJK are not id characters.
        assertThatThrownBy(() -> AuditEvent.of("王小明", "x", null, AuditResult.SUCCESS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuditEvent.of("Wang Hsiao-ming", "x", null, AuditResult.SUCCESS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuditEvent.of("a".repeat(129), "x", null, AuditResult.SUCCESS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(AuditEvent.of("a".repeat(128), "x", null, AuditResult.SUCCESS)
                        .actor())
                .hasSize(128);
    }

    @Test
    void refusesBlankActionsAndOverlongFields() {
        assertThatThrownBy(() -> AuditEvent.of("a", "", null, AuditResult.SUCCESS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuditEvent.of("a", "x", "t".repeat(256), AuditResult.SUCCESS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () -> AuditEvent.of("a", "x", null, AuditResult.SUCCESS).withAddresses("1".repeat(65), null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuditEvent.of("a", "x", null, AuditResult.SUCCESS)
                        .withDetails("{\"k\":\"" + "v".repeat(16_400) + "\"}"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesTextWithoutAnExactUtf8Form() {
        assertThatThrownBy(() -> AuditEvent.of("a", "x", "bad\uD800", AuditResult.SUCCESS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuditEvent.of("a", "x", "line\nbreak", AuditResult.SUCCESS))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void detailsMustBeOneJsonObject() {
        AuditEvent base = AuditEvent.of("a", "x", null, AuditResult.SUCCESS);
        assertThatThrownBy(() -> base.withDetails("not json")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> base.withDetails("[1,2]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> base.withDetails("{} {}")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSuccessCarriesNoErrorCode() {
        assertThatThrownBy(
                        () -> AuditEvent.of("a", "x", null, AuditResult.SUCCESS).withErrorCode("oops"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
