package tw.eid.pki.ca.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What happened, as the act's code reports it: who did what to which thing, with what result, from
 * where. The ledger adds the sequence number and the time when it appends the event (see {@link
 * AuditEntry}).
 *
 * <p>Fields follow the plan's audit checklist (actor id, time, action, target, result, source and
 * destination address, error code). The actor is an <em>id</em> (an officer number, a client
 * certificate fingerprint, {@code system:crl-publisher}), never a name: the ledger is kept forever
 * and read by auditors, so it must not carry personal data. The same goes for target and details:
 * name a card by its card number, a citizen only by the keyed hash if at all.
 *
 * <p>Lengths match the columns of {@code audit_event}; strings must be well-formed UTF-16 so that
 * their UTF-8 encoding, which the chain hash covers, is exact.
 *
 * @param actor who acted: {@code [A-Za-z0-9._:@/+=-]}, 1 to 128 characters
 * @param action what was done, e.g. {@code certificate.revoke}: {@code [A-Za-z0-9._:-]}, 1 to 64
 * @param target what it was done to, e.g. {@code citizen-ca/3f9a...}; null if nothing; at most 255
 * @param result the outcome
 * @param sourceAddress the caller's address, e.g. {@code 10.1.2.3:51234}; null if local; at most 64
 * @param destinationAddress the address the request reached; null if local; at most 64
 * @param errorCode the stable error code of a failure or refusal; must be null on success
 * @param details a JSON object with more facts, or null; at most 16384 characters
 */
public record AuditEvent(
        String actor,
        String action,
        String target,
        AuditResult result,
        String sourceAddress,
        String destinationAddress,
        String errorCode,
        String details) {

    static final int MAX_TARGET = 255;
    static final int MAX_ADDRESS = 64;
    static final int MAX_DETAILS = 16_384;

    private static final Pattern ACTOR = Pattern.compile("[A-Za-z0-9._:@/+=-]{1,128}");
    private static final Pattern ACTION = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Pattern ERROR_CODE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Pattern ADDRESS = Pattern.compile("[\\x21-\\x7e]{1,64}");

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public AuditEvent {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(result, "result");
        require(ACTOR.matcher(actor).matches(), "actor must match " + ACTOR.pattern());
        require(ACTION.matcher(action).matches(), "action must match " + ACTION.pattern());
        if (target != null) {
            require(
                    !target.isEmpty() && target.length() <= MAX_TARGET,
                    "target must be 1.." + MAX_TARGET + " characters");
            require(
                    wellFormed(target) && noControlCharacters(target),
                    "target must be well-formed text without control characters");
        }
        if (sourceAddress != null) {
            require(
                    ADDRESS.matcher(sourceAddress).matches(),
                    "sourceAddress must be 1.." + MAX_ADDRESS + " printable ASCII characters");
        }
        if (destinationAddress != null) {
            require(
                    ADDRESS.matcher(destinationAddress).matches(),
                    "destinationAddress must be 1.." + MAX_ADDRESS + " printable ASCII characters");
        }
        if (errorCode != null) {
            require(ERROR_CODE.matcher(errorCode).matches(), "errorCode must match " + ERROR_CODE.pattern());
            require(result != AuditResult.SUCCESS, "a successful act has no error code");
        }
        if (details != null) {
            require(details.length() <= MAX_DETAILS, "details must be at most " + MAX_DETAILS + " characters");
            require(wellFormed(details), "details must be well-formed text");
            require(isJsonObject(details), "details must be one JSON object");
        }
    }

    /** An event with only the required facts and a target. */
    public static AuditEvent of(String actor, String action, String target, AuditResult result) {
        return new AuditEvent(actor, action, target, result, null, null, null, null);
    }

    public AuditEvent withAddresses(String source, String destination) {
        return new AuditEvent(actor, action, target, result, source, destination, errorCode, details);
    }

    public AuditEvent withErrorCode(String code) {
        return new AuditEvent(actor, action, target, result, sourceAddress, destinationAddress, code, details);
    }

    public AuditEvent withDetails(String json) {
        return new AuditEvent(actor, action, target, result, sourceAddress, destinationAddress, errorCode, json);
    }

    /** As {@link #withDetails(String)}, with the details built by Jackson. */
    public AuditEvent withDetails(AuditDetails details) {
        return withDetails(details.json());
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** No unpaired surrogates: those have no UTF-8 encoding and would be replaced silently. */
    private static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean noControlCharacters(String s) {
        return s.chars().noneMatch(Character::isISOControl);
    }

    private static boolean isJsonObject(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isObject();
        } catch (JsonProcessingException e) {
            return false;
        }
    }
}
