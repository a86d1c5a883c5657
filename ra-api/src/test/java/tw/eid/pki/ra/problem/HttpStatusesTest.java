package tw.eid.pki.ra.problem;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tw.eid.pki.ca.approval.ApprovalException;
import tw.eid.pki.ca.card.CardException;
import tw.eid.pki.ca.cvc.CvException;
import tw.eid.pki.ca.document.SodException;
import tw.eid.pki.ca.document.seal.SealException;
import tw.eid.pki.ca.document.seal.TemporaryCertificateException;
import tw.eid.pki.ca.issuance.IssuanceException;

/**
 * Every refusal code of ca-core with the HTTP status the RA answers (the table ca-core's codes
 * carried before the statuses moved to the edge).
 */
class HttpStatusesTest {

    @Test
    void approvalCodes() {
        assertThat(ApprovalException.Code.values())
                .extracting(c -> c.id() + " " + HttpStatuses.of(c))
                .containsExactly(
                        "approval.malformed 400",
                        "approval.size-out-of-range 400",
                        "approval.duplicate-serial 400",
                        "approval.self-approval 403",
                        "approval.not-found 404",
                        "approval.already-decided 409",
                        "approval.transition-refused 409");
    }

    @Test
    void cvCodes() {
        assertThat(CvException.Code.values())
                .extracting(c -> c.id() + " " + HttpStatuses.of(c))
                .containsExactly(
                        "cv.malformed 400",
                        "cv.bad-inner-signature 422",
                        "cv.bad-outer-signature 422",
                        "cv.wrong-curve 422",
                        "cv.validity 422",
                        "cv.rights 422",
                        "cv.key-reused 422",
                        "cv.record-not-active 409",
                        "cv.holder-reference 400",
                        "cv.not-found 404",
                        "cv.self-approval 403",
                        "cv.conflict 409");
    }

    @Test
    void cardCodes() {
        assertThat(CardException.Code.values())
                .extracting(c -> c.id() + " " + HttpStatuses.of(c))
                .containsExactly(
                        "card.invalid-number 400",
                        "card.invalid-chip-uid 400",
                        "card.invalid-national-id 400",
                        "card.invalid-birth-date 400",
                        "card.exists 409",
                        "card.not-found 404",
                        "card.reissue-open 409",
                        "card.not-in-reissue 409",
                        "card.invalid-delivery-date 400",
                        "card.invalid-successor 422",
                        "card.invalid-issue-date 400",
                        "card.invalid-issue-place 400",
                        "card.invalid-issue-type 400",
                        "card.incomplete-issue-data 400",
                        "card.invalid-expiry-date 400",
                        "card.lost 409",
                        "card.replaced 409",
                        "card.not-lost 409");
    }

    @Test
    void sealCodes() {
        assertThat(SealException.Code.values())
                .extracting(c -> c.id() + " " + HttpStatuses.of(c))
                .containsExactly(
                        "seal.malformed 400",
                        "seal.unencodable 400",
                        "seal.name-too-long 422",
                        "seal.wrong-profile 400",
                        "seal.image-too-large 413",
                        "seal.image-unreadable 400",
                        "seal.no-barcode 422");
    }

    @Test
    void temporaryCertificateCodes() {
        assertThat(TemporaryCertificateException.Code.values())
                .extracting(c -> c.id() + " " + HttpStatuses.of(c))
                .containsExactly(
                        "temporary-certificate.validity-too-long 422",
                        "temporary-certificate.past-delivery 422",
                        "temporary-certificate.invalid-validity 400",
                        "temporary-certificate.no-birth-date 422",
                        "temporary-certificate.not-found 404",
                        "temporary-certificate.already-revoked 409");
    }

    @Test
    void issuanceCodes() {
        assertThat(IssuanceException.Code.values())
                .extracting(c -> c.id() + " " + HttpStatuses.of(c))
                .containsExactly(
                        "issuance.card-not-found 404",
                        "issuance.profile-not-issuable 400",
                        "issuance.key-type-not-certified 422",
                        "issuance.chip-mismatch 422",
                        "issuance.key-already-certified 422",
                        "issuance.key-compromised 422",
                        "issuance.renewal-exhausted 422",
                        "issuance.idempotency-key-reused 422",
                        "issuance.idempotency-pending 409",
                        "issuance.final-write-failed 503");
    }

    @Test
    void sodCodes() {
        assertThat(SodException.Code.values())
                .extracting(c -> c.id() + " " + HttpStatuses.of(c))
                .containsExactly(
                        "sod.no-data-groups 400",
                        "sod.too-few-data-groups 400",
                        "sod.unknown-data-group 400",
                        "sod.duplicate-data-group 400",
                        "sod.bad-hash-length 400",
                        "sod.unknown-hash-algorithm 400",
                        "sod.bad-lds-version 400",
                        "sod.already-personalized 409",
                        "sod.not-personalized 409",
                        "sod.rate-limited 429",
                        "ds.pool-empty 503");
    }
}
