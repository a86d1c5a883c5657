package tw.eid.pki.crl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.cert.X509CRLHolder;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditEvent;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.profile.CaCertificate;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.CrlProfile;
import tw.eid.pki.ca.profile.OfflineCrls;
import tw.eid.pki.ca.profile.PreparedCrl;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.profile.RevokedEntry;
import tw.eid.pki.ca.store.CertificateReader;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.SqlCertificateStore;
import tw.eid.pki.hsm.Token;

/**
 * The next CRL of an offline root (the Citizen Root's ARL, the CSCA CRL), signed at a ceremony
 * with the offline token: every certificate the root revoked, the next number of its sequence,
 * linted and signed by ca-core's {@link OfflineCrls} (the same two phases as the first ceremony),
 * stored with an audit event in one transaction. The publisher then serves it. Run by {@code
 * bin/eidpki crl sign}; ICAO 9303-12 wants a CSCA CRL at least every 90 days even when empty.
 */
public final class OfflineCrlCeremony {
    private final Database database;
    private final ProfileSettings settings;
    private final Clock clock;

    /** What was signed: the CRL, its number, and where it is served. */
    public record Signed(X509CRLHolder crl, BigInteger number, String path) {}

    public OfflineCrlCeremony(Database database, ProfileSettings settings, Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Signs the next CRL of offline CA {@code caName} in {@code offlineToken}, nextUpdate {@code
     * lifetime} after now (the ARL at most a year, the CSCA CRL at most 90 days: ProfileSettings
     * refuses more), and stores it.
     */
    public Signed sign(Token offlineToken, String caName, Duration lifetime, String actorId) {
        CrlAuthority a = CrlAuthority.byName(CrlAuthority.load(database), caName)
                .orElseThrow(() -> new IllegalArgumentException("no active CA named '" + caName + "' in the store"));
        if (a.online()) {
            throw new IllegalArgumentException(
                    "'" + caName + "' is an online CA: its CRLs are the publisher's (crl publish)");
        }
        if (!a.tokenLabel().equals(offlineToken.label())) {
            throw new IllegalArgumentException("the key of '" + caName + "' is in token '" + a.tokenLabel() + "', not '"
                    + offlineToken.label() + "'");
        }
        CrlProfile profile = a.profile() == CertificateProfile.CSCA ? CrlProfile.CSCA_CRL : CrlProfile.CITIZEN_ROOT_ARL;
        ProfileSettings s = profile == CrlProfile.CSCA_CRL
                ? settings.withCscaCrlLifetime(lifetime)
                : settings.withRootArlLifetime(lifetime);
        List<RevokedEntry> entries = revoked(caName);
        CrlStore store = new CrlStore(database);
        BigInteger number = store.allocateNumber(caName, 0);
        OfflineCrls offline = new OfflineCrls(s, clock, new SecureRandom());
        PreparedCrl prepared =
                offline.prepare(profile, new CaCertificate(a.profile(), a.certificate()), number, entries);
        X509CRLHolder crl = offline.sign(prepared, offlineToken.signer(a.keyLabel()));
        byte[] der;
        try {
            der = crl.getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CrlFacts facts;
        try {
            facts = CrlFacts.read(der, a.publicKey());
        } catch (IOException e) {
            throw new CrlRefusedException("the signed CRL does not parse: " + e.getMessage(), e);
        }
        CrlChecks.replaces(facts, null, a, caName);
        ChunkedBytes body = new ChunkedBytes();
        body.write(der, 0, der.length);
        EncodedCrl encoded = new EncodedCrl(
                new byte[0], body, new byte[0], number, facts.thisUpdate(), facts.nextUpdate(), facts.entries());
        AuditLedger ledger = AuditLedger.hashChained(clock);
        CrlStore.Outcome outcome = store.store(
                caName,
                0,
                encoded,
                null,
                null,
                clock.instant(),
                previousIdp -> {
                    if (previousIdp.length != 0) {
                        throw new CrlRefusedException(caName + ": the stored CRL has an IDP, an offline CRL has none");
                    }
                },
                c -> ledger.append(
                        c,
                        AuditEvent.of(actorId, "crl.sign", caName, AuditResult.SUCCESS)
                                .withDetails(AuditDetails.of()
                                        .put("profile", profile.id())
                                        .put("crlNumber", number)
                                        .put("entries", entries.size())
                                        .put("nextUpdate", String.valueOf(facts.nextUpdate())))));
        if (outcome != CrlStore.Outcome.STORED) {
            throw new CrlRefusedException(caName + ": a CRL with a number at least " + number + " is already stored");
        }
        return new Signed(crl, number, a.url(settings, 0, false).getPath());
    }

    /** The certificates {@code caName} issued and revoked, each with its reason (the profile forbids none). */
    private List<RevokedEntry> revoked(String caName) {
        List<RevokedEntry> out = new ArrayList<>();
        for (CertificateReader.RevokedRow row :
                SqlCertificateStore.over(database).notGood(caName)) {
            if (row.reasonCode() == 0) {
                throw new IllegalStateException("certificate " + row.serialHex() + " of '" + caName
                        + "' is revoked without a reason; an offline CRL entry must say why");
            }
            out.add(new RevokedEntry(
                    new BigInteger(row.serialHex(), 16),
                    row.revocationTime(),
                    RevocationReason.ofCode(row.reasonCode())));
        }
        return out;
    }
}
