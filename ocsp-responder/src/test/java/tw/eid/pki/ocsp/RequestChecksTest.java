package tw.eid.pki.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/**
 * The request checks alone: what a client sent is read and checked before anything is looked up;
 * what passes is handed on as a query, what does not is answered here. Certificates made in
 * software (the checks read no token and no store); the next source only records what it is given.
 */
class RequestChecksTest {
    static final Instant NOW = Instant.parse("2028-02-29T12:00:00Z");
    static final OcspAnswer PASSED = new OcspAnswer(new byte[] {0x30, 0}, 0, NOW, NOW.plusSeconds(3600));
    static final OcspAuthority CA = authority("Checks CA", NOW.plusSeconds(86_400));
    static final OcspAuthority OTHER = authority("Other CA", NOW.plusSeconds(86_400));

    final List<OcspQuery> passed = new ArrayList<>();
    final RequestChecks checks = checks(OcspConfig.defaults(), new OcspAuthorities(List.of(CA, OTHER)));

    RequestChecks checks(OcspConfig config, OcspAuthorities authorities) {
        return new RequestChecks(config, () -> authorities, q -> {
            passed.add(q);
            return new ResponseSource.Sourced(PASSED, null);
        });
    }

    /** A CA certificate and a delegated signer certificate ending at {@code signerNotAfter}, keys in software. */
    static OcspAuthority authority(String name, Instant signerNotAfter) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair caKey = generator.generateKeyPair();
            KeyPair signerKey = generator.generateKeyPair();
            X500Name caName = new X500Name("CN=" + name);
            X509CertificateHolder ca = certificate(caName, caName, caKey, caKey, NOW.plusSeconds(864_000));
            X509CertificateHolder signer =
                    certificate(caName, new X500Name("CN=" + name + " OCSP"), signerKey, caKey, signerNotAfter);
            return OcspAuthority.of(name.toLowerCase().replace(' ', '-'), ca, name + " OCSP", signer, "unused-label");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509CertificateHolder certificate(
            X500Name issuer, X500Name subject, KeyPair subjectKey, KeyPair issuerKey, Instant notAfter)
            throws Exception {
        return new JcaX509v3CertificateBuilder(
                        issuer,
                        BigInteger.ONE,
                        Date.from(NOW.minusSeconds(86_400)),
                        Date.from(notAfter),
                        subject,
                        subjectKey.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate()));
    }

    static CertificateID id(OcspAuthority authority, BigInteger serial) throws Exception {
        return OcspResponderTest.id(authority.caCertificate(), serial);
    }

    static byte[] request(Extensions extensions, CertificateID... ids) throws Exception {
        return HostileOcspRequestTest.request(extensions, ids);
    }

    /** The query the checks pass on for a request about {@code serials} of {@code about}'s CA (statuses not read). */
    static OcspQuery query(OcspAuthority about, Instant now, Extension nonce, BigInteger... serials) throws Exception {
        List<CertificateID> ids = new ArrayList<>();
        List<String> hex = new ArrayList<>();
        for (BigInteger serial : serials) {
            ids.add(id(about, serial));
            hex.add(RequestChecks.serialHex(serial));
        }
        byte[] der = request(nonce == null ? null : new Extensions(nonce), ids.toArray(new CertificateID[0]));
        return new OcspQuery(der, about, ids, hex, nonce, now);
    }

    static Extensions nonce(int octets) throws Exception {
        return new Extensions(new Extension(
                OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
                false,
                new DEROctetString(new byte[octets]).getEncoded(ASN1Encoding.DER)));
    }

    int status(byte[] der) {
        return checks.answer(der, NOW).responseStatus();
    }

    @Test
    void aValidRequestIsPassedOnAsAQueryOfItsAuthorityCertIdsAndSerials() throws Exception {
        CertificateID first = id(CA, new BigInteger("0abc", 16));
        CertificateID second = id(CA, BigInteger.valueOf(255));
        byte[] der = request(null, first, second);
        assertThat(checks.answer(der, NOW)).isSameAs(PASSED);
        OcspQuery q = passed.get(0);
        assertThat(q.der()).isEqualTo(der);
        assertThat(q.authority()).isSameAs(CA);
        assertThat(q.ids()).containsExactly(first, second);
        assertThat(q.serials()).containsExactly("abc", "ff");
        assertThat(q.now()).isEqualTo(NOW);
        assertThat(q.nonce()).isNull();
        assertThat(q.statuses()).isNull(); // nothing read yet
        assertThat(q.cacheable()).isFalse(); // two CertIDs

        checks.answer(request(null, first), NOW);
        assertThat(passed.get(1).cacheable()).isTrue();
        assertThat(passed.get(1).cacheKey()).isEqualTo("checks-ca/abc");
        assertThat(passed.get(1).hashOid()).isEqualTo("1.3.14.3.2.26");
    }

    @Test
    void serialsNoCertificateOfOursCanCarryArePassedOnAsNull() throws Exception {
        checks.answer(
                request(
                        null,
                        id(CA, BigInteger.ZERO),
                        id(CA, BigInteger.ONE.shiftLeft(159)),
                        id(CA, BigInteger.ONE.shiftLeft(158))),
                NOW);
        assertThat(passed.get(0).serials())
                .containsExactly(null, null, BigInteger.ONE.shiftLeft(158).toString(16));
        assertThat(RequestChecks.serialHex(BigInteger.valueOf(-1))).isNull();
        assertThat(RequestChecks.serialHex(null)).isNull();
    }

    @Test
    void unreadableInputIsMalformedAndGoesNoFurther() throws Exception {
        byte[] valid = request(null, id(CA, BigInteger.TEN));
        assertThat(status(null)).isEqualTo(1);
        assertThat(status(new byte[0])).isEqualTo(1);
        assertThat(status(new byte[OcspConfig.defaults().maxRequestBytes() + 1]))
                .isEqualTo(1);
        assertThat(status("GET / HTTP/1.1".getBytes())).isEqualTo(1);
        assertThat(status(Arrays.copyOf(valid, valid.length + 1))).isEqualTo(1); // trailing byte
        assertThat(status(Arrays.copyOf(valid, valid.length - 1))).isEqualTo(1); // cut short
        byte[] indefinite = valid.clone();
        indefinite[1] = (byte) 0x80;
        assertThat(status(indefinite)).isEqualTo(1);
        assertThat(status(nested(RequestChecks.MAX_DER_NESTING + 1))).isEqualTo(1);
        assertThat(status(new byte[] {0x30, 0})).isEqualTo(1); // a SEQUENCE, not an OCSPRequest
        assertThat(passed).isEmpty();
    }

    @Test
    void nestingIsBoundedAndLengthsMustBeDer() {
        assertThat(RequestChecks.shallowDer(nested(RequestChecks.MAX_DER_NESTING)))
                .isTrue();
        assertThat(RequestChecks.shallowDer(nested(RequestChecks.MAX_DER_NESTING + 1)))
                .isFalse();
        assertThat(RequestChecks.shallowDer(new byte[] {0x04, (byte) 0x81, 0x01, 0x00}))
                .isFalse(); // long form under 128
        assertThat(RequestChecks.shallowDer(new byte[] {0x04, (byte) 0x82, 0x00, (byte) 0x80}))
                .isFalse(); // leading zero
        assertThat(RequestChecks.shallowDer(new byte[] {0x30, 0x03, 0x04, 0x05, 0x00}))
                .isFalse(); // past its container
        assertThat(RequestChecks.shallowDer(new byte[] {0x30, 0x02, 0x04, 0x00}))
                .isTrue();
    }

    /** {@code depth} definite-length SEQUENCEs, each holding the next; the innermost empty. */
    static byte[] nested(int depth) {
        byte[] out = new byte[2 * depth];
        for (int i = 0; i < depth; i++) {
            out[2 * i] = 0x30;
            out[2 * i + 1] = (byte) (2 * (depth - i - 1));
        }
        return out;
    }

    @Test
    void tooManyCertIdsOrAnUnknownCriticalExtensionAreMalformed() throws Exception {
        CertificateID[] many = new CertificateID[OcspConfig.defaults().maxCertIds() + 1];
        Arrays.fill(many, id(CA, BigInteger.TEN));
        assertThat(status(request(null, many))).isEqualTo(1);
        assertThat(status(request(null, Arrays.copyOf(many, many.length - 1)))).isZero();

        ASN1ObjectIdentifier unknown = new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1");
        byte[] value = DERNull.INSTANCE.getEncoded(ASN1Encoding.DER);
        assertThat(status(request(new Extensions(new Extension(unknown, true, value)), id(CA, BigInteger.TEN))))
                .isEqualTo(1);
        assertThat(status(request(new Extensions(new Extension(unknown, false, value)), id(CA, BigInteger.TEN))))
                .isZero(); // not critical: ignored
        byte[] criticalSingle = new OCSPReqBuilder()
                .addRequest(id(CA, BigInteger.TEN), new Extensions(new Extension(unknown, true, value)))
                .build()
                .getEncoded();
        assertThat(status(criticalSingle)).isEqualTo(1);
        assertThat(passed).hasSize(2);
    }

    @Test
    void noncesOfOneTo128OctetsArePassedOnOthersAreMalformed() throws Exception {
        CertificateID id = id(CA, BigInteger.TEN);
        for (int n : new int[] {1, 128}) {
            assertThat(status(request(nonce(n), id))).isZero();
            OcspQuery q = passed.get(passed.size() - 1);
            assertThat(q.nonce().getExtnValue().getOctets()).isEqualTo(new DEROctetString(new byte[n]).getEncoded());
            assertThat(q.cacheable()).isFalse();
        }
        assertThat(status(request(nonce(0), id))).isEqualTo(1);
        assertThat(status(request(nonce(129), id))).isEqualTo(1);
        Extensions notAnOctetString = new Extensions(new Extension(
                OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, DERNull.INSTANCE.getEncoded(ASN1Encoding.DER)));
        assertThat(status(request(notAnOctetString, id))).isEqualTo(1);
        assertThat(passed).hasSize(2);

        RequestChecks ignoring = checks(OcspConfig.defaults().withIgnoreNonce(true), new OcspAuthorities(List.of(CA)));
        assertThat(ignoring.answer(request(nonce(200), id), NOW).responseStatus())
                .isZero();
        assertThat(passed.get(2).nonce()).isNull();
        assertThat(passed.get(2).cacheable()).isTrue();
    }

    @Test
    void certIdsOfACaWeDoNotAnswerForOrOfTwoCasAreUnauthorized() throws Exception {
        OcspAuthority stranger = authority("Stranger CA", NOW.plusSeconds(86_400));
        assertThat(status(request(null, id(stranger, BigInteger.TEN)))).isEqualTo(6);
        assertThat(status(request(null, id(CA, BigInteger.TEN), id(OTHER, BigInteger.TEN))))
                .isEqualTo(6);
        assertThat(status(request(null, id(CA, BigInteger.TEN), id(stranger, BigInteger.TEN))))
                .isEqualTo(6);
        assertThat(passed).isEmpty();
    }

    @Test
    void theAuthoritiesAreReadForEachRequest() throws Exception {
        AtomicReference<OcspAuthorities> current = new AtomicReference<>(new OcspAuthorities(List.of(CA)));
        RequestChecks reloading =
                new RequestChecks(OcspConfig.defaults(), current::get, q -> new ResponseSource.Sourced(PASSED, null));
        byte[] other = request(null, id(OTHER, BigInteger.TEN));
        assertThat(reloading.answer(other, NOW).responseStatus()).isEqualTo(6);
        current.set(new OcspAuthorities(List.of(CA, OTHER)));
        assertThat(reloading.answer(other, NOW)).isSameAs(PASSED);
    }

    @Test
    void aCaWhoseSignerHasExpiredIsTryLater() throws Exception {
        OcspAuthority expiring = authority("Expiring CA", NOW.plusSeconds(60));
        RequestChecks withExpiring = checks(OcspConfig.defaults(), new OcspAuthorities(List.of(expiring)));
        byte[] der = request(null, id(expiring, BigInteger.TEN));
        Instant notAfter = expiring.signerNotAfter();
        assertThat(withExpiring.answer(der, notAfter.minusSeconds(1))).isSameAs(PASSED);
        assertThat(withExpiring.answer(der, notAfter).responseStatus()).isEqualTo(3);
        assertThat(withExpiring.answer(der, notAfter.plusSeconds(1)).responseStatus())
                .isEqualTo(3);
        assertThat(passed).hasSize(1);
    }
}
