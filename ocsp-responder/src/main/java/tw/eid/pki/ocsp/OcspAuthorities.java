package tw.eid.pki.ocsp;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.store.CaReader;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.SqlCaStore;

/**
 * The online CAs a responder answers for, read from the store's {@code ca} table: each CA with a
 * delegated OCSP signer (kind {@code ocsp-signer}, status ACTIVE) that it issued directly and that
 * is valid now; of several, the one most recently made valid. A RETIRED signer is never loaded (its
 * key is destroyed or about to be, {@link OcspSignerRetirement}). Offline roots have no signer here
 * and so are answered {@code unauthorized} (they publish CRLs only).
 */
public final class OcspAuthorities {
    private static final Logger log = LoggerFactory.getLogger(OcspAuthorities.class);
    static final String SIGNER_KIND = "ocsp-signer";
    static final String ACTIVE = "ACTIVE";

    private final List<OcspAuthority> authorities;

    public OcspAuthorities(List<OcspAuthority> authorities) {
        this.authorities = List.copyOf(authorities);
    }

    public List<OcspAuthority> all() {
        return authorities;
    }

    /** The authority a CertID names, if this responder answers for it. */
    public Optional<OcspAuthority> find(ASN1ObjectIdentifier hashAlgorithm, byte[] nameHash, byte[] keyHash) {
        for (OcspAuthority a : authorities) {
            if (a.matches(hashAlgorithm, nameHash, keyHash)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    private record Row(String name, String kind, X509CertificateHolder certificate, String keyLabel, String status) {}

    /** Loads every CA that has a valid delegated signer at {@code now}. */
    public static OcspAuthorities load(Database database, Instant now) {
        List<Row> rows = new ArrayList<>();
        for (CaReader.CaRow r : SqlCaStore.over(database).certified()) {
            try {
                rows.add(new Row(
                        r.name(), r.kind(), new X509CertificateHolder(r.certificateDer()), r.keyLabel(), r.status()));
            } catch (IOException e) {
                throw new IllegalStateException("CA '" + r.name() + "' has an unreadable certificate", e);
            }
        }
        List<OcspAuthority> out = new ArrayList<>();
        for (Row ca : rows) {
            if (SIGNER_KIND.equals(ca.kind())) {
                continue;
            }
            Row best = null;
            for (Row signer : rows) {
                if (!SIGNER_KIND.equals(signer.kind())
                        || !ACTIVE.equals(signer.status())
                        || !issuedBy(signer.certificate(), ca.certificate())
                        || !signer.certificate().isValidOn(Date.from(now))) {
                    continue;
                }
                if (best == null
                        || signer.certificate()
                                .getNotBefore()
                                .after(best.certificate().getNotBefore())) {
                    best = signer;
                }
            }
            if (best != null) {
                out.add(OcspAuthority.of(
                        ca.name(), ca.certificate(), best.name(), best.certificate(), best.keyLabel()));
                log.info(
                        "OCSP for CA '{}' signed by '{}' (until {})",
                        ca.name(),
                        best.name(),
                        best.certificate().getNotAfter().toInstant());
            }
        }
        return new OcspAuthorities(out);
    }

    /** Issued directly by {@code ca}: the issuer name is the CA's subject and the CA's key verifies the signature. */
    static boolean issuedBy(X509CertificateHolder cert, X509CertificateHolder ca) {
        try {
            return Arrays.equals(cert.getIssuer().getEncoded(), ca.getSubject().getEncoded())
                    && cert.isSignatureValid(new JcaContentVerifierProviderBuilder()
                            .setProvider(new BouncyCastleProvider())
                            .build(ca.getSubjectPublicKeyInfo()));
        } catch (Exception e) {
            return false;
        }
    }
}
