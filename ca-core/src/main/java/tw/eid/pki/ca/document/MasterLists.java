package tw.eid.pki.ca.document;

import java.io.IOException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.icao.CscaMasterList;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.cert.X509CertificateHolder;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.issuance.CertificateWriter;
import tw.eid.pki.ca.issuance.IssuingCa;
import tw.eid.pki.ca.profile.CertificateIssuance;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.CertificateRequest;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.CertificateReader;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.MasterListRows;
import tw.eid.pki.ca.store.SqlCertificateStore;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.KeyInfo;
import tw.eid.pki.hsm.Token;

/**
 * The CSCA master list (ICAO 9303-12 §9; docs/profiles.md "Master list signer"), signed at a ceremony:
 * a master-list signer key is generated in the offline token and certified by the CSCA (profile
 * master-list-signer, extKeyUsage 2.23.136.1.1.3 critical), then signs CMS SignedData whose
 * content (id-icao-cscaMasterList, 2.23.136.1.1.2) is CscaMasterList { v0, every CSCA
 * certificate in the store: the self-signed ones and the link certificates }, its certificate
 * included. The newest list is what {@link #latest} returns and {@code /certs/csca-masterlist.ml}
 * serves.
 */
public final class MasterLists {
    /** A signed master list. */
    public record Signed(long id, byte[] der, X509CertificateHolder signer, int cscaCount) {}

    private final Database database;
    private final CertificateReader certificates;
    private final ProfileSettings settings;
    private final AuditLedger audit;
    private final Clock clock;
    private final SecureRandom random;

    public MasterLists(
            Database database, ProfileSettings settings, AuditLedger audit, Clock clock, SecureRandom random) {
        this.database = Objects.requireNonNull(database, "database");
        this.certificates = SqlCertificateStore.over(database);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * The ceremony: a new master-list signer key {@code signerKeyLabel} in {@code offlineToken},
     * certified by CSCA {@code cscaName} (whose key is in the same token), signs the list of every
     * CSCA certificate in the store. The signer's certificate goes through {@link CertificateWriter}:
     * stored revoked before the CSCA key signs it, made good with the list and its audit event in
     * one transaction; a failure after the signature leaves its serial revoked (on the CSCA's next
     * CRL) and audited, and stores no list.
     */
    public Signed sign(Actor actor, Token offlineToken, String cscaName, String signerKeyLabel) {
        IssuingCa csca = IssuingCa.load(database, cscaName);
        if (csca.certificate().profile() != CertificateProfile.CSCA) {
            throw new IllegalArgumentException("CA '" + cscaName + "' is not a CSCA");
        }
        KeyInfo key = offlineToken.generateKeyPair(signerKeyLabel, KeyAlgorithm.EC_P256);
        if (!key.sensitive() || key.extractable()) {
            throw new IllegalStateException(
                    "token generated '" + signerKeyLabel + "' without CKA_SENSITIVE or with CKA_EXTRACTABLE");
        }
        CertificateIssuance issuance = new CertificateIssuance(settings, clock, random);
        CertificateWriter.Batch batch = new CertificateWriter(database, audit, clock)
                .begin(issuance, actor.event("csca.master-list", cscaName, AuditResult.FAILURE));
        CertificateWriter.Pending pending = database.inTransaction(c -> batch.prepare(
                c,
                cscaName,
                new CertificateRequest(
                        CertificateProfile.MASTER_LIST_SIGNER, settings.names().masterListSigner(), key.publicKey()),
                csca.certificate(),
                null,
                null,
                null));
        X509CertificateHolder signerCert = batch.sign(pending, () -> offlineToken.signer(csca.keyLabel()));
        List<X509CertificateHolder> cscas;
        byte[] der;
        Instant now = clock.instant();
        try {
            cscas = cscaCertificates();
            byte[] content = SecurityObjects.der(new CscaMasterList(
                    cscas.stream().map(X509CertificateHolder::toASN1Structure).toArray(Certificate[]::new)));
            PublicKey signerKey = SecurityObjects.publicKey(signerCert.getSubjectPublicKeyInfo());
            ContentInfo list = SecurityObjects.signedData(
                    SecurityObjects.CSCA_MASTER_LIST,
                    content,
                    offlineToken.signer(signerKeyLabel),
                    signerCert,
                    signerKey,
                    now);
            der = SecurityObjects.der(list);
        } catch (RuntimeException e) {
            throw batch.abandon(e);
        }
        long id = batch.finish(c -> {
            long newId = MasterListRows.insert(c, signerCert.getSerialNumber().toString(16), cscas.size(), der, now);
            audit.append(
                    c,
                    actor.event("csca.master-list", "master-list-" + newId, AuditResult.SUCCESS)
                            .withDetails(AuditDetails.of()
                                    .put(
                                            "signerSerial",
                                            signerCert.getSerialNumber().toString(16))
                                    .put("cscaCertificates", cscas.size())));
            return newId;
        });
        return new Signed(id, der, signerCert, cscas.size());
    }

    /** Every CSCA certificate in the store: self-signed CSCAs (ca rows of kind csca) and link certificates. */
    public List<X509CertificateHolder> cscaCertificates() {
        return database.inTransaction(c -> {
            Map<String, X509CertificateHolder> certs = new LinkedHashMap<>();
            for (byte[] der : MasterListRows.cscaCertificates(c)) {
                add(der, certs);
            }
            for (byte[] der : certificates.goodOfProfile(c, CertificateProfile.CSCA_LINK.id())) {
                add(der, certs);
            }
            return new ArrayList<>(certs.values());
        });
    }

    private static void add(byte[] der, Map<String, X509CertificateHolder> into) {
        try {
            X509CertificateHolder h = new X509CertificateHolder(der);
            into.put(HexFormat.of().formatHex(h.getEncoded()), h);
        } catch (IOException e) {
            throw new IllegalStateException("an unreadable CSCA certificate in the store", e);
        }
    }

    /** The newest master list's DER and time, if any (what {@code /certs/csca-masterlist.ml} serves). */
    public Optional<Latest> latest() {
        return database.inTransaction(MasterListRows::latest).map(m -> new Latest(m.id(), m.der(), m.createdAt()));
    }

    /** A stored master list. */
    public record Latest(long id, byte[] der, Instant createdAt) {}
}
