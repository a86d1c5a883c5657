package tw.eid.pki.ca.profile;

import java.util.Objects;

/**
 * One way a certificate or CRL misses its profile.
 *
 * @param rule a stable rule name, e.g. {@code key-usage} (tests and audit records key on it)
 * @param detail one line for the person at the ceremony
 */
public record LintFinding(String rule, String detail) {

    public LintFinding {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
        return rule + ": " + detail;
    }
}
