package tw.eid.pki.ca.document;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.hsm.Token;

/**
 * Destroys the private keys of Document Signers that can never sign again (ICAO Doc 9303-12: the
 * DS private key is destroyed once its usage is over). The DS rows and certificates stay: the
 * SODs issued name them, and verifiers need the certificates. A key custodian act ({@code ds
 * retire}), audited.
 *
 * <p><b>Rule.</b> (1) Every DS that can never sign again is RETIRED first: by the pool when it
 * moves on, by {@code ds rotate}, or here by {@link DocumentSignerPool#retireEnded} (its
 * certificate is revoked, its document count is reached, or its private key usage period is
 * over). (2) The key of a RETIRED DS is destroyed once it has been RETIRED for at least {@link
 * #DESTROY_AFTER}. Why no process can still sign with it then: a RETIRED DS is never reserved or
 * activated again; a pool object holding a block of its counts re-reads the DS row at most {@link
 * DocumentSignerPool.Settings#recheck} (at most 60 s, 1 s by default) after its last read before it
 * hands out another count, and hands out none while that read fails; a count handed out is signed
 * at once. An hour after the retirement, no process has handed out a count of that DS for 59
 * minutes; the margin also covers hosts whose clocks differ by minutes ({@code retired_at} is the
 * retiring host's time). A DS within its usage period and document count (GENERATED, CERTIFIED or
 * ACTIVE) is never retired or destroyed here. Should a process still try to sign with a destroyed
 * key, the token refuses (KEY_NOT_FOUND): no SOD is signed, none is wrong.
 *
 * <p><b>Order.</b> The retirement commits (audited {@code ds.retire}), then the key pair is destroyed
 * in the token, then one transaction sets {@code key_destroyed_at} (and retires the DS's row in the
 * {@code ca} table, where the ceremony also records its first DS) and audits {@code
 * ds.key-destroy}. A crash between them leaves a RETIRED DS without {@code key_destroyed_at}, never
 * a destroyed key marked usable; the next run finishes it (destroys the key if the token still
 * holds it, and records the destruction either way, saying which).
 */
public final class DocumentSignerRetirement {
    private static final Logger log = LoggerFactory.getLogger(DocumentSignerRetirement.class);
    /** How long a DS has been RETIRED before its key is destroyed. */
    public static final Duration DESTROY_AFTER = Duration.ofHours(1);

    /**
     * What a run did: the DSs it retired, those whose keys it destroyed, and the RETIRED DSs whose
     * keys are still to be destroyed (by a run from {@link Waiting#from}, with their token).
     */
    public record Result(List<String> retired, List<String> destroyed, List<Waiting> waiting) {}

    /** A RETIRED DS whose key is still to be destroyed: by a run at or after {@code from} with token {@code tokenLabel}. */
    public record Waiting(String keyLabel, String tokenLabel, Instant from) {}

    private record Retired(String keyLabel, String tokenLabel, Instant retiredAt) {}

    private final DocumentSignerPool pool;
    private final Database database;
    private final AuditLedger audit;
    private final Clock clock;

    public DocumentSignerRetirement(DocumentSignerPool pool, Database database, AuditLedger audit, Clock clock) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.database = Objects.requireNonNull(database, "database");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Retires what has ended, then destroys in {@code onlineToken} the keys the rule allows (see the class comment). */
    public Result run(Actor actor, Token onlineToken) {
        List<String> retired = pool.retireEnded(actor);
        Instant now = clock.instant();
        List<String> destroyed = new ArrayList<>();
        List<Waiting> waiting = new ArrayList<>();
        for (Retired r : keysToDestroy()) {
            Instant from = r.retiredAt().plus(DESTROY_AFTER);
            if (r.tokenLabel().equals(onlineToken.label()) && !now.isBefore(from)) {
                destroy(actor, onlineToken, r.keyLabel());
                destroyed.add(r.keyLabel());
            } else {
                waiting.add(new Waiting(r.keyLabel(), r.tokenLabel(), from));
            }
        }
        return new Result(retired, destroyed, waiting);
    }

    /** Destroys the key pair if the token still holds it, then records that it is gone. */
    private void destroy(Actor actor, Token token, String keyLabel) {
        // 0: destroyed by a run that stopped before recording it
        int destroyedObjects = token.destroyKeyPairIfPresent(keyLabel);
        Instant now = clock.instant();
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE document_signer SET key_destroyed_at = ?"
                    + " WHERE key_label = ? AND state = 'RETIRED' AND key_destroyed_at IS NULL")) {
                ps.setObject(1, DatabaseTime.toColumn(now));
                ps.setString(2, keyLabel);
                if (ps.executeUpdate() != 1) {
                    return null; // recorded by another run meanwhile
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE ca SET status = 'RETIRED', key_destroyed_at = ?"
                    + " WHERE kind = 'document-signer' AND key_label = ? AND token_label = ?")) {
                ps.setObject(1, DatabaseTime.toColumn(now));
                ps.setString(2, keyLabel);
                ps.setString(3, token.label());
                ps.executeUpdate();
            }
            audit.append(
                    c,
                    actor.event("ds.key-destroy", keyLabel, AuditResult.SUCCESS)
                            .withDetails(AuditDetails.of()
                                    .put("token", token.label())
                                    .put("objectsDestroyed", destroyedObjects)
                                    .put("alreadyAbsent", destroyedObjects == 0)));
            return null;
        });
        log.warn("destroyed the key of retired Document Signer '{}' in token '{}'", keyLabel, token.label());
    }

    /**
     * RETIRED DSs whose key destruction is not recorded yet, longest retired first (every
     * retirement records its time, {@code DocumentSignerPool}; a row without one is not guessed at).
     */
    private List<Retired> keysToDestroy() {
        return database.inTransaction(c -> {
            List<Retired> out = new ArrayList<>();
            try (PreparedStatement ps =
                            c.prepareStatement("SELECT key_label, token_label, retired_at FROM document_signer"
                                    + " WHERE state = 'RETIRED' AND retired_at IS NOT NULL AND key_destroyed_at IS NULL"
                                    + " ORDER BY retired_at, key_label");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Retired(
                            rs.getString(1),
                            rs.getString(2),
                            DatabaseTime.fromColumn(rs.getObject(3, LocalDateTime.class))));
                }
            }
            return out;
        });
    }
}
