package tw.eid.pki.ra.console;

import java.util.List;

/** What each console template shows: plain values, every one escaped by jte when rendered. */
public final class ConsoleViews {
    private ConsoleViews() {}

    /**
     * The frame of every page: language, title, who is signed in (null on a refusal before that is
     * known), which links the role may follow, and the page to come back to after a language switch.
     */
    public record Frame(
            Messages m,
            String titleKey,
            String operatorId,
            String roleId,
            boolean canSearch,
            boolean canApprove,
            String languageSwitch) {}

    public record Home(
            Frame f, String operatorId, String roleId, String office, String certificateSerial, String validUntil) {}

    public record Search(
            Frame f, boolean nationalIdAllowed, String cardNumber, String messageKey, List<String> matches) {}

    /** A certificate row; {@code reason} is an RFC 5280 reason name or empty. */
    public record Certificate(
            String serial,
            String profile,
            String status,
            String reason,
            String revokedAt,
            String notBefore,
            String notAfter) {}

    public record Card(
            Frame f,
            String cardNumber,
            String chipUid,
            String nationalIdLast4,
            String holderName,
            boolean personalData,
            String status,
            String registeredAt,
            List<Certificate> certificates,
            String doneKey,
            boolean canAct) {}

    public record Confirm(
            Frame f,
            String act,
            String cardNumber,
            Certificate certificate,
            String toStatus,
            List<String> reasons,
            String csrf,
            String messageKey) {}

    /** The report-lost confirmation: every certificate that will be put on hold. */
    public record ConfirmLost(Frame f, String cardNumber, List<Certificate> toHold, String csrf, String messageKey) {}

    public record Message(Frame f, int status, String messageKey) {}

    public record Approval(
            String id, String kind, String requestedBy, String requestedAt, String status, String summary) {}

    public record Approvals(Frame f, List<Approval> pending) {}
}
