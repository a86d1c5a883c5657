package tw.eid.pki.ca.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.Collection;

/**
 * The details of an audit event, built as JSON by Jackson (never by string concatenation, where a
 * value holding a quote would break the object or forge a field). Fields keep the order they were
 * put in; the text is compact, as {@link AuditEvent#withDetails(AuditDetails)} stores it.
 */
public final class AuditDetails {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode node = JSON.createObjectNode();

    private AuditDetails() {}

    /** An empty object, to be filled with {@code put}. */
    public static AuditDetails of() {
        return new AuditDetails();
    }

    /** A string field; null is stored as JSON null. */
    public AuditDetails put(String name, String value) {
        node.put(name, value);
        return this;
    }

    public AuditDetails put(String name, long value) {
        node.put(name, value);
        return this;
    }

    /** A whole number of any size (a CRL number), as a JSON number. */
    public AuditDetails put(String name, BigInteger value) {
        node.put(name, value);
        return this;
    }

    public AuditDetails put(String name, boolean value) {
        node.put(name, value);
        return this;
    }

    /** An array of strings. */
    public AuditDetails putStrings(String name, Collection<String> values) {
        ArrayNode array = node.putArray(name);
        values.forEach(array::add);
        return this;
    }

    /** An array of numbers. */
    public AuditDetails putNumbers(String name, Collection<? extends Number> values) {
        ArrayNode array = node.putArray(name);
        values.forEach(v -> array.add(v.longValue()));
        return this;
    }

    /** The compact JSON text. */
    public String json() {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write audit details", e);
        }
    }

    @Override
    public String toString() {
        return json();
    }
}
