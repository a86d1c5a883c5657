package tw.eid.pki.ra;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import tw.eid.pki.ca.approval.ApprovalService;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditQuery;
import tw.eid.pki.ca.card.CardLossReports;
import tw.eid.pki.ca.card.CardRegistry;
import tw.eid.pki.ca.card.CardReissues;
import tw.eid.pki.ca.cvc.AgencyAuthorizations;
import tw.eid.pki.ca.document.SodIssuer;
import tw.eid.pki.ca.document.seal.TemporaryCertificates;
import tw.eid.pki.ca.issuance.CitizenIssuer;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.hsm.Token;

/**
 * The domain the RA API is the door to (ca-core), wired by the caller: the launcher for {@code
 * bin/eidpki serve ra}, a test for a test. The RA never reaches behind these.
 *
 * @param database  the store: operator certificate status on every request, certificate look-ups
 * @param audit     the ledger where refusals at the edge (401, 403) are recorded
 * @param tokens    the tokens whose health {@code GET /health} reports
 * @param approvals the two-person rule ({@code POST /revocations}, {@code /approvals})
 * @param auditQuery the auditor's reader of the ledger ({@code GET /audit})
 * @param sods      the document signer ({@code POST /cards/{cardNumber}/sod}); null when this RA
 *                  has no DS pool, and the endpoint answers 503 {@code ds.not-configured}
 * @param agencies  agency authorization records and terminal CV certificates ({@code /cv/agencies});
 *                  null when this RA has no DV, and those endpoints answer 503 {@code cv.not-configured}
 * @param cvToken   the online token holding the DV keys; null with {@code agencies}
 * @param reissues  the cards' re-issue state ({@code /cards/{cardNumber}/reissue})
 * @param temporaryCertificates the temporary ID certificates ({@code
 *                  /cards/{cardNumber}/temporary-certificates}); null when this RA has no seal
 *                  signer pool, and the endpoint answers 503 {@code seal.not-configured}
 * @param lossReports loss reports and their withdrawal ({@code /cards/{cardNumber}/report-lost})
 */
public record RaServices(
        Database database,
        CardRegistry cards,
        CitizenIssuer issuer,
        RevocationService revocations,
        ProfileSettings profileSettings,
        AuditLedger audit,
        List<Token> tokens,
        ApprovalService approvals,
        AuditQuery auditQuery,
        SodIssuer sods,
        AgencyAuthorizations agencies,
        Token cvToken,
        CardReissues reissues,
        TemporaryCertificates temporaryCertificates,
        CardLossReports lossReports) {
    public RaServices {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(cards, "cards");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(revocations, "revocations");
        Objects.requireNonNull(profileSettings, "profileSettings");
        Objects.requireNonNull(audit, "audit");
        tokens = List.copyOf(Objects.requireNonNull(tokens, "tokens"));
        Objects.requireNonNull(approvals, "approvals");
        Objects.requireNonNull(auditQuery, "auditQuery");
        if ((agencies == null) != (cvToken == null)) {
            throw new IllegalArgumentException("agencies and the DV token come together");
        }
        Objects.requireNonNull(reissues, "reissues");
        Objects.requireNonNull(lossReports, "lossReports");
    }

    /**
     * The same, with the approval service and the audit reader made from {@code database}, {@code
     * audit} and {@code clock}.
     */
    public RaServices(
            Database database,
            CardRegistry cards,
            CitizenIssuer issuer,
            RevocationService revocations,
            ProfileSettings profileSettings,
            AuditLedger audit,
            List<Token> tokens,
            Clock clock) {
        this(
                database,
                cards,
                issuer,
                revocations,
                profileSettings,
                audit,
                tokens,
                new ApprovalService(database, audit, clock),
                new AuditQuery(database.dataSource()),
                null,
                null,
                null,
                new CardReissues(database, cards, audit, clock),
                null,
                new CardLossReports(database, revocations, audit, clock));
    }

    /** The same services with the document signer {@code sodIssuer}. */
    public RaServices withSods(SodIssuer sodIssuer) {
        return new RaServices(
                database,
                cards,
                issuer,
                revocations,
                profileSettings,
                audit,
                tokens,
                approvals,
                auditQuery,
                Objects.requireNonNull(sodIssuer, "sodIssuer"),
                agencies,
                cvToken,
                reissues,
                temporaryCertificates,
                lossReports);
    }

    /** The same services with agency records and terminal CV certificates, the DV keys in {@code dvToken}. */
    public RaServices withAgencies(AgencyAuthorizations agencyAuthorizations, Token dvToken) {
        return new RaServices(
                database,
                cards,
                issuer,
                revocations,
                profileSettings,
                audit,
                tokens,
                approvals,
                auditQuery,
                sods,
                Objects.requireNonNull(agencyAuthorizations, "agencyAuthorizations"),
                Objects.requireNonNull(dvToken, "dvToken"),
                reissues,
                temporaryCertificates,
                lossReports);
    }

    /** The same services with the temporary ID certificates {@code temporary} (over this RA's {@link #reissues}). */
    public RaServices withTemporaryCertificates(TemporaryCertificates temporary) {
        return new RaServices(
                database,
                cards,
                issuer,
                revocations,
                profileSettings,
                audit,
                tokens,
                approvals,
                auditQuery,
                sods,
                agencies,
                cvToken,
                reissues,
                Objects.requireNonNull(temporary, "temporary"),
                lossReports);
    }

    /** As {@link #RaServices(Database, CardRegistry, CitizenIssuer, RevocationService, ProfileSettings, AuditLedger, List, Clock)} on the system clock. */
    public RaServices(
            Database database,
            CardRegistry cards,
            CitizenIssuer issuer,
            RevocationService revocations,
            ProfileSettings profileSettings,
            AuditLedger audit,
            List<Token> tokens) {
        this(database, cards, issuer, revocations, profileSettings, audit, tokens, Clock.systemUTC());
    }
}
