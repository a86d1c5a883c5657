package tw.eid.pki.ca.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import tw.eid.pki.ca.profile.RevocationReason;

/** What a bulk act refuses when it is built, and how it is stored. */
class BulkStatusChangeTest {

    private static ApprovalException refusal(Runnable build) {
        try {
            build.run();
        } catch (ApprovalException e) {
            return e;
        }
        throw new AssertionError("not refused");
    }

    @Test
    void duplicatesAreRefusedNamingTheSerial() {
        ApprovalException e = refusal(() -> BulkStatusChange.suspend("citizen-ca", List.of("a1", "b2", "c3", "b2")));
        assertThat(e.code()).isEqualTo(ApprovalException.Code.DUPLICATE_SERIAL);
        assertThat(e.code().id()).isEqualTo("approval.duplicate-serial");
        assertThat(e.serial()).isEqualTo("b2");
    }

    @Test
    void sizeIsOneToTenThousand() {
        assertThat(refusal(() -> BulkStatusChange.suspend("citizen-ca", List.of()))
                        .code())
                .isEqualTo(ApprovalException.Code.SIZE_OUT_OF_RANGE);
        assertThat(refusal(() -> BulkStatusChange.suspend("citizen-ca", null)).code())
                .isEqualTo(ApprovalException.Code.SIZE_OUT_OF_RANGE);
        List<String> max = IntStream.rangeClosed(1, BulkStatusChange.MAX_SERIALS)
                .mapToObj(Integer::toHexString)
                .toList();
        assertThat(BulkStatusChange.suspend("citizen-ca", max).size()).isEqualTo(10_000);
        List<String> tooMany = new ArrayList<>(max);
        tooMany.add("ffffff");
        ApprovalException e = refusal(() -> BulkStatusChange.suspend("citizen-ca", tooMany));
        assertThat(e.code()).isEqualTo(ApprovalException.Code.SIZE_OUT_OF_RANGE);
    }

    @Test
    void serialsAreLowerCaseHexWithoutLeadingZeros() {
        for (String bad : new String[] {"0a", "0", "AB", "ab g", "", "x1", "1".repeat(41), " a1"}) {
            ApprovalException e = refusal(() -> BulkStatusChange.suspend("citizen-ca", List.of("a1", bad)));
            assertThat(e.code()).as(bad).isEqualTo(ApprovalException.Code.MALFORMED);
        }
        List<String> withNull = new ArrayList<>();
        withNull.add(null);
        assertThat(refusal(() -> BulkStatusChange.suspend("citizen-ca", withNull))
                        .code())
                .isEqualTo(ApprovalException.Code.MALFORMED);
        assertThat(BulkStatusChange.suspend("citizen-ca", List.of("1", "f".repeat(40)))
                        .size())
                .isEqualTo(2);
    }

    @Test
    void revokeNeedsAReasonOtherThanHoldAndSuspendTakesNone() {
        assertThat(refusal(() -> BulkStatusChange.revoke("citizen-ca", null, List.of("a1")))
                        .code())
                .isEqualTo(ApprovalException.Code.MALFORMED);
        assertThat(refusal(() ->
                                BulkStatusChange.revoke("citizen-ca", RevocationReason.CERTIFICATE_HOLD, List.of("a1")))
                        .code())
                .isEqualTo(ApprovalException.Code.MALFORMED);
        assertThat(refusal(() -> new BulkStatusChange(
                                "citizen-ca",
                                BulkStatusChange.Action.SUSPEND,
                                RevocationReason.KEY_COMPROMISE,
                                List.of("a1")))
                        .code())
                .isEqualTo(ApprovalException.Code.MALFORMED);
        assertThat(refusal(() -> new BulkStatusChange("citizen-ca", null, null, List.of("a1")))
                        .code())
                .isEqualTo(ApprovalException.Code.MALFORMED);
        for (String ca : new String[] {null, "", "Citizen", "-ca", "a".repeat(65), "ca/1"}) {
            assertThat(refusal(() -> BulkStatusChange.suspend(ca, List.of("a1")))
                            .code())
                    .as(String.valueOf(ca))
                    .isEqualTo(ApprovalException.Code.MALFORMED);
        }
    }

    @Test
    void theListIsCopiedAndKeepsTheRequestersOrder() {
        List<String> serials = new ArrayList<>(List.of("c3", "a1", "b2"));
        BulkStatusChange act = BulkStatusChange.suspend("citizen-ca", serials);
        serials.add("d4");
        assertThat(act.serials()).containsExactly("c3", "a1", "b2");
        assertThatThrownBy(() -> act.serials().add("e5")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void payloadRoundTripsWithItsKind() {
        BulkStatusChange revoke =
                BulkStatusChange.revoke("citizen-ca", RevocationReason.AFFILIATION_CHANGED, List.of("c3", "a1"));
        String json = ApprovalJson.payload(revoke);
        assertThat(json)
                .isEqualTo("{\"kind\":\"bulk-status-change\",\"ca\":\"citizen-ca\",\"action\":\"REVOKE\","
                        + "\"reason\":\"AFFILIATION_CHANGED\",\"serials\":[\"c3\",\"a1\"]}");
        assertThat(ApprovalJson.act("bulk-status-change", json)).isEqualTo(revoke);

        BulkStatusChange suspend = BulkStatusChange.suspend("citizen-ca", List.of("1"));
        assertThat(ApprovalJson.payload(suspend)).doesNotContain("reason");
        assertThat(ApprovalJson.act("bulk-status-change", ApprovalJson.payload(suspend)))
                .isEqualTo(suspend);

        assertThatThrownBy(() -> ApprovalJson.act("operator-issue", json)).isInstanceOf(IllegalStateException.class);
        // A stored payload that would not pass the constructor is corruption, not an act.
        assertThatThrownBy(() ->
                        ApprovalJson.act("bulk-status-change", json.replace("[\"c3\",\"a1\"]", "[\"c3\",\"c3\"]")))
                .isInstanceOf(IllegalStateException.class);

        assertThat(ApprovalJson.outcome(ApprovalJson.outcome(ApprovalOutcome.carriedOut(3))))
                .isEqualTo(ApprovalOutcome.carriedOut(3));
        assertThat(ApprovalJson.outcome(ApprovalOutcome.failed("certificate.already-revoked", "a1")))
                .isEqualTo("{\"changed\":0,\"errorCode\":\"certificate.already-revoked\",\"target\":\"a1\"}");
    }

    @Test
    void codesAreStable() {
        // Their HTTP statuses are the RA edge's (ra-api HttpStatusesTest).
        assertThat(ApprovalException.Code.values())
                .extracting(ApprovalException.Code::id)
                .containsExactly(
                        "approval.malformed",
                        "approval.size-out-of-range",
                        "approval.duplicate-serial",
                        "approval.self-approval",
                        "approval.not-found",
                        "approval.already-decided",
                        "approval.transition-refused");
    }
}
