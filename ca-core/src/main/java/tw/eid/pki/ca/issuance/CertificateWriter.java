package tw.eid.pki.ca.issuance;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.ContentSigner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditEvent;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.card.CardException;
import tw.eid.pki.ca.profile.CaCertificate;
import tw.eid.pki.ca.profile.CertificateIssuance;
import tw.eid.pki.ca.profile.CertificateRequest;
import tw.eid.pki.ca.profile.IssuanceRefusedException;
import tw.eid.pki.ca.profile.PreparedCertificate;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.store.CertificateRows;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.TransactionWork;

/**
 * The one way the system makes a certificate (issue 14), whatever signs it: citizens, operators and
 * the RA's TLS server, the key ceremony's CAs and OCSP signers, Document Signers, CSCA rollover and
 * link certificates, master-list signers and OCSP signer renewal. Boulder's order (docs/style.md #3):
 * <ol>
 *   <li>{@link Batch#prepare}: the profile builds the TBS and lints it over a throwaway-key
 *       signature ({@link CertificateIssuance#prepare}), and the TBS is stored with its serial,
 *       <em>revoked (cessationOfOperation)</em> and without DER ({@link CertificateRows#storePrepared});</li>
 *   <li>{@link Batch#sign}: the real key signs exactly the linted TBS, and the signed TBS is
 *       compared with it ({@link CertificateIssuance#issue});</li>
 *   <li>{@link Batch#finish}: one transaction makes every signed certificate of the batch good
 *       ({@link CertificateRows#makeGood}) together with the caller's own writes and audit event.</li>
 * </ol>
 * No key signs a certificate whose row is not stored: a crash or a failure anywhere after the
 * first step leaves at worst a serial that stays revoked, which its issuer's next CRL lists. A
 * batch that does not finish is audited as a failure ({@link Batch#abandon}; {@link Batch#finish}
 * itself when its transaction fails) naming the serials it left revoked.
 */
public final class CertificateWriter {
    private static final Logger log = LoggerFactory.getLogger(CertificateWriter.class);

    private final Database database;
    private final AuditLedger audit;
    private final Clock clock;

    public CertificateWriter(Database database, AuditLedger audit, Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A certificate stored revoked under {@code caName} (its issuer's CA row), waiting for its signature. */
    public record Pending(String caName, PreparedCertificate prepared) {
        public String serialHex() {
            return prepared.serialNumber().toString(16);
        }
    }

    /** The caller's part of the final transaction of a single certificate. */
    @FunctionalInterface
    public interface FinalWrite<T> {
        T run(Connection c, X509CertificateHolder certificate) throws SQLException;
    }

    /**
     * A new batch: its certificates are prepared with {@code issuance}; {@code failure} (result
     * FAILURE) is appended to the audit, with the serials left revoked, if the batch does not finish.
     */
    public Batch begin(CertificateIssuance issuance, AuditEvent failure) {
        return new Batch(issuance, failure);
    }

    /**
     * One certificate of CA {@code caName}, issued by {@code issuer} (null: self-signed) in a batch of
     * its own: prepared and stored in a transaction of its own, signed by {@code signer}, then made
     * good in one transaction with {@code work}. Returns what {@code work} returns.
     */
    public <T> T issue(
            CertificateIssuance issuance,
            AuditEvent failure,
            String caName,
            CertificateRequest request,
            CaCertificate issuer,
            Supplier<ContentSigner> signer,
            FinalWrite<T> work) {
        Batch batch = begin(issuance, failure);
        Pending pending = database.inTransaction(c -> batch.prepare(c, caName, request, issuer, null, null, null));
        X509CertificateHolder certificate = batch.sign(pending, signer);
        return batch.finish(c -> work.run(c, certificate));
    }

    /** Certificates prepared, signed and made good together; not for use by more than one thread. */
    public final class Batch {
        private final CertificateIssuance issuance;
        private final AuditEvent failure;
        private final List<Pending> prepared = new ArrayList<>();
        private final Map<Pending, X509CertificateHolder> signed = new LinkedHashMap<>();
        private boolean over;

        private Batch(CertificateIssuance issuance, AuditEvent failure) {
            this.issuance = Objects.requireNonNull(issuance, "issuance");
            this.failure = Objects.requireNonNull(failure, "failure");
            if (failure.result() != AuditResult.FAILURE) {
                throw new IllegalArgumentException("the failure event of a batch must say FAILURE");
            }
        }

        /**
         * Step one, in the caller's transaction {@code c}: {@code request} prepared and linted under
         * {@code issuer} (null: self-signed), and stored revoked as a certificate of CA {@code
         * caName}. {@code publicKeySha256} null: the SHA-256 of the request's key.
         */
        public Pending prepare(
                Connection c,
                String caName,
                CertificateRequest request,
                CaCertificate issuer,
                String cardNumber,
                byte[] publicKeySha256,
                Integer crlPartition)
                throws SQLException {
            requireOpen();
            PreparedCertificate p =
                    issuer == null ? issuance.prepareSelfSigned(request) : issuance.prepare(request, issuer);
            CertificateRows.storePrepared(
                    c,
                    new CertificateRows.Prepared(
                            caName,
                            p.serialNumber().toString(16),
                            p.profile().id(),
                            cardNumber,
                            p.notBefore(),
                            p.notAfter(),
                            p.tbsCertificate(),
                            publicKeySha256 == null ? sha256(request.subjectPublicKey()) : publicKeySha256,
                            crlPartition,
                            RevocationReason.CESSATION_OF_OPERATION.code()),
                    clock.instant());
            Pending pending = new Pending(caName, p);
            prepared.add(pending);
            return pending;
        }

        /**
         * Step two, outside any transaction: the signer signs the linted TBS of {@code pending}, and
         * the result is checked. Any failure abandons the batch and is thrown.
         */
        public X509CertificateHolder sign(Pending pending, Supplier<ContentSigner> signer) {
            requireOpen();
            if (!prepared.contains(pending) || signed.containsKey(pending)) {
                throw abandon(new IllegalStateException(
                        "serial " + pending.serialHex() + " is not prepared in this batch" + " or already signed"));
            }
            try {
                X509CertificateHolder certificate = issuance.issue(pending.prepared(), signer.get());
                signed.put(pending, certificate);
                return certificate;
            } catch (RuntimeException e) {
                throw abandon(e);
            }
        }

        /**
         * Step three: one transaction makes every signed certificate of the batch good, then runs
         * {@code work} (the caller's rows and success audit). If it fails, the serials stay revoked,
         * the failure is audited, and {@link IssuanceException.Code#FINAL_WRITE_FAILED} is thrown (a
         * {@link CardException} of {@code beforeGood} or {@code work} is thrown as it is).
         */
        public <T> T finish(TransactionWork<T> work) {
            return finish(c -> null, work);
        }

        /**
         * As {@link #finish(TransactionWork)}, running {@code beforeGood} in the same transaction
         * before the certificates are made good: issuance supersedes a card's previous certificate
         * there, so that one active certificate per card and profile holds at every statement (V11's
         * unique key).
         */
        public <T> T finish(TransactionWork<?> beforeGood, TransactionWork<T> work) {
            requireOpen();
            try {
                T result = database.inTransaction(c -> {
                    beforeGood.run(c);
                    Instant now = clock.instant();
                    for (Map.Entry<Pending, X509CertificateHolder> s : signed.entrySet()) {
                        CertificateRows.makeGood(
                                c, s.getKey().caName(), s.getKey().serialHex(), s.getValue(), now);
                    }
                    return work.run(c);
                });
                over = true;
                return result;
            } catch (RuntimeException e) {
                over = true;
                List<String> serials =
                        signed.keySet().stream().map(Pending::serialHex).toList();
                if (e instanceof CardException refused) {
                    // A refusal of the caller's own check (the card is no longer current): the
                    // caller's answer, not a storage failure.
                    auditFailure(refused.code().id());
                    throw refused;
                }
                log.error(
                        "final write of {} serial(s) {} failed; they stay revoked (cessationOfOperation)",
                        failure.action(),
                        serials,
                        e);
                auditFailure(IssuanceException.Code.FINAL_WRITE_FAILED.id());
                throw new IssuanceException(
                        IssuanceException.Code.FINAL_WRITE_FAILED,
                        (serials.size() == 1
                                ? "the certificate could not be stored; serial " + serials.get(0) + " is revoked"
                                : "the certificates could not be stored; serials " + String.join(", ", serials)
                                        + " are revoked"),
                        e);
            }
        }

        /**
         * The batch stops here because of {@code cause}: its prepared serials stay revoked, and the
         * failure is audited once (if anything was prepared). Returns {@code cause}, for the caller
         * to throw.
         */
        public RuntimeException abandon(RuntimeException cause) {
            if (!over) {
                over = true;
                if (!prepared.isEmpty()) {
                    log.error(
                            "{} stopped after preparing {} certificate(s); they stay revoked (cessationOfOperation)",
                            failure.action(),
                            prepared.size(),
                            cause);
                    auditFailure(
                            cause instanceof IssuanceRefusedException r
                                    ? r.code().id()
                                    : cause instanceof IssuanceException i
                                            ? i.code().id()
                                            : IssuanceRefusedException.Code.SIGNER_FAILED.id());
                }
            }
            return cause;
        }

        private void requireOpen() {
            if (over) {
                throw new IllegalStateException("this batch is over");
            }
        }

        /** In a transaction of its own: the failure event, naming the serials the store holds revoked. */
        private void auditFailure(String errorCode) {
            try {
                database.inTransaction(c -> {
                    List<String> revoked = new ArrayList<>();
                    for (Pending p : prepared) {
                        // A prepare whose own transaction rolled back left nothing to name.
                        if (CertificateRows.isPrepared(c, p.caName(), p.serialHex())) {
                            revoked.add(p.caName() + "/" + p.serialHex());
                        }
                    }
                    audit.append(
                            c,
                            failure.withErrorCode(errorCode)
                                    .withDetails(AuditDetails.of().putStrings("revoked", revoked)));
                    return null;
                });
            } catch (RuntimeException auditFailure) {
                log.error("cannot audit the failure of {} either", failure.action(), auditFailure);
            }
        }
    }

    static byte[] sha256(SubjectPublicKeyInfo key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getEncoded("DER"));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
