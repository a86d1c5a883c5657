package tw.eid.pki.ra.store;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import tw.eid.pki.ca.store.CertificateReader;
import tw.eid.pki.ca.store.CertificateReader.StoredCertificate;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.SqlCertificateStore;

/**
 * The look-ups the RA needs, through ca-core's {@link CertificateReader}: one certificate by CA
 * and serial (the operator's own, on every request; {@code GET /certificates/{serial}}) and the
 * certificates of a card. No SQL here: the statements are the reader's.
 */
public final class CertificateRecords {
    private final Database database;
    private final CertificateReader certificates;

    public CertificateRecords(Database database) {
        this.database = Objects.requireNonNull(database, "database");
        this.certificates = SqlCertificateStore.over(database);
    }

    /** The certificate, if it was issued whole (one read, no transaction around it). */
    public Optional<CertificateRecord> find(String caName, String serialHex) {
        return certificates.find(caName, serialHex).map(CertificateRecords::record);
    }

    /** The card's certificates stored whole, oldest first. */
    public List<CertificateRecord> ofCard(String cardNumber) {
        return certificates.ofCard(cardNumber).stream()
                .map(CertificateRecords::record)
                .toList();
    }

    /** Whether the database answers within {@code seconds}, for {@code /health}. */
    public boolean reachable(int seconds) {
        return database.reachable(seconds);
    }

    private static CertificateRecord record(StoredCertificate s) {
        return new CertificateRecord(
                s.caName(),
                s.serialHex(),
                s.profile(),
                s.cardNumber(),
                s.status(),
                s.revocationReason(),
                s.revocationTime(),
                s.notBefore(),
                s.notAfter(),
                s.der());
    }
}
