package tw.eid.pki.ocsp;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.cert.X509CertificateHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.store.CaReader;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.SqlCaStore;
import tw.eid.pki.hsm.Token;

/**
 * Retires the delegated OCSP signers that no responder can still be using and destroys their
 * keys in the online token, so that old signer keys do not stay in the HSM for ever.
 *
 * <p><b>Rule.</b> An ACTIVE signer of a CA is retired when (a) another ACTIVE signer of the same CA,
 * valid now and made valid after it, has been current for at least {@link #RETIRE_AFTER}: its row
 * was recorded and its notBefore reached that long ago; or (b) its own certificate expired that
 * long ago. Why no process can still be signing with it: every responder process reloads its
 * authorities at least every {@link OcspUpdater#RELOAD} (60 s, a round of its updater every second)
 * and then signs with the ACTIVE signer made valid last ({@link OcspAuthorities}), which is not this
 * one; {@code RETIRE_AFTER} is sixty such reloads, which also covers an updater round that started
 * before the renewal and is still running, and host clocks that differ by minutes. A process that
 * could not reload for that long (its store is gone) is not answering from the store either; and
 * should anything still sign with a destroyed key, the signature fails (tryLater, a round cut
 * short), it is never a wrong answer.
 *
 * <p><b>Order.</b> (1) One transaction marks the signer RETIRED and audits
 * {@code ocsp-signer.retire}: from then on no process loads it. (2) The key pair is destroyed in
 * the token ({@link Token#destroyKeyPair}). (3) One transaction sets {@code key_destroyed_at} and
 * audits {@code ocsp-signer.key-destroy}. A crash between any two steps leaves a RETIRED row without
 * {@code key_destroyed_at}, never a destroyed key marked usable; the next run finishes it (destroys
 * the key if the token still holds it, and records the destruction either way, saying which).
 * The signer's ca row and certificate stay: responses it signed name it.
 *
 * <p>Run by the OCSP updater's lease holder, after renewals; only keys in this process's token are
 * destroyed.
 */
public final class OcspSignerRetirement {
    private static final Logger log = LoggerFactory.getLogger(OcspSignerRetirement.class);
    /** How long a newer signer must have been current (or this one expired) before this one is retired. */
    public static final Duration RETIRE_AFTER = Duration.ofHours(1);

    private static final Actor ACTOR = Actor.local("ocsp-updater");

    private final Database database;
    private final SqlCaStore cas;
    private final Token token;
    private final AuditLedger audit;
    private final Clock clock;

    public OcspSignerRetirement(Database database, Token token, AuditLedger audit, Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.cas = SqlCaStore.over(database);
        this.token = Objects.requireNonNull(token, "token");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A delegated signer's row: status ACTIVE or RETIRED; {@code currentSince}: the later of its row's time and notBefore. */
    record Signer(
            String name,
            X509CertificateHolder certificate,
            String keyLabel,
            String tokenLabel,
            String status,
            Instant createdAt,
            boolean keyDestroyed) {
        Instant notBefore() {
            return certificate.getNotBefore().toInstant();
        }

        Instant currentSince() {
            return createdAt.isAfter(notBefore()) ? createdAt : notBefore();
        }

        boolean active() {
            return OcspAuthorities.ACTIVE.equals(status);
        }
    }

    /**
     * Retires what the rule allows, then destroys the keys of every RETIRED signer of this token
     * whose destruction is not yet recorded. Returns the signers whose destruction it recorded.
     */
    public List<String> run() {
        Instant now = clock.instant();
        Rows rows = read();
        for (X509CertificateHolder ca : rows.cas()) {
            List<Signer> ofCa = rows.signers().stream()
                    .filter(s -> OcspAuthorities.issuedBy(s.certificate(), ca))
                    .toList();
            for (Signer s : ofCa) {
                String reason = retireReason(s, ofCa, now);
                if (reason != null) {
                    retire(s, reason, now);
                }
            }
        }
        List<String> destroyed = new ArrayList<>();
        for (Signer s : read().signers()) {
            if (!s.active() && !s.keyDestroyed() && token.label().equals(s.tokenLabel())) {
                destroy(s);
                destroyed.add(s.name());
            }
        }
        return destroyed;
    }

    /** Why {@code signer} is retired at {@code now} by the class comment's rule, or null while it may still be in use. */
    static String retireReason(Signer signer, List<Signer> ofSameCa, Instant now) {
        if (!signer.active()) {
            return null;
        }
        if (!now.isBefore(signer.certificate().getNotAfter().toInstant().plus(RETIRE_AFTER))) {
            return "expired";
        }
        for (Signer newer : ofSameCa) {
            if (newer.active()
                    && newer.notBefore().isAfter(signer.notBefore())
                    && newer.certificate().isValidOn(Date.from(now))
                    && !now.isBefore(newer.currentSince().plus(RETIRE_AFTER))) {
                return "superseded by " + newer.name();
            }
        }
        return null;
    }

    private void retire(Signer signer, String reason, Instant now) {
        boolean retired = database.inTransaction(c -> {
            if (!cas.retire(c, signer.name(), OcspAuthorities.SIGNER_KIND)) {
                return false; // another lease holder was first
            }
            audit.append(
                    c,
                    ACTOR.event("ocsp-signer.retire", signer.name(), AuditResult.SUCCESS)
                            .withDetails(AuditDetails.of()
                                    .put("key", signer.keyLabel())
                                    .put("reason", reason)
                                    .put(
                                            "notAfter",
                                            signer.certificate()
                                                    .getNotAfter()
                                                    .toInstant()
                                                    .toString())));
            return true;
        });
        if (retired) {
            log.warn(
                    "retired OCSP signer '{}' ({}); its key '{}' is destroyed next",
                    signer.name(),
                    reason,
                    signer.keyLabel());
        }
    }

    /** Destroys a RETIRED signer's key pair if the token still holds it, then records that it is gone. */
    private void destroy(Signer signer) {
        // 0: destroyed by a run that stopped before recording it
        int destroyedObjects = token.destroyKeyPairIfPresent(signer.keyLabel());
        Instant now = clock.instant();
        database.inTransaction(c -> {
            if (!cas.recordKeyDestroyed(c, signer.name(), now)) {
                return null; // recorded by another lease holder meanwhile
            }
            audit.append(
                    c,
                    ACTOR.event("ocsp-signer.key-destroy", signer.name(), AuditResult.SUCCESS)
                            .withDetails(AuditDetails.of()
                                    .put("key", signer.keyLabel())
                                    .put("token", token.label())
                                    .put("objectsDestroyed", destroyedObjects)
                                    .put("alreadyAbsent", destroyedObjects == 0)));
            return null;
        });
        log.warn(
                "destroyed the key '{}' of retired OCSP signer '{}' in token '{}'",
                signer.keyLabel(),
                signer.name(),
                token.label());
    }

    /** The certificates of the CAs (every kind but signers) and the delegated signer rows. */
    private record Rows(List<X509CertificateHolder> cas, List<Signer> signers) {}

    private Rows read() {
        Rows out = new Rows(new ArrayList<>(), new ArrayList<>());
        for (CaReader.CaRow r : cas.certified()) {
            X509CertificateHolder cert = certificate(r);
            if (!OcspAuthorities.SIGNER_KIND.equals(r.kind())) {
                out.cas().add(cert);
                continue;
            }
            out.signers()
                    .add(new Signer(
                            r.name(), cert, r.keyLabel(), r.tokenLabel(), r.status(), r.createdAt(), r.keyDestroyed()));
        }
        return out;
    }

    private static X509CertificateHolder certificate(CaReader.CaRow r) {
        try {
            return new X509CertificateHolder(r.certificateDer());
        } catch (IOException e) {
            throw new IllegalStateException("ca row '" + r.name() + "' has an unreadable certificate", e);
        }
    }
}
