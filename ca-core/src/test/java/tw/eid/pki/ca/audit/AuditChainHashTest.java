package tw.eid.pki.ca.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Known answers computed outside Java (Python hashlib and struct, following the specification in
 * AuditChainHash's comment), so the code and the documented encoding cannot drift apart.
 */
class AuditChainHashTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final Instant TIME = Instant.parse("2026-03-04T05:06:07.123456Z");

    @Test
    void eventHashMatchesTheSpecification() {
        byte[] prev = new byte[32];
        for (int i = 0; i < 32; i++) {
            prev[i] = (byte) i;
        }
        AuditEvent event = new AuditEvent(
                "officer:A123",
                "certificate.revoke",
                "citizen-ca/3f9a",
                AuditResult.SUCCESS,
                "10.0.0.5:41234",
                null,
                null,
                "{\"reason\":\"keyCompromise\",\"名\":\"x\"}");
        assertThat(AuditChainHash.micros(TIME)).isEqualTo(1772600767123456L);
        assertThat(HEX.formatHex(AuditChainHash.eventHash(prev, 7, TIME, event)))
                .isEqualTo("af0e1b7d6a19e1d30244c539e13839915d59a3f16b47f19bfd6313a0c80ad604");
    }

    @Test
    void checkpointPayloadMatchesTheSpecification() {
        byte[] head = new byte[32];
        java.util.Arrays.fill(head, (byte) 0xab);
        byte[] ecdsaWithSha256 = HEX.parseHex("300a06082a8648ce3d040302");
        assertThat(HEX.formatHex(AuditChainHash.checkpointPayload(7, head, TIME, ecdsaWithSha256)))
                .isEqualTo("0000001e74772e6569642e706b692e61756469742e636865636b706f696e742e7631"
                        + "0000000000000007"
                        + "abababababababababababababababababababababababababababababababab"
                        + "00064c2bc70d9000"
                        + "0000000c300a06082a8648ce3d040302");
    }

    @Test
    void absentAndEmptyFieldsHashDifferently() {
        byte[] prev = AuditChainHash.genesis();
        byte[] absent = AuditChainHash.eventHash(prev, 1, TIME, "a", "b", null, "SUCCESS", null, null, null, null);
        byte[] empty = AuditChainHash.eventHash(prev, 1, TIME, "a", "b", "", "SUCCESS", null, null, null, null);
        byte[] shifted = AuditChainHash.eventHash(prev, 1, TIME, "a", "b", null, "SUCCESS", "", null, null, null);
        assertThat(absent).isNotEqualTo(empty);
        assertThat(empty).isNotEqualTo(shifted);
    }
}
