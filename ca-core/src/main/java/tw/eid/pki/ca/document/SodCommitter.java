package tw.eid.pki.ca.document;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditEvent;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.card.CardException;
import tw.eid.pki.ca.card.CardValidity;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.ca.store.StoreException;

/**
 * Group commit of signed SODs (issue 6 benchmark): requests hand their signed SOD to {@link
 * #commit}, which waits; one committer thread writes whatever is queued, up to {@code maxBatch}
 * SODs, in one transaction, then completes each request. While one transaction commits, the next
 * requests queue up, so the batch grows with the load and nothing waits for a timer.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>An SOD is returned only after the transaction that stores it, the card's change to
 *       PERSONALIZED and its audit event has committed.</li>
 *   <li>A card that is not REGISTERED under the row lock at commit (a second request for the same
 *       card, in this batch or committed before it; a card re-personalized meanwhile) is refused
 *       ({@link SodException.Code#ALREADY_PERSONALIZED}, 409) and nothing is written for it; the
 *       other SODs of the batch commit. Its SOD is never returned (its DS count is burned).</li>
 *   <li>A batch whose transaction fails (after {@link Database#inTransaction}'s retries of
 *       deadlocks and Galera conflicts) acknowledges nothing: every request in it gets the failure.</li>
 *   <li>Audit events are appended to the hash chain in the order the requests reached the queue.</li>
 * </ul>
 *
 * <p>The thread starts with the first SOD and ends after {@link #IDLE} without work.
 */
final class SodCommitter {
    private static final Logger log = LoggerFactory.getLogger(SodCommitter.class);

    /** The committer thread ends after this long without work; the next SOD starts it again. */
    static final Duration IDLE = Duration.ofSeconds(30);

    /** A signed SOD waiting for its commit. */
    record Pending(
            Actor actor,
            SodRequest request,
            DocumentSignerPool.Reserved signer,
            byte[] efSod,
            byte[] sodSha256,
            CompletableFuture<IssuedSod> done) {
        Pending(Actor actor, SodRequest request, DocumentSignerPool.Reserved signer, byte[] efSod) {
            this(actor, request, signer, efSod, DocumentSignerPool.sha256(efSod), new CompletableFuture<>());
        }
    }

    private final Database database;
    private final AuditLedger audit;
    private final int maxBatch;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    /** Guarded by {@code this}. */
    private boolean running;

    SodCommitter(Database database, AuditLedger audit, int maxBatch) {
        this.database = Objects.requireNonNull(database, "database");
        this.audit = Objects.requireNonNull(audit, "audit");
        if (maxBatch < 1 || maxBatch > 1000) {
            throw new IllegalArgumentException("maxBatch must be 1..1000: " + maxBatch);
        }
        this.maxBatch = maxBatch;
    }

    /** Queues {@code pending} and waits for its commit: the stored SOD, or the refusal or failure. */
    IssuedSod commit(Pending pending) {
        queue.add(pending);
        // After the add: a committer that finds the queue empty under the lock has not seen it and
        // ends; then running is false and a new one starts.
        ensureRunning();
        try {
            return pending.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // The SOD may still be stored; it is not returned (the line asks an officer to re-open).
            throw new StoreException(StoreException.Code.INTERRUPTED, "interrupted while the SOD was being stored", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("storing the SOD failed", e.getCause());
        }
    }

    private synchronized void ensureRunning() {
        if (!running) {
            running = true;
            Thread t = new Thread(this::run, "sod-committer");
            t.setDaemon(true);
            t.start();
        }
    }

    private void run() {
        try {
            commitUntilIdle();
        } catch (RuntimeException | Error e) {
            // write() completes every request it took; this is a failure around it (out of memory).
            log.error("the SOD committer stopped", e);
        } finally {
            synchronized (this) {
                running = false;
            }
            if (!queue.isEmpty()) {
                ensureRunning();
            }
        }
    }

    private void commitUntilIdle() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (true) {
            Pending first;
            try {
                first = queue.poll(IDLE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                first = null;
            }
            if (first == null) {
                synchronized (this) {
                    if (queue.isEmpty()) {
                        return; // run() clears running under this lock's next hold; a new SOD starts a committer
                    }
                }
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, maxBatch - 1);
            write(batch);
            batch.clear();
        }
    }

    /** Writes {@code batch} in one transaction and completes each of its requests (the committer thread; tests). */
    void write(List<Pending> batch) {
        List<Object> outcomes;
        try {
            // Computed afresh by each attempt: a retried transaction decides again under its locks.
            outcomes = database.inTransaction(c -> store(c, batch));
        } catch (RuntimeException | Error e) {
            log.error("an SOD batch of {} could not be stored; none is returned", batch.size(), e);
            RuntimeException failure =
                    e instanceof RuntimeException r ? r : new IllegalStateException("storing the SOD batch failed", e);
            batch.forEach(p -> p.done().completeExceptionally(failure));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            Object o = outcomes.get(i);
            if (o instanceof IssuedSod sod) {
                batch.get(i).done().complete(sod);
            } else {
                batch.get(i).done().completeExceptionally((RuntimeException) o);
            }
        }
    }

    /** One transaction for the batch; per request an {@link IssuedSod} or the refusal to throw. */
    private List<Object> store(Connection c, List<Pending> batch) throws SQLException {
        Map<String, Card> cards = lockCards(c, batch);
        List<Object> outcomes = new ArrayList<>(batch.size());
        List<Pending> accepted = new ArrayList<>(batch.size());
        List<Integer> personalizations = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            String number = p.request().cardNumber();
            Card card = cards.get(number);
            try {
                SodIssuer.requireRegistered(
                        number, card == null ? null : new SodIssuer.CardState(card.status, card.validity));
            } catch (SodException | CardException refused) {
                log.warn(
                        "SOD for card {} refused at commit ({}); its signed SOD is discarded",
                        number,
                        refused.getMessage());
                outcomes.add(refused);
                continue;
            }
            card.status = SodIssuer.PERSONALIZED; // a second request for this card in the batch is refused
            card.personalizations++;
            accepted.add(p);
            personalizations.add(card.personalizations);
            outcomes.add(null);
        }
        if (accepted.isEmpty()) {
            return outcomes;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO card_sod (card_number, personalization,"
                        + " ds_key_label, hash_algorithm, data_groups, sod_sha256, sod_der, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < accepted.size(); i++) {
                Pending p = accepted.get(i);
                ps.setString(1, p.request().cardNumber());
                ps.setInt(2, personalizations.get(i));
                ps.setString(3, p.signer().keyLabel());
                ps.setString(4, p.request().hashAlgorithm().jcaName());
                ps.setString(5, p.request().dataGroupNumbers());
                ps.setBytes(6, p.sodSha256());
                ps.setBytes(7, p.efSod());
                ps.setObject(8, DatabaseTime.toColumn(p.signer().at()));
                ps.addBatch();
            }
            requireOneEach(ps.executeBatch(), "card_sod insert");
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE card SET status = ?, personalizations = ?" + " WHERE card_number = ? AND status = ?")) {
            for (int i = 0; i < accepted.size(); i++) {
                ps.setString(1, SodIssuer.PERSONALIZED);
                ps.setInt(2, personalizations.get(i));
                ps.setString(3, accepted.get(i).request().cardNumber());
                ps.setString(4, SodIssuer.REGISTERED);
                ps.addBatch();
            }
            requireOneEach(ps.executeBatch(), "card update");
        }
        List<AuditEvent> events = new ArrayList<>(accepted.size());
        for (int i = 0; i < accepted.size(); i++) {
            Pending p = accepted.get(i);
            events.add(p.actor()
                    .event("card.sod", p.request().cardNumber(), AuditResult.SUCCESS)
                    .withDetails(AuditDetails.of()
                            .put("personalization", personalizations.get(i))
                            .put("ds", p.signer().keyLabel())
                            .put("dsSerial", p.signer().serialHex())
                            .put("hashAlgorithm", p.request().hashAlgorithm().jcaName())
                            .putNumbers(
                                    "dataGroups",
                                    p.request().dataGroups().stream()
                                            .map(g -> g.number())
                                            .toList())
                            .put("sodSha256", HexFormat.of().formatHex(p.sodSha256()))));
        }
        audit.appendAll(c, events);
        int next = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) == null) {
                Pending p = accepted.get(next);
                outcomes.set(
                        i,
                        new IssuedSod(
                                p.request().cardNumber(),
                                personalizations.get(next),
                                p.efSod(),
                                p.signer().keyLabel(),
                                p.signer().serialHex()));
                next++;
            }
        }
        return outcomes;
    }

    private static final class Card {
        String status;
        CardValidity validity;
        int personalizations;
    }

    /** The batch's cards, locked (one statement; InnoDB takes the rows in key order). */
    private static Map<String, Card> lockCards(Connection c, List<Pending> batch) throws SQLException {
        LinkedHashSet<String> numbers = new LinkedHashSet<>();
        batch.forEach(p -> numbers.add(p.request().cardNumber()));
        StringBuilder sql = new StringBuilder(
                "SELECT card_number, status, personalizations, validity FROM card WHERE card_number IN (");
        for (int i = 0; i < numbers.size(); i++) {
            sql.append(i == 0 ? "?" : ", ?");
        }
        Map<String, Card> cards = new HashMap<>();
        try (PreparedStatement ps =
                c.prepareStatement(sql.append(") FOR UPDATE").toString())) {
            int i = 1;
            for (String n : numbers) {
                ps.setString(i++, n);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Card card = new Card();
                    card.status = rs.getString(2);
                    card.personalizations = rs.getInt(3);
                    card.validity = CardValidity.valueOf(rs.getString(4));
                    cards.put(rs.getString(1), card);
                }
            }
        }
        return cards;
    }

    /** Each statement of a batch changed one row (or the driver could not say: the row locks decided). */
    private static void requireOneEach(int[] counts, String what) throws SQLException {
        for (int n : counts) {
            if (n != 1 && n != Statement.SUCCESS_NO_INFO) {
                throw new SQLException(what + " changed " + n + " rows, expected 1");
            }
        }
    }
}
