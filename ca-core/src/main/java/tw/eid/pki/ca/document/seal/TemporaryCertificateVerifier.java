package tw.eid.pki.ca.document.seal;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.document.DocumentSignerPool;
import tw.eid.pki.ca.document.SignerPurpose;
import tw.eid.pki.ca.store.CertificateStatus;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.MasterListRows;

/**
 * The relying party's verdict on a temporary ID certificate's seal (issue 24), from the store: the
 * offline checks of {@link SealVerifier} with the CSCA certificates and the seal signer certificates
 * the store holds, plus what only the store knows — the signer certificate's status (revoked by a
 * CSCA act), and the temporary certificate's own record (issued here, with exactly these seal bytes,
 * and not revoked). Reads only; nothing is written.
 */
public final class TemporaryCertificateVerifier {

    /** The signer certificate's status in the store; UNKNOWN when no seal signer has the header's reference. */
    public enum SignerStatus {
        GOOD,
        ON_HOLD,
        REVOKED,
        UNKNOWN
    }

    /**
     * The verdict. {@code checkedOn} is the calendar day (Asia/Taipei) the validity was judged on;
     * {@code record} the store's record of the number in the seal; {@code sealMatchesRecord} whether
     * the store holds the SHA-256 of exactly these bytes for it.
     */
    public record Verdict(
            SealVerifier.Verification verification,
            SignerStatus signerStatus,
            Optional<TemporaryCertificates.Record> record,
            boolean sealMatchesRecord,
            LocalDate checkedOn) {
        public boolean revoked() {
            return record.map(TemporaryCertificates.Record::revoked).orElse(false);
        }

        /** Every check passes: signature, signer (issued by a CSCA, valid at signing, GOOD), validity, record, not revoked. */
        public boolean valid() {
            return verification.valid()
                    && signerStatus == SignerStatus.GOOD
                    && record.isPresent()
                    && sealMatchesRecord
                    && !revoked();
        }
    }

    private final Database database;
    private final Clock clock;
    private final DocumentSignerPool seals;

    public TemporaryCertificateVerifier(Database database, Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.seals = new DocumentSignerPool(
                database,
                AuditLedger.hashChained(clock),
                clock,
                DocumentSignerPool.DEFAULT_LOW_WATER_MARK,
                DocumentSignerPool.Settings.defaults(),
                System::nanoTime,
                SignerPurpose.SEAL);
    }

    /** The verdict on {@code sealBytes}; bytes that are not a seal of this profile throw {@link SealException}. */
    public Verdict verify(byte[] sealBytes) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), SealSigner.ZONE);
        List<X509Certificate> cscas = new ArrayList<>();
        for (byte[] der : database.inTransaction(MasterListRows::cscaCertificates)) {
            cscas.add(x509(der));
        }
        List<DocumentSignerPool.SignerCertificate> found = new ArrayList<>();
        SealVerifier verifier = new SealVerifier(cscas, (identifier, reference) -> {
            Optional<DocumentSignerPool.SignerCertificate> s = serial(reference).flatMap(seals::certificate);
            s.ifPresent(found::add);
            return s.map(c -> x509(c.certificateDer()));
        });
        SealVerifier.Verification v;
        try {
            v = verifier.verify(sealBytes, today);
        } catch (SealException e) {
            // A value the encoder would not write (a C40 triple out of range, a bad date) is a malformed seal here.
            throw e.code() == SealException.Code.WRONG_PROFILE
                    ? e
                    : new SealException(SealException.Code.MALFORMED, e.getMessage());
        }
        SignerStatus status = found.isEmpty()
                ? SignerStatus.UNKNOWN
                : switch (found.get(0).status() == null
                        ? CertificateStatus.REVOKED
                        : found.get(0).status()) {
                    case GOOD -> SignerStatus.GOOD;
                    case HOLD -> SignerStatus.ON_HOLD;
                    case REVOKED -> SignerStatus.REVOKED;
                };
        Optional<TemporaryCertificates.Record> record =
                TemporaryCertificates.find(database, v.content().documentNumber());
        boolean matches = record.map(r -> MessageDigest.isEqual(r.sealSha256(), sha256(sealBytes)))
                .orElse(false);
        return new Verdict(v, status, record, matches, today);
    }

    /** The header's certificate reference (the serial in hex) as the store writes serials: lower-case, no leading zeros. */
    private static Optional<String> serial(String reference) {
        if (reference == null || !reference.matches("[0-9A-Fa-f]{1,40}")) {
            return Optional.empty();
        }
        return Optional.of(new BigInteger(reference, 16).toString(16));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate x509(byte[] der) {
        try {
            return (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new IllegalStateException("a certificate in the store does not parse", e);
        }
    }
}
