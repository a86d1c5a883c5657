package tw.eid.pki.ra.problem;

import tw.eid.pki.ca.approval.ApprovalException;
import tw.eid.pki.ca.card.CardException;
import tw.eid.pki.ca.cvc.CvException;
import tw.eid.pki.ca.document.SodException;
import tw.eid.pki.ca.document.seal.SealException;
import tw.eid.pki.ca.document.seal.TemporaryCertificateException;
import tw.eid.pki.ca.issuance.IssuanceException;

/**
 * The HTTP status of each refusal code of ca-core, mapped once, here at the HTTP edge (docs/style.md:
 * ca-core knows nothing of HTTP). Each switch names every code, so a new code does not compile
 * until it has a status.
 */
public final class HttpStatuses {
    private HttpStatuses() {}

    public static int of(ApprovalException.Code code) {
        return switch (code) {
            case MALFORMED, SIZE_OUT_OF_RANGE, DUPLICATE_SERIAL -> 400;
            case SELF_APPROVAL -> 403;
            case NOT_FOUND -> 404;
            case ALREADY_DECIDED, TRANSITION_REFUSED -> 409;
        };
    }

    public static int of(CardException.Code code) {
        return switch (code) {
            case INVALID_CARD_NUMBER,
                    INVALID_CHIP_UID,
                    INVALID_NATIONAL_ID,
                    INVALID_BIRTH_DATE,
                    INVALID_DELIVERY_DATE,
                    INVALID_ISSUE_DATE,
                    INVALID_ISSUE_PLACE,
                    INVALID_ISSUE_TYPE,
                    INCOMPLETE_ISSUE_DATA,
                    INVALID_EXPIRY_DATE -> 400;
            case CARD_EXISTS, REISSUE_OPEN, NOT_IN_REISSUE, CARD_LOST, CARD_REPLACED, NOT_LOST -> 409;
            case CARD_NOT_FOUND -> 404;
            case INVALID_SUCCESSOR -> 422;
        };
    }

    public static int of(SealException.Code code) {
        return switch (code) {
            case MALFORMED, UNENCODABLE, WRONG_PROFILE, IMAGE_UNREADABLE -> 400;
            case NAME_TOO_LONG, NO_BARCODE -> 422;
            case IMAGE_TOO_LARGE -> 413;
        };
    }

    public static int of(TemporaryCertificateException.Code code) {
        return switch (code) {
            case INVALID_VALIDITY -> 400;
            case VALIDITY_TOO_LONG, PAST_DELIVERY, NO_BIRTH_DATE -> 422;
            case NOT_FOUND -> 404;
            case ALREADY_REVOKED -> 409;
        };
    }

    public static int of(IssuanceException.Code code) {
        return switch (code) {
            case CARD_NOT_FOUND -> 404;
            case PROFILE_NOT_ISSUABLE -> 400;
            case KEY_TYPE_NOT_CERTIFIED,
                    CHIP_MISMATCH,
                    KEY_ALREADY_CERTIFIED,
                    KEY_COMPROMISED,
                    RENEWAL_EXHAUSTED,
                    IDEMPOTENCY_KEY_REUSED -> 422;
            case IDEMPOTENCY_PENDING -> 409;
            case FINAL_WRITE_FAILED -> 503;
        };
    }

    public static int of(SodException.Code code) {
        return switch (code) {
            case NO_DATA_GROUPS,
                    TOO_FEW_DATA_GROUPS,
                    UNKNOWN_DATA_GROUP,
                    DUPLICATE_DATA_GROUP,
                    BAD_HASH_LENGTH,
                    UNKNOWN_HASH_ALGORITHM,
                    BAD_LDS_VERSION -> 400;
            case ALREADY_PERSONALIZED, NOT_PERSONALIZED -> 409;
            case RATE_LIMITED -> 429;
            case POOL_EMPTY -> 503;
        };
    }

    public static int of(CvException.Code code) {
        return switch (code) {
            case MALFORMED, HOLDER_REFERENCE -> 400;
            case SELF_APPROVAL -> 403;
            case NOT_FOUND -> 404;
            case RECORD_NOT_ACTIVE, CONFLICT -> 409;
            case BAD_INNER_SIGNATURE, BAD_OUTER_SIGNATURE, WRONG_CURVE, VALIDITY, RIGHTS, KEY_REUSED -> 422;
        };
    }
}
