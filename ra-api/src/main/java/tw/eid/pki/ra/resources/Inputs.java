package tw.eid.pki.ra.resources;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.regex.Pattern;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ra.problem.ProblemException;

/** Checks of path, query and body values at the edge, each refusal a 400 with its own code. */
final class Inputs {
    /** docs/api.md: lower-case hex without leading zeros, at most 20 octets (RFC 5280 §4.1.2.2). */
    private static final Pattern SERIAL = Pattern.compile("[1-9a-f][0-9a-f]{0,39}");

    private static final Pattern CA_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,128}");

    private Inputs() {}

    /** An ISO date (YYYY-MM-DD), or null when absent. */
    static LocalDate date(String value, String field) {
        if (value == null) {
            return null;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("request.bad-date", field + " must be a date YYYY-MM-DD");
        }
    }

    static <T> T required(T value, String field) {
        if (value == null || (value instanceof String s && s.isEmpty())) {
            throw ProblemException.badRequest("request.missing-field", "missing field: " + field);
        }
        return value;
    }

    /** Standard base64 (RFC 4648 §4), padded; anything else is a 400. */
    static byte[] base64(String value, String field) {
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("request.bad-base64", field + " is not standard base64");
        }
    }

    static String serial(String serial) {
        if (serial == null || !SERIAL.matcher(serial).matches()) {
            throw ProblemException.badRequest("request.bad-serial", "a serial is lower-case hex without leading zeros");
        }
        return serial;
    }

    static String caName(String name) {
        if (name == null || !CA_NAME.matcher(name).matches()) {
            throw ProblemException.badRequest("request.bad-ca-name", "not a CA name");
        }
        return name;
    }

    static String idempotencyKey(String key) {
        if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw ProblemException.badRequest(
                    "request.bad-idempotency-key", "Idempotency-Key must be 1–128 printable ASCII characters");
        }
        return key;
    }

    /** A profile by its name (citizen-signature, citizen-encryption); the issuer refuses the others. */
    static CertificateProfile profile(String name) {
        required(name, "profile");
        for (CertificateProfile p : CertificateProfile.values()) {
            if (p.profileName().equals(name)) {
                return p;
            }
        }
        throw ProblemException.badRequest(
                "request.unknown-profile", "unknown profile (citizen-signature, citizen-encryption)");
    }
}
