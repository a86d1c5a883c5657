package tw.eid.pki.ca.document;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.bouncycastle.cert.X509CertificateHolder;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.profile.CertificateIssuance;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.CertificateRequest;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.Token;

/**
 * The document side as a ceremony leaves it, for tests here and in other modules (ca-core's
 * test-jar): a CSCA whose key is in {@code cscaToken} (the offline token; a test may pass the
 * online one), recorded as CA {@code csca}, and a pool of DS keys generated in {@code onlineToken}
 * and certified by the CSCA through {@link DocumentSignerCeremony}.
 */
public final class DocumentSignerFixture {
    public static final String CSCA = "csca";
    public static final Actor CUSTODIANS = Actor.local("ceremony:test-ds-batch");

    public final Database database;
    public final Token cscaToken;
    public final Token onlineToken;
    public final ProfileSettings settings = ProfileSettings.defaults();
    public final X509CertificateHolder csca;
    public final Path cscaPem;
    public final DocumentSignerPool pool;
    /**
     * The pool's monotonic ticker in nanoseconds when the fixture owns it (the 6-argument
     * constructor): it stands still unless a test steps it, e.g. past {@link DocumentSignerPool.Settings#recheck}.
     */
    public final AtomicLong ticker = new AtomicLong();

    private final Clock clock;
    private final AuditLedger audit;
    private SodIssuer sodIssuer;

    /**
     * A CSCA issued at {@code cscaIssuedAt}; the pool runs on {@code clock} and on {@link #ticker},
     * which a test steps to make the pool re-read its signer.
     */
    public DocumentSignerFixture(
            Database database, Token cscaToken, Token onlineToken, Clock clock, Instant cscaIssuedAt, Path dir) {
        this(database, cscaToken, onlineToken, clock, cscaIssuedAt, dir, null);
    }

    /** As above, the pool's ticker {@code ticker} (null: {@link #ticker}), e.g. {@code System::nanoTime}. */
    public DocumentSignerFixture(
            Database database,
            Token cscaToken,
            Token onlineToken,
            Clock clock,
            Instant cscaIssuedAt,
            Path dir,
            LongSupplier ticker) {
        this.database = database;
        this.cscaToken = cscaToken;
        this.onlineToken = onlineToken;
        this.clock = clock;
        this.audit = AuditLedger.hashChained(clock);
        cscaToken.generateKeyPair("csca-key", KeyAlgorithm.EC_P384);
        CertificateIssuance at =
                new CertificateIssuance(settings, Clock.fixed(cscaIssuedAt, ZoneOffset.UTC), new SecureRandom());
        csca = at.issue(
                at.prepareSelfSigned(new CertificateRequest(
                        CertificateProfile.CSCA, settings.names().csca(), cscaToken.publicKey("csca-key"))),
                cscaToken.signer("csca-key"));
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO ca (name, kind, subject_der, certificate_der,"
                            + " key_label, token_label, status, created_at) VALUES (?, 'csca', ?, ?, 'csca-key', ?, 'ACTIVE', ?)")) {
                ps.setString(1, CSCA);
                ps.setBytes(2, csca.getSubject().getEncoded("DER"));
                ps.setBytes(3, csca.getEncoded());
                ps.setString(4, cscaToken.label());
                ps.setObject(5, DatabaseTime.toColumn(cscaIssuedAt));
                ps.executeUpdate();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return null;
        });
        cscaPem = pem(dir.resolve("csca.pem"), csca);
        pool = new DocumentSignerPool(
                database,
                audit,
                clock,
                DocumentSignerPool.DEFAULT_LOW_WATER_MARK,
                DocumentSignerPool.Settings.defaults(),
                ticker != null ? ticker : this.ticker::get);
    }

    /** Generates {@code count} DS keys with {@code maxDocuments} each and certifies them, usage from {@code usageStart} (null: now). */
    public List<DocumentSignerCeremony.Certified> certifiedBatch(int count, long maxDocuments, Instant usageStart) {
        pool.generate(CUSTODIANS, onlineToken, count, KeyAlgorithm.EC_P256, maxDocuments);
        return ceremony().certify(CUSTODIANS, cscaToken, CSCA, count, usageStart);
    }

    public DocumentSignerCeremony ceremony() {
        return new DocumentSignerCeremony(database, settings, audit, clock, new SecureRandom());
    }

    /** The one SOD issuer on {@link #pool} (one group committer). */
    public synchronized SodIssuer sodIssuer() {
        if (sodIssuer == null) {
            sodIssuer = new SodIssuer(database, onlineToken, pool, audit, SodIssuer.DEFAULT_MAX_BATCH);
        }
        return sodIssuer;
    }

    /** Steps {@link #ticker} past the pool's re-check interval: its next reservation re-reads its signer. */
    public void passRecheck() {
        ticker.addAndGet(DocumentSignerPool.DEFAULT_RECHECK.toNanos());
    }

    public static Path pem(Path p, X509CertificateHolder cert) {
        try {
            Files.writeString(
                    p,
                    "-----BEGIN CERTIFICATE-----\n"
                            + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(cert.getEncoded())
                            + "\n-----END CERTIFICATE-----\n");
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
