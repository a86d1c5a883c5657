package tw.eid.pki.ca.approval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON of approval payloads and outcomes as stored, and the audit details of an act. The
 * payload's field names are the records' {@code @JsonProperty} names and are part of the stored
 * format: renaming one needs a migration of the pending rows.
 */
final class ApprovalJson {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private ApprovalJson() {}

    static String payload(ApprovalAct act) {
        return write(act);
    }

    /** Reads a stored payload; {@code kind} is the row's kind column, which must agree with it. */
    static ApprovalAct act(String kind, String payload) {
        ApprovalAct act = read(payload, ApprovalAct.class);
        if (!act.kind().equals(kind)) {
            throw new IllegalStateException("approval payload of kind " + act.kind() + " in a row of kind " + kind);
        }
        return act;
    }

    static String outcome(ApprovalOutcome outcome) {
        return outcome == null ? null : write(outcome);
    }

    static ApprovalOutcome outcome(String json) {
        return json == null ? null : read(json, ApprovalOutcome.class);
    }

    /**
     * What the audit trail says about an act: its kind, size and parameters, never its serial list
     * (the approval row and the per-certificate events hold those) and never personal data.
     */
    static ObjectNode auditDetails(ApprovalAct act) {
        ObjectNode details = JSON.createObjectNode();
        details.put("kind", act.kind());
        details.put("size", act.size());
        if (act instanceof BulkStatusChange bulk) {
            details.put("ca", bulk.caName());
            details.put("action", bulk.action().name());
            if (bulk.reason() != null) {
                details.put("reason", bulk.reason().code());
            }
        }
        return details;
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    static String text(ObjectNode node) {
        return write(node);
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write approval JSON", e);
        }
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            // A stored row we cannot read is corruption, not a request error; say no more than that.
            throw new IllegalStateException("stored approval JSON is unreadable as " + type.getSimpleName(), e);
        }
    }
}
