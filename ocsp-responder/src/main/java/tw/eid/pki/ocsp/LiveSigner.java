package tw.eid.pki.ocsp;

import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.ResponderID;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.hsm.Token;

/**
 * The last link of the responder's chain: signs a response in the token from the statuses the
 * links before it read. A serial without a status was never issued: unknown, or the RFC 6960 §2.2
 * revoked form when configured; never good. Signatures that are not the answer a client repeats
 * (a nonce, several CertIDs, a serial never issued) are rate limited: past the limit, and when
 * the token fails, the answer is tryLater.
 */
final class LiveSigner implements ResponseSource {
    private static final Logger log = LoggerFactory.getLogger(LiveSigner.class);

    private final Token token;
    private final OcspConfig config;
    private final RateLimiter liveSigning;

    LiveSigner(Token token, OcspConfig config, RateLimiter liveSigning) {
        this.token = Objects.requireNonNull(token, "token");
        this.config = Objects.requireNonNull(config, "config");
        this.liveSigning = Objects.requireNonNull(liveSigning, "liveSigning");
    }

    @Override
    public Sourced answer(OcspQuery query) {
        Map<String, OcspResponder.Row> rows = query.statuses() == null ? Map.of() : query.statuses();
        boolean neverIssued = query.serials().stream().anyMatch(s -> s == null || !rows.containsKey(s));
        if ((!query.cacheable() || neverIssued) && !liveSigning.tryAcquire()) {
            OcspMetrics.rateLimited();
            return Sourced.error(OCSPRespBuilder.TRY_LATER);
        }
        List<CertificateStatus> statuses = new ArrayList<>();
        boolean extendedRevoke = false;
        for (String serial : query.serials()) {
            OcspResponder.Row row = serial == null ? null : rows.get(serial);
            if (row != null) {
                statuses.add(row.status());
            } else if (config.unknownAsRevoked()) {
                statuses.add(OcspResponder.revokedStatus(OcspResponder.EPOCH, CRLReason.certificateHold));
                extendedRevoke = true;
            } else {
                statuses.add(new UnknownStatus());
            }
        }
        OcspAnswer answer = sign(query.authority(), query.ids(), statuses, query.nonce(), extendedRevoke, query.now());
        if (answer == null) {
            return Sourced.error(OCSPRespBuilder.TRY_LATER);
        }
        String first = query.firstSerial();
        return new Sourced(answer, first == null ? null : rows.get(first));
    }

    /**
     * Signs one BasicOCSPResponse for {@code ids} with {@code statuses} (same order) by the CA's
     * delegated signer: responderID by key, the signer certificate included, thisUpdate and
     * producedAt = now in whole seconds, nextUpdate = now + validity but never past the signer's
     * notAfter. Null if the token fails (the caller answers tryLater).
     */
    OcspAnswer sign(
            OcspAuthority authority,
            List<CertificateID> ids,
            List<CertificateStatus> statuses,
            Extension nonce,
            boolean extendedRevoke,
            Instant now) {
        Instant thisUpdate = now.truncatedTo(ChronoUnit.SECONDS);
        Instant nextUpdate = thisUpdate.plus(config.validity());
        if (nextUpdate.isAfter(authority.signerNotAfter())) {
            nextUpdate = authority.signerNotAfter();
        }
        try {
            BasicOCSPRespBuilder builder = new BasicOCSPRespBuilder(responderId(authority));
            for (int i = 0; i < ids.size(); i++) {
                builder.addResponse(ids.get(i), statuses.get(i), Date.from(thisUpdate), Date.from(nextUpdate), null);
            }
            List<Extension> extensions = new ArrayList<>();
            if (nonce != null) {
                extensions.add(nonce);
            }
            if (extendedRevoke) {
                extensions.add(new Extension(
                        OcspResponder.EXTENDED_REVOKE, false, DERNull.INSTANCE.getEncoded(ASN1Encoding.DER)));
            }
            if (!extensions.isEmpty()) {
                builder.setResponseExtensions(new Extensions(extensions.toArray(new Extension[0])));
            }
            BasicOCSPResp basic = builder.build(
                    token.signer(authority.signerKeyLabel()),
                    new X509CertificateHolder[] {authority.signerCertificate()},
                    Date.from(thisUpdate));
            byte[] der = new OCSPRespBuilder()
                    .build(OCSPRespBuilder.SUCCESSFUL, basic)
                    .getEncoded();
            return new OcspAnswer(der, OCSPRespBuilder.SUCCESSFUL, thisUpdate, nextUpdate, label(statuses), "live");
        } catch (OCSPException | IOException | RuntimeException e) {
            log.warn("OCSP signing failed: {}", e.toString());
            return null;
        }
    }

    /** The metrics' status label of a response: revoked if any CertID is, else unknown if any is, else good. */
    static String label(List<CertificateStatus> statuses) {
        String label = "good";
        for (CertificateStatus s : statuses) {
            if (s instanceof RevokedStatus) {
                return "revoked";
            }
            if (s instanceof UnknownStatus) {
                label = "unknown";
            }
        }
        return label;
    }

    /**
     * RFC 6960 §4.2.2.3 byKey: the SHA-1 of the signer's public key BIT STRING (without tag,
     * length and unused-bits octet). A fresh digest each time: signatures run on many threads at
     * once, and a shared Bouncy Castle DigestCalculator is not thread-safe (sharing one gave
     * "problem creating ID" under load).
     */
    static RespID responderId(OcspAuthority authority) {
        byte[] key = authority
                .signerCertificate()
                .getSubjectPublicKeyInfo()
                .getPublicKeyData()
                .getBytes();
        return new RespID(new ResponderID(new DEROctetString(OcspAuthority.digest("SHA-1", key))));
    }
}
