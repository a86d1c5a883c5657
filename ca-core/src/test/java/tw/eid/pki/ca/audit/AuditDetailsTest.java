package tw.eid.pki.ca.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Audit details written by Jackson: compact, in order, and no value can forge a field. */
class AuditDetailsTest {

    @Test
    void compactFieldsInTheOrderTheyWerePut() {
        assertThat(AuditDetails.of()
                        .put("from", "GOOD")
                        .put("to", "REVOKED")
                        .put("reason", 1)
                        .json())
                .isEqualTo("{\"from\":\"GOOD\",\"to\":\"REVOKED\",\"reason\":1}");
        assertThat(AuditDetails.of()
                        .put("previous", (String) null)
                        .put("alreadyAbsent", true)
                        .putStrings("revoked", List.of("citizen-ca/ab", "citizen-ca/cd"))
                        .putNumbers("dataGroups", List.of(1, 2))
                        .put("crlNumber", new BigInteger("123456789012345678901234567890"))
                        .json())
                .isEqualTo(
                        "{\"previous\":null,\"alreadyAbsent\":true,\"revoked\":[\"citizen-ca/ab\",\"citizen-ca/cd\"],"
                                + "\"dataGroups\":[1,2],\"crlNumber\":123456789012345678901234567890}");
    }

    @Test
    void aValueWithQuotesStaysOneString() throws Exception {
        // String concatenation would have let this value close the string and add a field.
        String hostile = "x\",\"result\":\"SUCCESS";
        JsonNode parsed = new ObjectMapper()
                .readTree(AuditDetails.of().put("reason", hostile).json());
        assertThat(parsed.size()).isEqualTo(1);
        assertThat(parsed.get("reason").asText()).isEqualTo(hostile);
        assertThat(AuditEvent.of("cli:alice", "ds.retire", "ds-001", AuditResult.SUCCESS)
                        .withDetails(AuditDetails.of().put("reason", hostile))
                        .details())
                .isEqualTo("{\"reason\":\"x\\\",\\\"result\\\":\\\"SUCCESS\"}");
    }
}
