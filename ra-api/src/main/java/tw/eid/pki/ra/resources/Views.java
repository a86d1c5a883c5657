package tw.eid.pki.ra.resources;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tw.eid.pki.ca.approval.Approval;
import tw.eid.pki.ca.approval.BulkStatusChange;
import tw.eid.pki.ca.audit.AuditQuery;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.store.CertificateStatus;
import tw.eid.pki.ra.store.CertificateRecord;

/**
 * The JSON shapes of the RA API (published in openapi.yaml; change both together). Requests are
 * read strictly: an unknown field is a 400, not ignored.
 */
public final class Views {
    private Views() {}

    /** POST /cards. */
    public record CardBody(
            String cardNumber,
            String chipUid,
            String nationalId,
            String holderName,
            String birthDate,
            String replaces,
            String issueDate,
            String issuePlace,
            String issueType,
            String expiryDate) {
        @Override
        public String toString() {
            return "CardBody[" + cardNumber + "]"; // personal data stays out of logs
        }
    }

    /** POST /cards/{cardNumber}/reissue. */
    public record ReissueBody(String expectedDelivery) {}

    /** A card's re-issue. */
    public record ReissueView(
            String cardNumber,
            String expectedDelivery,
            String startedAt,
            String endedAt,
            String endReason,
            String successorCard) {}

    /** POST /cards/{cardNumber}/temporary-certificates. */
    public record TemporaryCertificateBody(String officeCode, String validFrom, String validUntil) {}

    /** One printed field of a temporary certificate: its Traditional Chinese and English labels and value. */
    public record PrintedField(String zh, String en, String value) {}

    /**
     * A temporary certificate as issued: the seal's bytes (base64), the signer certificate (base64
     * DER) and the printed fields.
     */
    public record TemporaryCertificateView(
            String number,
            String cardNumber,
            String validFrom,
            String validUntil,
            String officeCode,
            String seal,
            String signerCertificate,
            List<PrintedField> printed,
            String pdf) {
        @Override
        public String toString() {
            return "TemporaryCertificateView[" + number + "]"; // personal data stays out of logs
        }
    }

    /** A temporary certificate's record (no personal data). */
    public record TemporaryCertificateStatusView(
            String number,
            String cardNumber,
            String validFrom,
            String validUntil,
            String status,
            String revocationReason,
            String revokedAt) {}

    /** POST /cards/{cardNumber}/certificates as JSON. */
    public record IssueBody(String profile, String chipUid, String csr) {}

    /**
     * POST /cards/{cardNumber}/sod: the hash algorithm (SHA-256 when absent, SHA-384, SHA-512), each
     * data group's number (1..16) and hash (base64), and for an LDSSecurityObject v1 both
     * ldsVersion ("0108") and unicodeVersion ("040000").
     */
    public record SodBody(
            String hashAlgorithm, List<DataGroupBody> dataGroups, String ldsVersion, String unicodeVersion) {}

    public record DataGroupBody(Integer number, String hash) {}

    /** The stored SOD: EF.SOD in base64 and the serial of the DS certificate (issued by the CSCA). */
    public record SodView(String cardNumber, int personalization, String documentSignerSerial, String sod) {}

    /** POST /certificates/{serial}/revoke. */
    public record RevokeBody(String reason) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CardView(
            String cardNumber,
            String chipUid,
            String status,
            String registeredAt,
            String holderName,
            String nationalIdLast4,
            String validity,
            boolean expired,
            String issueDate,
            String issuePlace,
            String issueType,
            String expiryDate,
            List<CertificateView> certificates) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CertificateView(
            String ca,
            String serial,
            String profile,
            String cardNumber,
            String status,
            String revocationReason,
            String revocationTime,
            String notBefore,
            String notAfter,
            String certificate) {
        static CertificateView of(CertificateRecord r, boolean withPem) {
            return new CertificateView(
                    r.caName(),
                    r.serialHex(),
                    r.profile(),
                    r.cardNumber(),
                    statusName(r.status()),
                    r.revocationReason() == null ? null : reasonName(r.revocationReason()),
                    r.revocationTime() == null ? null : r.revocationTime().toString(),
                    r.notBefore().toString(),
                    r.notAfter().toString(),
                    withPem ? pem(r.der()) : null);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record IssuedView(
            String ca,
            String serial,
            String profile,
            String status,
            int crlPartition,
            String certificate,
            boolean replay) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StatusChangeView(String ca, String serial, String from, String to, String reason, String at) {}

    /** POST /revocations: a bulk act for a second supervisor to approve. */
    public record BulkBody(String ca, String action, String reason, List<String> serials) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OutcomeView(int changed, String errorCode, String target) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ApprovalView(
            long id,
            String kind,
            String ca,
            String action,
            String reason,
            List<String> serials,
            String requestedBy,
            String requestedAt,
            String status,
            String decidedBy,
            String decidedAt,
            OutcomeView outcome) {
        static ApprovalView of(Approval a) {
            BulkStatusChange bulk = (BulkStatusChange) a.act();
            return new ApprovalView(
                    a.id(),
                    a.act().kind(),
                    bulk.caName(),
                    ApprovalResource.actionName(bulk.action()),
                    reasonName(bulk.reason()),
                    bulk.serials(),
                    a.requestedBy(),
                    a.requestedAt().toString(),
                    a.status().name().toLowerCase(Locale.ROOT),
                    a.decidedBy(),
                    a.decidedAt() == null ? null : a.decidedAt().toString(),
                    a.outcome() == null
                            ? null
                            : new OutcomeView(
                                    a.outcome().changed(),
                                    a.outcome().errorCode(),
                                    a.outcome().target()));
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AuditEventView(
            long seq,
            String time,
            String actor,
            String action,
            String target,
            String result,
            String sourceAddress,
            String destinationAddress,
            String errorCode,
            JsonNode details) {
        private static final ObjectMapper JSON = new ObjectMapper();

        static AuditEventView of(AuditQuery.RecordedEvent e) {
            JsonNode details = null;
            if (e.details() != null) {
                try {
                    details = JSON.readTree(e.details());
                } catch (JsonProcessingException ex) {
                    details = TextNode.valueOf(e.details());
                }
            }
            return new AuditEventView(
                    e.seq(),
                    e.time().toString(),
                    e.actor(),
                    e.action(),
                    e.target(),
                    e.result().name().toLowerCase(Locale.ROOT),
                    e.sourceAddress(),
                    e.destinationAddress(),
                    e.errorCode(),
                    details);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AuditPage(List<AuditEventView> events, Long nextAfter) {}

    /** A loss report: its number, the card, the channel, when, and the serials it put on hold. */
    public record LostReportView(
            String report, String cardNumber, String channel, String reportedAt, List<String> held) {}

    /** A loss report withdrawn: its number, the card, when, and the serials resumed. */
    public record LossWithdrawalView(String report, String cardNumber, String withdrawnAt, List<String> resumed) {}

    public record TokenView(String label, boolean up) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HealthView(
            String status, String database, List<TokenView> tokens, DocumentSignersView documentSigners) {}

    /**
     * The DS pool at a glance: the active DS, certified spares still usable and the documents they
     * may sign, until when they can sign at all; {@code low} when fewer than two spares remain or the
     * cover ends within 30 days (a CSCA ceremony is due). A low pool does not make the RA unhealthy; an empty one makes SOD requests 503.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DocumentSignersView(
            String active,
            long activeDocumentsLeft,
            int usableSpares,
            long spareDocuments,
            String coveredUntil,
            boolean low) {}

    static String statusName(CertificateStatus s) {
        return s.name().toLowerCase(Locale.ROOT);
    }

    /** RFC 5280 §5.3.1 CRLReason names, as ASN.1 spells them. */
    static final Map<String, RevocationReason> REASONS = Map.of(
            "keyCompromise", RevocationReason.KEY_COMPROMISE,
            "cACompromise", RevocationReason.CA_COMPROMISE,
            "affiliationChanged", RevocationReason.AFFILIATION_CHANGED,
            "superseded", RevocationReason.SUPERSEDED,
            "cessationOfOperation", RevocationReason.CESSATION_OF_OPERATION,
            "certificateHold", RevocationReason.CERTIFICATE_HOLD,
            "privilegeWithdrawn", RevocationReason.PRIVILEGE_WITHDRAWN,
            "aACompromise", RevocationReason.AA_COMPROMISE);

    static String reasonName(RevocationReason reason) {
        return reason == null
                ? null
                : REASONS.entrySet().stream()
                        .filter(e -> e.getValue() == reason)
                        .map(Map.Entry::getKey)
                        .findFirst()
                        .orElseThrow();
    }

    static String reasonName(int code) {
        return reasonName(RevocationReason.ofCode(code));
    }

    /** RFC 7468 §5: the textual encoding of a certificate, 64 characters a line. */
    static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END CERTIFICATE-----\n";
    }
}
