package tw.eid.pki.ocsp;

import java.io.IOException;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.ResponderID;
import org.bouncycastle.asn1.ocsp.OCSPRequest;
import org.bouncycastle.asn1.ocsp.RevokedInfo;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.DigestCalculator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.hsm.Token;

/**
 * RFC 6960 / RFC 5019 answers from the store, signed in the token by each CA's delegated signer.
 *
 * <p>Security guarantees: (1) {@code good} only for a certificate whose row is GOOD with its DER
 * stored (a serial whose final write failed is REVOKED in the store, and a serial never issued is
 * {@code unknown}, or the RFC 6960 §2.2 revoked form when configured); (2) a cached response is
 * served only before half of its validity and never after the status change log names its
 * certificate ({@link ResponseCache}); (3) nextUpdate never passes the signer certificate's
 * notAfter, and with an expired signer the answer is tryLater; (4) client input never yields an
 * internalError: anything unreadable is malformedRequest, a CA we do not answer for is
 * unauthorized, a store or token that cannot be reached is tryLater; (5) the answer about a serial
 * never issued is kept in memory for {@link #NEVER_ISSUED_FRESH} at most, so a certificate issued
 * since is answered from the store within that time (before, it is unknown: never good).
 */
public final class OcspResponder {
    private static final Logger log = LoggerFactory.getLogger(OcspResponder.class);

    /** RFC 6960 §4.4.8 id-pkix-ocsp-extended-revoke. */
    static final ASN1ObjectIdentifier EXTENDED_REVOKE = OCSPObjectIdentifiers.id_pkix_ocsp.branch("9");
    /** RFC 6960 §2.2: the revocationTime of the "revoked for a serial never issued" form. */
    static final Instant EPOCH = Instant.EPOCH;
    /** RFC 9654 §2.1: nonce length limits. */
    static final int MAX_NONCE = 128;
    /**
     * How long the answer about a never-issued serial is served from memory. Issuance writes no
     * status change, so this bounds how long a new certificate can still be answered unknown (an
     * HTTP cache may keep that answer for max-age anyway). Short enough for a card just issued at
     * the counter, long enough that a client repeating its question is not a store read each time.
     */
    public static final Duration NEVER_ISSUED_FRESH = Duration.ofSeconds(10);
    /** How recent the last read of the status change log must be for a live signature to use cached statuses. */
    static final Duration STATUS_LOG_CURRENT = Duration.ofSeconds(1);

    private final Database database;
    private final Token token;
    private volatile Instant statusLogReadAt = Instant.MIN;
    private volatile OcspAuthorities authorities;
    private final OcspConfig config;
    private final Clock clock;
    private final ResponseCache cache;
    private final RateLimiter liveSigning;

    public OcspResponder(Database database, Token token, OcspAuthorities authorities, OcspConfig config, Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.token = Objects.requireNonNull(token, "token");
        this.authorities = Objects.requireNonNull(authorities, "authorities");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.cache = new ResponseCache(config.cacheEntries());
        this.liveSigning = new RateLimiter(config.liveSignaturesPerSecond());
    }

    public OcspConfig config() {
        return config;
    }

    public OcspAuthorities authorities() {
        return authorities;
    }

    /** Answers for {@code reloaded} from now on (a renewed signer, a CA added by a ceremony). */
    public void reload(OcspAuthorities reloaded) {
        this.authorities = Objects.requireNonNull(reloaded, "reloaded");
    }

    ResponseCache cache() {
        return cache;
    }

    /**
     * The status change log was read through, starting at {@code startedAt}: every change
     * committed before then has been applied (called by the status log follower).
     */
    public void statusLogRead(Instant startedAt) {
        statusLogReadAt = startedAt;
    }

    /** Drops cached responses of one certificate (called by the status log follower). */
    public void invalidate(String caName, String serialHex) {
        cache.invalidate(caName, serialHex);
    }

    /** Cache figures for /health and the benchmark: entries, hits, misses, evictions. */
    public Map<String, Long> cacheStatistics() {
        return Map.of("entries", (long) cache.size(), "hits", cache.hits(), "misses", cache.misses(),
                "evictions", cache.evictions());
    }

    /**
     * The hot path, which never blocks: the same bytes as an earlier cacheable request (one
     * CertID, no nonce) name the same certificate; its cached answer, if still there and fresh, is
     * served unparsed. Null when {@link #respond} has to do the work (it may read the store or sign).
     */
    public OcspAnswer fromMemory(byte[] requestDer) {
        if (requestDer == null || requestDer.length == 0 || requestDer.length > config.maxRequestBytes()) {
            return null;
        }
        return cache.answer(requestDer, clock.instant());
    }

    /** Answers one DER OCSPRequest. Never throws for client input. */
    public OcspAnswer respond(byte[] requestDer) {
        if (requestDer == null || requestDer.length == 0 || requestDer.length > config.maxRequestBytes()) {
            return status(OCSPRespBuilder.MALFORMED_REQUEST);
        }
        OcspAnswer hit = fromMemory(requestDer);
        if (hit != null) {
            return hit;
        }
        if (!shallowDer(requestDer)) {
            return status(OCSPRespBuilder.MALFORMED_REQUEST);
        }
        OCSPReq request;
        Req[] singles;
        try {
            // fromByteArray refuses trailing bytes; the size limit above bounds the parser, and
            // shallowDer its recursion.
            request = new OCSPReq(OCSPRequest.getInstance(ASN1Primitive.fromByteArray(requestDer)));
            singles = request.getRequestList();
        } catch (IOException | RuntimeException e) {
            return status(OCSPRespBuilder.MALFORMED_REQUEST);
        }
        if (singles.length == 0 || singles.length > config.maxCertIds() || unknownCritical(request, singles)) {
            return status(OCSPRespBuilder.MALFORMED_REQUEST);
        }
        Extension nonce = config.ignoreNonce() ? null : request.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
        if (nonce != null && !validNonce(nonce)) {
            return status(OCSPRespBuilder.MALFORMED_REQUEST);
        }

        OcspAuthority authority = null;
        List<String> serials = new ArrayList<>();
        for (Req single : singles) {
            CertificateID id = single.getCertID();
            OcspAuthority a = authorities.find(id.getHashAlgOID(), id.getIssuerNameHash(), id.getIssuerKeyHash()).orElse(null);
            if (a == null || (authority != null && a != authority)) {
                // Not ours, or CertIDs of CAs with different signers in one request.
                return status(OCSPRespBuilder.UNAUTHORIZED);
            }
            authority = a;
            serials.add(serialHex(id.getSerialNumber()));
        }
        Instant now = clock.instant();
        if (!now.isBefore(authority.signerNotAfter())) {
            log.error("OCSP signer '{}' of '{}' expired at {}: answering tryLater", authority.signerName(),
                    authority.caName(), authority.signerNotAfter());
            return status(OCSPRespBuilder.TRY_LATER);
        }

        boolean cacheable = nonce == null && singles.length == 1;
        String hashOid = singles[0].getCertID().getHashAlgOID().getId();
        String cacheKey = ResponseCache.key(authority.caName(), serials.get(0));
        if (cacheable) {
            OcspAnswer cached = cache.get(cacheKey, hashOid, now);
            if (cached != null) {
                cache.rememberRequest(requestDer, cacheKey, hashOid);
                return cached;
            }
        }
        long sequence = cache.sequence();
        // A status the memory cache holds is as current as an answer it would serve (the status
        // log drops it): a nonce, another CertID hash or several CertIDs need no store read for it.
        Map<String, Row> known = knownStatuses(authority.caName(), serials, now);
        Map<String, Row> rows;
        try {
            if (known != null) {
                rows = known;
            } else if (cacheable && serials.get(0) != null) {
                // One read: the certificate's status and, for SHA-1 CertIDs, its pre-signed response.
                PresignedResponses.Lookup found = PresignedResponses.find(database, authority.caName(), serials.get(0), now);
                if (found.stored() != null && PresignedResponses.HASH_OID.equals(hashOid)) {
                    cache.put(cacheKey, hashOid, new ResponseCache.Entry(found.stored(), freshUntil(found.stored()),
                            new Row(found.current())), sequence);
                    cache.rememberRequest(requestDer, cacheKey, hashOid);
                    return found.stored();
                }
                rows = found.issued() ? Map.of(serials.get(0), new Row(found.current())) : Map.of();
            } else {
                rows = lookUp(authority.caName(), serials);
                // Kept for the next live signature about these certificates (dropped by the log like any entry).
                Instant until = now.plus(config.validity().dividedBy(2));
                for (Map.Entry<String, Row> r : rows.entrySet()) {
                    cache.put(ResponseCache.key(authority.caName(), r.getKey()), ResponseCache.STATUS_ONLY,
                            new ResponseCache.Entry(null, until, r.getValue()), sequence);
                }
            }
        } catch (RuntimeException e) {
            log.warn("OCSP status look-up failed: {}", e.toString());
            return status(OCSPRespBuilder.TRY_LATER);
        }
        boolean neverIssued = serials.stream().anyMatch(s -> s == null || !rows.containsKey(s));
        if ((!cacheable || neverIssued) && !liveSigning.tryAcquire()) {
            return status(OCSPRespBuilder.TRY_LATER);
        }

        List<CertificateStatus> statuses = new ArrayList<>();
        boolean extendedRevoke = false;
        for (String serial : serials) {
            Row row = serial == null ? null : rows.get(serial);
            if (row != null) {
                statuses.add(row.status());
            } else if (config.unknownAsRevoked()) {
                statuses.add(revokedStatus(EPOCH, CRLReason.certificateHold));
                extendedRevoke = true;
            } else {
                statuses.add(new UnknownStatus());
            }
        }
        List<CertificateID> ids = new ArrayList<>();
        for (Req single : singles) {
            ids.add(single.getCertID());
        }
        OcspAnswer answer = sign(authority, ids, statuses, nonce, extendedRevoke, now);
        if (answer == null) {
            return status(OCSPRespBuilder.TRY_LATER);
        }
        if (cacheable && !neverIssued) {
            cache.put(cacheKey, hashOid, new ResponseCache.Entry(answer, freshUntil(answer), rows.get(serials.get(0))), sequence);
            cache.rememberRequest(requestDer, cacheKey, hashOid);
        } else if (cacheable && serials.get(0) != null) {
            Instant until = now.plus(NEVER_ISSUED_FRESH);
            cache.putNeverIssued(cacheKey, hashOid, new ResponseCache.Entry(answer,
                    until.isBefore(freshUntil(answer)) ? until : freshUntil(answer)), sequence);
            cache.rememberRequest(requestDer, cacheKey, hashOid);
        }
        return answer;
    }

    /**
     * The statuses of all {@code serials} if the memory cache holds each and the status change
     * log was read less than {@link #STATUS_LOG_CURRENT} ago, else null (then the store is read).
     * A response signed now from them says "known correct at thisUpdate": true only while the log
     * that would have dropped them is being followed.
     */
    private Map<String, Row> knownStatuses(String caName, List<String> serials, Instant now) {
        if (Duration.between(statusLogReadAt, now).compareTo(STATUS_LOG_CURRENT) > 0) {
            return null;
        }
        Map<String, Row> out = new HashMap<>();
        for (String serial : serials) {
            Row row = serial == null ? null : cache.status(ResponseCache.key(caName, serial), now);
            if (row == null) {
                return null;
            }
            out.put(serial, row);
        }
        return out;
    }

    /** A response is served (from memory or the store) only before half of its validity. */
    static Instant freshUntil(OcspAnswer answer) {
        return answer.thisUpdate().plus(Duration.between(answer.thisUpdate(), answer.nextUpdate()).dividedBy(2));
    }

    /**
     * Signs one BasicOCSPResponse for {@code ids} with {@code statuses} (same order) by the CA's
     * delegated signer: responderID by key, the signer certificate included, thisUpdate and
     * producedAt = now in whole seconds, nextUpdate = now + validity but never past the signer's
     * notAfter. Null if the token fails (the caller answers tryLater).
     */
    OcspAnswer sign(OcspAuthority authority, List<CertificateID> ids, List<CertificateStatus> statuses, Extension nonce,
                    boolean extendedRevoke, Instant now) {
        Instant thisUpdate = now.truncatedTo(ChronoUnit.SECONDS);
        Instant nextUpdate = thisUpdate.plus(config.validity());
        if (nextUpdate.isAfter(authority.signerNotAfter())) {
            nextUpdate = authority.signerNotAfter();
        }
        try {
            BasicOCSPRespBuilder builder = new BasicOCSPRespBuilder(
                    responderId(authority));
            for (int i = 0; i < ids.size(); i++) {
                builder.addResponse(ids.get(i), statuses.get(i), Date.from(thisUpdate), Date.from(nextUpdate), null);
            }
            List<Extension> extensions = new ArrayList<>();
            if (nonce != null) {
                extensions.add(nonce);
            }
            if (extendedRevoke) {
                extensions.add(new Extension(EXTENDED_REVOKE, false, DERNull.INSTANCE.getEncoded(ASN1Encoding.DER)));
            }
            if (!extensions.isEmpty()) {
                builder.setResponseExtensions(new Extensions(extensions.toArray(new Extension[0])));
            }
            BasicOCSPResp basic = builder.build(token.signer(authority.signerKeyLabel()),
                    new X509CertificateHolder[] {authority.signerCertificate()}, Date.from(thisUpdate));
            byte[] der = new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic).getEncoded();
            return new OcspAnswer(der, OCSPRespBuilder.SUCCESSFUL, thisUpdate, nextUpdate);
        } catch (OCSPException | IOException | RuntimeException e) {
            log.warn("OCSP signing failed: {}", e.toString());
            return null;
        }
    }

    /**
     * RFC 6960 §4.2.2.3 byKey: the SHA-1 of the signer's public key BIT STRING (without tag,
     * length and unused-bits octet). A fresh digest each time: signatures run on many threads at
     * once, and a shared Bouncy Castle DigestCalculator is not thread-safe (sharing one gave
     * "problem creating ID" under load).
     */
    static RespID responderId(OcspAuthority authority) {
        byte[] key = authority.signerCertificate().getSubjectPublicKeyInfo().getPublicKeyData().getBytes();
        return new RespID(new ResponderID(new DEROctetString(OcspAuthority.digest("SHA-1", key))));
    }

    /**
     * RFC 6960 §4.4 (and RFC 5280 §4.2): an extension the responder does not recognize is ignored
     * unless it is critical. The nonce is the only one this responder recognizes; a critical
     * other, in the request or in one of its single requests, makes the request one it must not
     * answer as if the extension were not there.
     */
    private static boolean unknownCritical(OCSPReq request, Req[] singles) {
        for (Object oid : request.getCriticalExtensionOIDs()) {
            if (!OCSPObjectIdentifiers.id_pkix_ocsp_nonce.equals(oid)) {
                return true;
            }
        }
        for (Req single : singles) {
            Extensions extensions = single.getSingleRequestExtensions();
            if (extensions != null && extensions.getCriticalExtensionOIDs().length > 0) {
                return true;
            }
        }
        return false;
    }

    /** Nesting deeper than any OCSPRequest has (one with a signature and its certificates is about 12 deep). */
    static final int MAX_DER_NESTING = 32;

    /**
     * Whether {@code der} holds only definite-length values, each length in the fewest octets,
     * nested at most {@link #MAX_DER_NESTING} deep, each within its container, read without
     * recursion. RFC 6960 Appendix A: a request is the DER encoding of the OCSPRequest, and only DER
     * makes one request one string of bytes (the GET form's cache key). Bouncy Castle's parser recurses
     * once per level: 2,500 nested SEQUENCEs in a request of 10 KB overflowed the thread's stack,
     * and the StackOverflowError escaped as an HTTP 500. DER has no indefinite length (X.690
     * §10.1). What passes still has to parse as an OCSPRequest.
     */
    static boolean shallowDer(byte[] der) {
        int[] ends = new int[MAX_DER_NESTING];
        int depth = 0;
        int pos = 0;
        while (pos < der.length) {
            while (depth > 0 && pos == ends[depth - 1]) {
                depth--;
            }
            int limit = depth == 0 ? der.length : ends[depth - 1];
            int id = der[pos++] & 0xff;
            if ((id & 0x1f) == 0x1f) { // high tag number: base-128 octets up to one without bit 8
                do {
                    if (pos >= limit) {
                        return false;
                    }
                } while ((der[pos++] & 0x80) != 0);
            }
            if (pos >= limit) {
                return false;
            }
            int first = der[pos++] & 0xff;
            long length = first;
            if (first == 0x80) {
                return false; // indefinite
            } else if (first > 0x80) {
                int octets = first & 0x7f;
                if (octets > 4 || octets > limit - pos) {
                    return false;
                }
                if (der[pos] == 0) {
                    return false; // DER: no leading zero octet in a length (X.690 §10.1)
                }
                length = 0;
                for (int i = 0; i < octets; i++) {
                    length = (length << 8) | (der[pos++] & 0xff);
                }
                if (length < 0x80) {
                    return false; // DER: a length under 128 takes the short form (X.690 §10.1)
                }
            }
            if (length > limit - pos) {
                return false;
            }
            if ((id & 0x20) != 0) {
                if (depth == MAX_DER_NESTING) {
                    return false;
                }
                ends[depth++] = pos + (int) length;
            } else {
                pos += (int) length;
            }
        }
        return true;
    }

    /** RFC 9654: the nonce is an OCTET STRING of 1 to 128 octets inside extnValue. */
    private static boolean validNonce(Extension nonce) {
        byte[] value = nonce.getExtnValue().getOctets();
        if (!shallowDer(value)) {
            return false;
        }
        try {
            ASN1OctetString inner = ASN1OctetString.getInstance(ASN1Primitive.fromByteArray(value));
            int length = inner.getOctets().length;
            return length >= 1 && length <= MAX_NONCE;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Our serial form (lower-case hex, no leading zeros), or null for what no certificate of ours can carry. */
    static String serialHex(BigInteger serial) {
        if (serial == null || serial.signum() <= 0 || serial.bitLength() > 159) {
            return null;
        }
        return serial.toString(16);
    }

    record Row(CertificateStatus status) {}

    private Map<String, Row> lookUp(String caName, List<String> serials) {
        List<String> wanted = serials.stream().filter(Objects::nonNull).distinct().toList();
        if (wanted.isEmpty()) {
            return Map.of();
        }
        return database.inTransaction(c -> {
            Map<String, Row> out = new HashMap<>();
            StringBuilder sql = new StringBuilder("SELECT serial_hex, status, revocation_reason, revocation_time"
                    + " FROM certificate WHERE ca_name = ? AND serial_hex IN (");
            for (int i = 0; i < wanted.size(); i++) {
                sql.append(i == 0 ? "?" : ", ?");
            }
            sql.append(')');
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                ps.setString(1, caName);
                for (int i = 0; i < wanted.size(); i++) {
                    ps.setString(i + 2, wanted.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), new Row(status(rs.getString(2), rs.getObject(3),
                                rs.getObject(4, LocalDateTime.class))));
                    }
                }
            }
            return out;
        });
    }

    static CertificateStatus status(String status, Object reason, LocalDateTime revoked) {
        switch (status) {
            case "GOOD":
                return CertificateStatus.GOOD;
            case "HOLD":
                return revokedStatus(DatabaseTime.fromColumn(revoked), CRLReason.certificateHold);
            case "REVOKED":
                return revokedStatus(DatabaseTime.fromColumn(revoked), reason == null ? null : ((Number) reason).intValue());
            default:
                throw new IllegalStateException("unknown certificate status " + status);
        }
    }

    /** RevokedInfo with a GeneralizedTime in whole seconds (RFC 5280 §4.1.2.5.2 form) and the reason, if any. */
    static RevokedStatus revokedStatus(Instant time, Integer reason) {
        return new RevokedStatus(new RevokedInfo(new ASN1GeneralizedTime(Date.from(time.truncatedTo(ChronoUnit.SECONDS))),
                reason == null ? null : CRLReason.lookup(reason)));
    }

    /** The unsigned error answers (RFC 6960 §2.3), encoded once: malformed input is the attacker's cheap path. */
    private static final Map<Integer, OcspAnswer> ERRORS = Map.of(
            OCSPRespBuilder.MALFORMED_REQUEST, encodeStatus(OCSPRespBuilder.MALFORMED_REQUEST),
            OCSPRespBuilder.INTERNAL_ERROR, encodeStatus(OCSPRespBuilder.INTERNAL_ERROR),
            OCSPRespBuilder.TRY_LATER, encodeStatus(OCSPRespBuilder.TRY_LATER),
            OCSPRespBuilder.UNAUTHORIZED, encodeStatus(OCSPRespBuilder.UNAUTHORIZED));

    /** The unsigned answer of an error status (malformedRequest, internalError, tryLater, unauthorized). */
    static OcspAnswer status(int responseStatus) {
        return ERRORS.get(responseStatus);
    }

    private static OcspAnswer encodeStatus(int responseStatus) {
        try {
            return new OcspAnswer(new OCSPRespBuilder().build(responseStatus, null).getEncoded(), responseStatus, null, null);
        } catch (OCSPException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses an encoded answer (tests and tools). */
    static OCSPResp parse(byte[] der) throws IOException {
        return new OCSPResp(der);
    }
}
