package tw.eid.pki.ra;

import java.util.List;
import java.util.Objects;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.card.CardRegistry;
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
 */
public record RaServices(Database database, CardRegistry cards, CitizenIssuer issuer, RevocationService revocations,
                         ProfileSettings profileSettings, AuditLedger audit, List<Token> tokens) {
    public RaServices {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(cards, "cards");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(revocations, "revocations");
        Objects.requireNonNull(profileSettings, "profileSettings");
        Objects.requireNonNull(audit, "audit");
        tokens = List.copyOf(Objects.requireNonNull(tokens, "tokens"));
    }
}
