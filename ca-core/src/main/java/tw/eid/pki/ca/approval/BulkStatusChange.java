package tw.eid.pki.ca.approval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.store.CertificateStatus;

/**
 * Suspend or revoke a list of named certificates of one CA ({@code POST /revocations}), carried out
 * only when a second supervisor approves it. Refuses, when built, anything that could never be
 * carried out as asked: a malformed CA name or serial, no serial or more than {@value #MAX_SERIALS},
 * a serial named twice, a revocation without an RFC 5280 reason or with certificateHold (suspend
 * is the act that puts on hold), a suspension with a reason.
 *
 * @param caName the CA whose serials these are, e.g. {@code citizen-ca}
 * @param action suspend (certificateHold) or revoke
 * @param reason for REVOKE, the CRL reason (never certificateHold); null for SUSPEND
 * @param serials distinct serials, lower-case hex without leading zeros, in the order the requester
 *     gave them (the order in which a refusal names "the first offending serial")
 */
@JsonTypeName(BulkStatusChange.KIND)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BulkStatusChange(
        @JsonProperty("ca") String caName,
        @JsonProperty("action") Action action,
        @JsonProperty("reason") RevocationReason reason,
        @JsonProperty("serials") List<String> serials)
        implements ApprovalAct {

    public static final String KIND = "bulk-status-change";
    public static final int MAX_SERIALS = 10_000;

    /** As in the {@code ca} and {@code certificate} tables. */
    private static final Pattern CA_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    /** docs/api.md: lower-case hex without leading zeros; RFC 5280 §4.1.2.2: at most 20 octets. */
    private static final Pattern SERIAL = Pattern.compile("[1-9a-f][0-9a-f]{0,39}");

    public enum Action {
        /** certificateHold, reversible by resume. */
        SUSPEND,
        /** Final, with an RFC 5280 reason. */
        REVOKE
    }

    public BulkStatusChange {
        if (caName == null || !CA_NAME.matcher(caName).matches()) {
            throw malformed("the CA name must match " + CA_NAME.pattern());
        }
        if (action == null) {
            throw malformed("the action must be SUSPEND or REVOKE");
        }
        if (action == Action.REVOKE && (reason == null || reason == RevocationReason.CERTIFICATE_HOLD)) {
            throw malformed(
                    "revoke needs an RFC 5280 reason other than certificateHold (suspend puts a certificate on hold)");
        }
        if (action == Action.SUSPEND && reason != null) {
            throw malformed("suspend takes no reason: it is always certificateHold");
        }
        if (serials == null || serials.isEmpty() || serials.size() > MAX_SERIALS) {
            throw new ApprovalException(
                    ApprovalException.Code.SIZE_OUT_OF_RANGE,
                    "name 1 to " + MAX_SERIALS + " serials, not " + (serials == null ? 0 : serials.size()));
        }
        Set<String> seen = new HashSet<>(serials.size() * 2);
        for (String serial : serials) {
            if (serial == null || !SERIAL.matcher(serial).matches()) {
                String shown = serial == null || serial.length() > 40 ? null : serial;
                throw new ApprovalException(
                        ApprovalException.Code.MALFORMED,
                        "serial " + (shown == null ? "(null or too long)" : shown)
                                + " is not lower-case hex without leading zeros, at most 40 digits",
                        shown,
                        null);
            }
            if (!seen.add(serial)) {
                throw new ApprovalException(
                        ApprovalException.Code.DUPLICATE_SERIAL, "serial " + serial + " is named twice", serial, null);
            }
        }
        serials = List.copyOf(serials);
    }

    /** Put every named certificate on hold. */
    public static BulkStatusChange suspend(String caName, List<String> serials) {
        return new BulkStatusChange(caName, Action.SUSPEND, null, serials);
    }

    /** Revoke every named certificate, for {@code reason}. */
    public static BulkStatusChange revoke(String caName, RevocationReason reason, List<String> serials) {
        return new BulkStatusChange(caName, Action.REVOKE, reason, serials);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public int size() {
        return serials.size();
    }

    /** The status every named certificate ends in. */
    CertificateStatus targetStatus() {
        return action == Action.SUSPEND ? CertificateStatus.HOLD : CertificateStatus.REVOKED;
    }

    /** The CRL reason every named certificate ends with. */
    RevocationReason targetReason() {
        return action == Action.SUSPEND ? RevocationReason.CERTIFICATE_HOLD : reason;
    }

    private static ApprovalException malformed(String message) {
        return new ApprovalException(ApprovalException.Code.MALFORMED, message);
    }
}
