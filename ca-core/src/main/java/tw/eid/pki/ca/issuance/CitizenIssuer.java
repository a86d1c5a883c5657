package tw.eid.pki.ca.issuance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.cert.X509CertificateHolder;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.card.CardHolder;
import tw.eid.pki.ca.card.CardRegistry;
import tw.eid.pki.ca.csr.ChipCsrChecks;
import tw.eid.pki.ca.csr.VerifiedCsr;
import tw.eid.pki.ca.metrics.CaMetrics;
import tw.eid.pki.ca.profile.CertificateIssuance;
import tw.eid.pki.ca.profile.CertificateRequest;
import tw.eid.pki.ca.profile.HolderName;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.profile.SubscriberIds;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ca.store.CertificateReader;
import tw.eid.pki.ca.store.CertificateReader.KeyUse;
import tw.eid.pki.ca.store.CertificateReader.Revocation;
import tw.eid.pki.ca.store.CertificateStatus;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.IssuanceRows;
import tw.eid.pki.ca.store.SqlCertificateStore;
import tw.eid.pki.hsm.Token;

/**
 * Issues citizen certificates from the chip's CSR, in Boulder's order (docs/style.md #3):
 * <ol>
 *   <li>check the CSR (strict DER, proof of possession, chip key policy);</li>
 *   <li>one transaction: lock the card, match the chip id, refuse a key certified elsewhere or
 *       once compromised, assign the CRL partition, build and lint the to-be-signed certificate,
 *       and store it with its serial — stored <em>revoked (cessationOfOperation)</em> with no DER,
 *       so a serial whose final write never lands is never good, by construction;</li>
 *   <li>sign in the token, and check the signed TBS equals the linted one;</li>
 *   <li>one transaction: lock the card again and refuse it if it is no longer CURRENT (a loss
 *       report committed meanwhile), store the DER and make it good, supersede the card's previous
 *       certificate of the profile, audit; commit — and only then return the certificate.</li>
 * </ol>
 */
public final class CitizenIssuer {
    private final Database database;
    private final CertificateReader certificates;
    private final Token token;
    private final IssuingCa ca;
    private final ProfileSettings settings;
    private final CertificateIssuance issuance;
    private final CertificateWriter writer;
    private final ChipCsrChecks csrChecks;
    private final CardRegistry cards;
    private final SubscriberIds subscriberIds;
    private final AuditLedger audit;
    private final Clock clock;
    private final int partitionCapacity;

    public CitizenIssuer(
            Database database,
            Token token,
            IssuingCa ca,
            ProfileSettings settings,
            ChipCsrChecks csrChecks,
            CardRegistry cards,
            AuditLedger audit,
            Clock clock,
            SecureRandom random,
            int partitionCapacity) {
        this.database = Objects.requireNonNull(database, "database");
        this.certificates = SqlCertificateStore.over(this.database);
        this.token = Objects.requireNonNull(token, "token");
        this.ca = Objects.requireNonNull(ca, "ca");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.issuance = new CertificateIssuance(settings, clock, random);
        this.csrChecks = Objects.requireNonNull(csrChecks, "csrChecks");
        this.cards = Objects.requireNonNull(cards, "cards");
        this.subscriberIds = new SubscriberIds(random);
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.writer = new CertificateWriter(database, audit, clock);
        if (partitionCapacity < 1) {
            throw new IllegalArgumentException("partition capacity must be at least 1");
        }
        this.partitionCapacity = partitionCapacity;
    }

    /** docs/profiles.md: a partition holds at most this many certificates by default. */
    public static final int DEFAULT_PARTITION_CAPACITY = 100_000;

    private record Pending(CertificateWriter.Pending stored, String serialHex, int partition) {}

    public IssuedCertificate issue(Actor actor, IssueRequest request) {
        long started = System.nanoTime();
        boolean issued = false;
        try {
            IssuedCertificate certificate = issueTimed(actor, request);
            issued = true;
            return certificate;
        } finally {
            CaMetrics.issuance(issued, System.nanoTime() - started);
        }
    }

    private IssuedCertificate issueTimed(Actor actor, IssueRequest request) {
        VerifiedCsr csr = csrChecks.check(request.csr());
        if (!request.profile().keyTypes().contains(csr.keyType())) {
            // The CSR checks accept what a chip may hold; the profile says what we certify.
            throw new IssuanceException(
                    IssuanceException.Code.KEY_TYPE_NOT_CERTIFIED,
                    request.profile().profileName() + " certifies "
                            + request.profile().keyTypes() + " keys, not " + csr.keyType());
        }
        byte[] keyHash = sha256(der(csr));
        byte[] requestHash = requestHash(request);
        CertificateWriter.Batch batch =
                writer.begin(issuance, actor.event("certificate.issue", ca.name(), AuditResult.FAILURE));

        Object first = database.inTransaction(c -> {
            if (request.idempotencyKey() != null) {
                Optional<IssuedCertificate> earlier = replay(c, actor, request.idempotencyKey(), requestHash);
                if (earlier.isPresent()) {
                    return earlier.get();
                }
            }
            Instant now = clock.instant();
            // The CA's row is this phase's mutex: key uniqueness and partition assignment read
            // ranges that do not exist yet, and InnoDB's gap locks on them deadlock concurrent
            // issuances. Serialising this short phase (no token signature happens in it) is the
            // simple correct order; its cost is the issuance benchmark's to show.
            lockCa(c);
            CardHolder holder = cards.lockForIssuance(c, request.cardNumber(), subscriberIds::next)
                    .orElseThrow(() -> new IssuanceException(
                            IssuanceException.Code.CARD_NOT_FOUND,
                            "card " + request.cardNumber() + " is not registered"));
            if (!MessageDigest.isEqual(holder.chipUid(), request.chipUid())) {
                throw new IssuanceException(
                        IssuanceException.Code.CHIP_MISMATCH,
                        "the chip unique id does not match card " + request.cardNumber());
            }
            Instant firstIssuance = checkKey(c, request, keyHash);
            int partition = assignPartition(c, now);
            CertificateRequest certificateRequest = CertificateRequest.citizen(
                    request.profile(),
                    new CertificateRequest.Citizen(
                            HolderName.of(holder.holderName(), settings.holderNamePrivateUse()),
                            holder.subscriberId(),
                            holder.nationalIdLast4(),
                            partition,
                            firstIssuance),
                    csr.publicKey());
            CertificateWriter.Pending stored = batch.prepare(
                    c, ca.name(), certificateRequest, ca.certificate(), request.cardNumber(), keyHash, partition);
            String serialHex = stored.serialHex();
            if (request.idempotencyKey() != null) {
                IssuanceRows.recordIdempotencyKey(
                        c, actor.id(), request.idempotencyKey(), requestHash, ca.name(), serialHex, now);
            }
            return new Pending(stored, serialHex, partition);
        });
        if (first instanceof IssuedCertificate replayed) {
            return replayed;
        }
        Pending pending = (Pending) first;

        // The token signs outside any transaction: no row lock is held across the signature.
        X509CertificateHolder certificate = batch.sign(pending.stored(), () -> token.signer(ca.keyLabel()));
        // A failed final write leaves the serial revoked, audited, and throws FINAL_WRITE_FAILED.
        int[] superseded = new int[1];
        return batch.finish(
                c -> {
                    // A loss report may have committed while the token signed: the card's row is
                    // locked again, and a card no longer CURRENT gets nothing (issue 25).
                    CardRegistry.requireCurrent(c, request.cardNumber());
                    return superseded[0] = supersedePrevious(c, request, pending);
                },
                c -> finalWrite(c, actor, request, pending, certificate, superseded[0]));
    }

    /**
     * One active certificate per profile per card: the previous one is superseded in the final
     * write's transaction, before the new one is made good (V11 holds it as a unique key).
     */
    private int supersedePrevious(Connection c, IssueRequest request, Pending pending) throws SQLException {
        Instant now = clock.instant();
        // One active certificate per profile per card: the previous one is superseded in this transaction.
        List<Revocation> superseded = certificates.lockActiveOfCardProfile(
                c, ca.name(), request.cardNumber(), request.profile().id(), pending.serialHex());
        for (Revocation s : superseded) {
            RevocationService.apply(
                    c,
                    ca.name(),
                    s.serialHex(),
                    s.status(),
                    CertificateStatus.REVOKED,
                    RevocationReason.SUPERSEDED,
                    now);
        }
        return superseded.size();
    }

    private IssuedCertificate finalWrite(
            Connection c,
            Actor actor,
            IssueRequest request,
            Pending pending,
            X509CertificateHolder certificate,
            int superseded)
            throws SQLException {
        audit.append(
                c,
                actor.event("certificate.issue", ca.name() + "/" + pending.serialHex(), AuditResult.SUCCESS)
                        .withDetails(AuditDetails.of()
                                .put("card", request.cardNumber())
                                .put("profile", request.profile().id())
                                .put("partition", pending.partition())
                                .put("superseded", superseded)));
        return new IssuedCertificate(ca.name(), pending.serialHex(), certificate, pending.partition(), false);
    }

    private void lockCa(Connection c) throws SQLException {
        if (!IssuanceRows.lockCa(c, ca.name())) {
            throw new IllegalStateException("CA '" + ca.name() + "' is not in the store");
        }
    }

    /**
     * docs/profiles.md "Keys": a key certified for another card or profile, or once revoked for
     * keyCompromise, is refused; the same card's same key may be re-certified once (renewal).
     * Returns the first issuance of the key for a renewal, null for a new key.
     */
    private Instant checkKey(Connection c, IssueRequest request, byte[] keyHash) throws SQLException {
        int sameCardAndProfile = 0;
        Instant firstIssuance = null;
        for (KeyUse use : certificates.lockUsesOfKey(c, keyHash)) {
            Integer reason = use.revocationReason();
            if (reason != null && reason == RevocationReason.KEY_COMPROMISE.code()) {
                throw new IssuanceException(
                        IssuanceException.Code.KEY_COMPROMISED, "this key was revoked for keyCompromise");
            }
            if (!request.cardNumber().equals(use.cardNumber())
                    || !request.profile().id().equals(use.profile())) {
                throw new IssuanceException(
                        IssuanceException.Code.KEY_ALREADY_CERTIFIED,
                        "this key is already certified for another card or profile");
            }
            sameCardAndProfile++;
            Instant notBefore = use.notBefore();
            firstIssuance = firstIssuance == null || notBefore.isBefore(firstIssuance) ? notBefore : firstIssuance;
        }
        if (sameCardAndProfile >= 2) {
            throw new IssuanceException(
                    IssuanceException.Code.RENEWAL_EXHAUSTED, "this key was already renewed once; a new key is needed");
        }
        return firstIssuance;
    }

    /** The open partition, or the next one when it is full. The row lock serialises assignment. */
    private int assignPartition(Connection c, Instant now) throws SQLException {
        return IssuanceRows.assignPartition(c, ca.name(), partitionCapacity, now);
    }

    /** The earlier issuance of this client's Idempotency-Key, if it was the same request and is final. */
    private Optional<IssuedCertificate> replay(Connection c, Actor actor, String key, byte[] requestHash)
            throws SQLException {
        Optional<CertificateReader.Idempotent> found = certificates.lockIdempotent(c, actor.id(), key);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        CertificateReader.Idempotent earlier = found.get();
        if (!MessageDigest.isEqual(earlier.requestSha256(), requestHash)) {
            throw new IssuanceException(
                    IssuanceException.Code.IDEMPOTENCY_KEY_REUSED,
                    "this Idempotency-Key was used for a different request");
        }
        if (earlier.der() == null) {
            throw new IssuanceException(
                    IssuanceException.Code.IDEMPOTENCY_PENDING,
                    "the request with this Idempotency-Key is in progress or failed (serial " + earlier.serialHex()
                            + ")");
        }
        try {
            return Optional.of(new IssuedCertificate(
                    ca.name(),
                    earlier.serialHex(),
                    new X509CertificateHolder(earlier.der()),
                    earlier.crlPartition(),
                    true));
        } catch (IOException e) {
            throw new SQLException("stored certificate " + earlier.serialHex() + " does not parse", e);
        }
    }

    private static byte[] requestHash(IssueRequest r) {
        MessageDigest d = sha256();
        d.update(r.cardNumber().getBytes(StandardCharsets.US_ASCII));
        d.update((byte) 0);
        d.update(r.chipUid());
        d.update((byte) 0);
        d.update(r.profile().id().getBytes(StandardCharsets.US_ASCII));
        d.update((byte) 0);
        d.update(r.csr());
        return d.digest();
    }

    private static byte[] der(VerifiedCsr csr) {
        try {
            return csr.publicKey().getEncoded("DER");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] data) {
        return sha256().digest(data);
    }
}
