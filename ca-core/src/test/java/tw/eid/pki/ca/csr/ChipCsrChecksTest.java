package tw.eid.pki.ca.csr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.DLSequence;
import org.bouncycastle.asn1.DLSet;
import org.bouncycastle.asn1.DLTaggedObject;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tw.eid.pki.ca.csr.CsrRejectedException.Code;
import tw.eid.pki.ca.csr.CsrRejectedException.Kind;
import tw.eid.pki.ca.profile.PublicKeyType;

class ChipCsrChecksTest {

    private static final ChipCsrChecks CHECKS = new ChipCsrChecks();
    private static final ASN1ObjectIdentifier SOME_ATTRIBUTE = new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1");

    /** Keys and requests made once for the whole class (RSA key generation is the slow part). */
    private static final class Keys {
        static final KeyPair P256 = TestCsrs.ec("secp256r1");
        static final KeyPair P384 = TestCsrs.ec("secp384r1");
        static final KeyPair RSA2048 = TestCsrs.rsa(2048, TestCsrs.F4);
        static final KeyPair RSA3072 = TestCsrs.rsa(3072, TestCsrs.F4);
        static final KeyPair RSA4096 = TestCsrs.rsa(4096, TestCsrs.F4);
        static final byte[] GOOD_P256 = TestCsrs.csr(P256, "SHA256withECDSA");
    }

    /** The bad requests: each is refused with its own code. */
    private static final class Corpus {
        static final Map<String, Bad> ITEMS = build();

        record Bad(byte[] request, Code code) {}

        private static Map<String, Bad> build() {
            Map<String, Bad> items = new LinkedHashMap<>();
            byte[] good = Keys.GOOD_P256;

            items.put(
                    "signature bytes altered (no proof of possession)",
                    new Bad(TestCsrs.flipLastByte(good), Code.BAD_PROOF_OF_POSSESSION));
            items.put(
                    "RSA-1024",
                    new Bad(TestCsrs.csr(TestCsrs.rsa(1024, TestCsrs.F4), "SHA256withRSA"), Code.RSA_KEY_SIZE));
            items.put(
                    "RSA e = 3",
                    new Bad(
                            TestCsrs.csr(TestCsrs.rsa(2048, BigInteger.valueOf(3)), "SHA256withRSA"),
                            Code.RSA_EXPONENT));
            items.put(
                    "ROCA modulus (Infineon RSALib prime form)",
                    new Bad(
                            TestCsrs.csr(
                                    TestCsrs.rsaFromPrimes(TestCsrs.rocaPrime(), TestCsrs.rocaPrime()),
                                    "SHA256withRSA"),
                            Code.RSA_ROCA));
            BigInteger[] adjacent = TestCsrs.adjacentPrimes();
            items.put(
                    "Fermat-factorable RSA-2048 (adjacent primes)",
                    new Bad(
                            TestCsrs.csr(TestCsrs.rsaFromPrimes(adjacent[0], adjacent[1]), "SHA256withRSA"),
                            Code.RSA_CLOSE_PRIMES));
            items.put("small factor (N = 3 * prime, 2048 bits)", new Bad(smallFactorRequest(), Code.RSA_SMALL_FACTOR));
            items.put("EC point off the curve", new Bad(offCurveRequest(), Code.EC_INVALID_POINT));
            items.put("explicit curve parameters", new Bad(explicitParametersRequest(), Code.EC_EXPLICIT_PARAMETERS));
            items.put(
                    "unknown curve secp256k1",
                    new Bad(TestCsrs.csr(TestCsrs.ec("secp256k1"), "SHA256withECDSA"), Code.EC_CURVE));
            items.put(
                    "trailing bytes after the DER", new Bad(TestCsrs.concat(good, new byte[] {0}), Code.TRAILING_DATA));
            items.put(
                    "1 MB request",
                    new Bad(
                            TestCsrs.csrWithAttribute(Keys.P256, SOME_ATTRIBUTE, new DEROctetString(new byte[1 << 20])),
                            Code.TOO_LARGE));
            items.put(
                    "nesting deeper than 30",
                    new Bad(TestCsrs.csrWithAttribute(Keys.P256, SOME_ATTRIBUTE, nested(40)), Code.TOO_DEEP));
            items.put("indefinite-length BER", new Bad(indefinite(good), Code.INDEFINITE_LENGTH));
            items.put(
                    "huge length field 84 7f ff ff ff",
                    new Bad(
                            TestCsrs.concat(
                                    new byte[] {0x30, (byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff},
                                    Arrays.copyOfRange(good, 4, good.length)),
                            Code.BAD_LENGTH));
            items.put(
                    "object identifier of 100 arcs",
                    new Bad(TestCsrs.csrWithAttribute(Keys.P256, longOid(100), DERNull.INSTANCE), Code.BAD_OID));
            items.put("SHA-1 signature", new Bad(TestCsrs.csr(Keys.RSA2048, "SHA1withRSA"), Code.SIGNATURE_ALGORITHM));
            items.put("non-minimal length", new Bad(nonMinimalLength(good), Code.NON_MINIMAL_LENGTH));
            items.put("unsorted SET OF (BER, not DER)", new Bad(unsortedAttributes(), Code.NOT_DER));
            items.put("not a CertificationRequest", new Bad(new byte[] {0x30, 0x03, 0x02, 0x01, 0x00}, Code.MALFORMED));
            items.put("two PEM blocks", new Bad(twoPemBlocks(good), Code.BAD_PEM));
            items.put("DSA key", new Bad(foreignKeyRequest("DSA"), Code.KEY_ALGORITHM));
            return items;
        }
    }

    static Stream<Arguments> badRequests() {
        return Corpus.ITEMS.entrySet().stream()
                .map(e -> Arguments.of(
                        e.getKey(), e.getValue().request(), e.getValue().code()));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("badRequests")
    void refusesEachBadRequestWithItsOwnCode(String name, byte[] request, Code code) {
        assertRefused(request, code);
    }

    @Test
    void corpusItemsHaveDistinctCodes() {
        List<Code> codes = Corpus.ITEMS.values().stream().map(Corpus.Bad::code).toList();
        assertThat(codes).doesNotHaveDuplicates();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void preScanReadsNoMoreThanTheInputWhateverTheDeclaredLengths(String name, byte[] request, Code code) {
        if (code == Code.TOO_LARGE || code == Code.BAD_PEM) {
            return; // refused before the scan
        }
        DerScanner scanner = new DerScanner(CsrLimits.DEFAULT.maxNesting());
        try {
            scanner.scan(request);
        } catch (CsrRejectedException e) {
            assertThat(e.code().kind()).isEqualTo(Kind.MALFORMED);
        }
        assertThat(scanner.bytesRead()).isLessThanOrEqualTo(request.length);
    }

    @Test
    void hugeDeclaredLengthsAndHugeInputsAreRefusedWithoutAllocatingForThem() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);
        CHECKS.check(Keys.GOOD_P256); // warm up: classes, providers, static tables
        byte[] twoGiB = TestCsrs.concat(new byte[] {0x30, (byte) 0x84, (byte) 0x80, 0, 0, 0}, new byte[64]);
        byte[] fourGiB = TestCsrs.concat(
                new byte[] {0x30, (byte) 0x84, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, new byte[64]);
        byte[] megabyte = Corpus.ITEMS.get("1 MB request").request();
        byte[] megabytePem = pem(megabyte);
        long thread = Thread.currentThread().getId();
        for (byte[] input : List.of(twoGiB, fourGiB, megabyte, megabytePem)) {
            try {
                CHECKS.check(input); // once unmeasured: the first refusal on a path bootstraps its message formatting
            } catch (CsrRejectedException expected) {
                // measured below
            }
            CsrRejectedException refused = null;
            long before = threads.getThreadAllocatedBytes(thread);
            try {
                CHECKS.check(input);
            } catch (CsrRejectedException e) {
                refused = e;
            }
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            assertThat(refused).isNotNull();
            // The exception and its stack trace are all; nothing of the size of the input or of 2^31.
            assertThat(allocated).as("bytes allocated").isLessThan(64 * 1024);
        }
    }

    @Test
    void everyCodeHasAStableIdAndAKind() {
        for (Code code : Code.values()) {
            assertThat(code.id()).startsWith("csr.").matches("csr\\.[a-z0-9-]+");
        }
        Set<Code> malformed = EnumSet.of(
                Code.TOO_LARGE,
                Code.BAD_PEM,
                Code.TRAILING_DATA,
                Code.INDEFINITE_LENGTH,
                Code.NON_MINIMAL_LENGTH,
                Code.BAD_LENGTH,
                Code.TOO_DEEP,
                Code.BAD_OID,
                Code.NOT_DER,
                Code.MALFORMED);
        for (Code code : Code.values()) {
            assertThat(code.kind()).as(code.id()).isEqualTo(malformed.contains(code) ? Kind.MALFORMED : Kind.POLICY);
        }
    }

    // ---- good requests ----

    @Test
    void acceptsChipKeysMadeWithBouncyCastle() {
        assertAccepted(Keys.GOOD_P256, Keys.P256, PublicKeyType.EC_P256);
        assertAccepted(TestCsrs.csr(Keys.P256, "SHA512withECDSA"), Keys.P256, PublicKeyType.EC_P256);
        assertAccepted(TestCsrs.csr(Keys.P384, "SHA384withECDSA"), Keys.P384, PublicKeyType.EC_P384);
        assertAccepted(TestCsrs.csr(Keys.RSA2048, "SHA256withRSA"), Keys.RSA2048, PublicKeyType.RSA_2048);
        assertAccepted(TestCsrs.csr(Keys.RSA3072, "SHA384withRSA"), Keys.RSA3072, PublicKeyType.RSA_3072);
        assertAccepted(TestCsrs.csr(Keys.RSA4096, "SHA512withRSA"), Keys.RSA4096, PublicKeyType.RSA_4096);
        assertAccepted(TestCsrs.csr(Keys.RSA2048, "SHA256withRSAandMGF1"), Keys.RSA2048, PublicKeyType.RSA_2048);
    }

    @Test
    void acceptsRequestsMadeByOpensslReq() throws IOException {
        assertThat(CHECKS.check(resource("openssl-p256.csr.pem")).keyType()).isEqualTo(PublicKeyType.EC_P256);
        assertThat(CHECKS.check(resource("openssl-p384.csr.der")).keyType()).isEqualTo(PublicKeyType.EC_P384);
        assertThat(CHECKS.check(resource("openssl-rsa2048.csr.pem")).keyType()).isEqualTo(PublicKeyType.RSA_2048);
        assertThat(CHECKS.check(resource("openssl-rsa2048-pss.csr.pem")).keyType())
                .isEqualTo(PublicKeyType.RSA_2048);
    }

    @Test
    void acceptsPemWithCrlfAndSurroundingWhitespace() {
        String base64 = Base64.getMimeEncoder(64, "\r\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(Keys.GOOD_P256);
        String text =
                "\n  -----BEGIN CERTIFICATE REQUEST-----\r\n" + base64 + "\r\n-----END CERTIFICATE REQUEST-----\r\n\n";
        assertThat(CHECKS.check(text.getBytes(StandardCharsets.US_ASCII)).keyType())
                .isEqualTo(PublicKeyType.EC_P256);
    }

    @Test
    void theSubjectIsNotLookedAt() {
        // Empty, or holding what a certificate must never carry: the RA supplies the subject anyway.
        for (X500Name subject : List.of(new X500Name(new RDN[0]), new X500Name("CN=A123456789,OU=national id"))) {
            byte[] request = TestCsrs.csrWithSubject(Keys.P256, subject);
            assertThat(CHECKS.check(request).keyType()).isEqualTo(PublicKeyType.EC_P256);
        }
    }

    // ---- more refusals, beyond the one-code-each corpus ----

    @Test
    void refusesOtherWeakSignatureAlgorithms() {
        assertRefused(TestCsrs.csr(Keys.RSA2048, "MD5withRSA"), Code.SIGNATURE_ALGORITHM);
        assertRefused(TestCsrs.csr(Keys.P256, "SHA1withECDSA"), Code.SIGNATURE_ALGORITHM);
        assertRefused(TestCsrs.csr(Keys.RSA2048, "SHA1withRSAandMGF1"), Code.SIGNATURE_ALGORITHM);
        assertRefused(TestCsrs.csr(Keys.P256, "SHA224withECDSA"), Code.SIGNATURE_ALGORITHM);
    }

    @Test
    void refusesASignatureAlgorithmOfTheWrongFamily() {
        SubjectPublicKeyInfo rsaKey =
                SubjectPublicKeyInfo.getInstance(Keys.RSA2048.getPublic().getEncoded());
        assertRefused(
                TestCsrs.csr(rsaKey, Keys.P256.getPrivate(), "SHA256withECDSA", null, null), Code.SIGNATURE_ALGORITHM);
    }

    @Test
    void refusesOtherCurvesAndPointEncodings() {
        assertRefused(TestCsrs.csr(TestCsrs.ec("brainpoolP384r1"), "SHA384withECDSA"), Code.EC_CURVE);
        assertRefused(TestCsrs.csr(TestCsrs.ec("secp521r1"), "SHA512withECDSA"), Code.EC_CURVE);
        SubjectPublicKeyInfo good =
                SubjectPublicKeyInfo.getInstance(Keys.P256.getPublic().getEncoded());
        byte[] point = good.getPublicKeyData().getOctets();
        // The point at infinity (SEC 1 §2.3.3: a single 00).
        assertRefused(withPoint(good, new byte[] {0}), Code.EC_INVALID_POINT);
        // Compressed form: refused by decision (RFC 5480 §2.2 makes only uncompressed mandatory).
        byte[] compressed = ECNamedCurveTable.getByName("P-256")
                .getCurve()
                .decodePoint(point)
                .getEncoded(true);
        assertRefused(withPoint(good, compressed), Code.EC_INVALID_POINT);
        // Truncated.
        assertRefused(withPoint(good, Arrays.copyOf(point, point.length - 1)), Code.EC_INVALID_POINT);
    }

    @Test
    void refusesKeysOfOtherAlgorithms() {
        assertRefused(foreignKeyRequest("Ed25519"), Code.KEY_ALGORITHM);
    }

    @Test
    void refusesAnRsaModulusEncodedAsANegativeInteger() {
        BigInteger n = ((RSAPublicKey) Keys.RSA2048.getPublic()).getModulus();
        byte[] magnitude = Arrays.copyOfRange(n.toByteArray(), 1, 257); // drop the sign octet: reads as negative
        byte[] inner = TestCsrs.concat(
                new byte[] {0x30, (byte) 0x82, 0x01, 0x09, 0x02, (byte) 0x82, 0x01, 0x00},
                magnitude,
                new byte[] {0x02, 0x03, 0x01, 0x00, 0x01});
        SubjectPublicKeyInfo spki = new SubjectPublicKeyInfo(
                new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE), inner);
        assertRefused(TestCsrs.csr(spki, Keys.RSA2048.getPrivate(), "SHA256withRSA", null, null), Code.NOT_DER);
    }

    @Test
    void refusesRsaKeysWithoutNullParameters() {
        SubjectPublicKeyInfo good =
                SubjectPublicKeyInfo.getInstance(Keys.RSA2048.getPublic().getEncoded());
        SubjectPublicKeyInfo absent = new SubjectPublicKeyInfo(
                new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption),
                good.getPublicKeyData().getOctets());
        assertRefused(TestCsrs.csr(absent, Keys.RSA2048.getPrivate(), "SHA256withRSA", null, null), Code.MALFORMED);
    }

    @Test
    void refusesOidArcsOf2To64() {
        ASN1ObjectIdentifier big = new ASN1ObjectIdentifier("1.3.6.1.4.1.18446744073709551616");
        assertRefused(TestCsrs.csrWithAttribute(Keys.P256, big, DERNull.INSTANCE), Code.BAD_OID);
        ASN1ObjectIdentifier justBelow = new ASN1ObjectIdentifier("1.3.6.1.4.1.18446744073709551615");
        assertThat(CHECKS.check(TestCsrs.csrWithAttribute(Keys.P256, justBelow, DERNull.INSTANCE))
                        .keyType())
                .isEqualTo(PublicKeyType.EC_P256);
    }

    @Test
    void refusesOtherPemShapes() {
        String base64 = Base64.getMimeEncoder().encodeToString(Keys.GOOD_P256);
        assertRefused(
                ("-----BEGIN NEW CERTIFICATE REQUEST-----\n" + base64 + "\n-----END NEW CERTIFICATE REQUEST-----\n")
                        .getBytes(StandardCharsets.US_ASCII),
                Code.BAD_PEM);
        assertRefused(
                ("-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n")
                        .getBytes(StandardCharsets.US_ASCII),
                Code.BAD_PEM);
        assertRefused(
                ("Subject: chip\n-----BEGIN CERTIFICATE REQUEST-----\n" + base64
                                + "\n-----END CERTIFICATE REQUEST-----\n")
                        .getBytes(StandardCharsets.US_ASCII),
                Code.BAD_PEM);
        assertRefused(
                ("-----BEGIN CERTIFICATE REQUEST-----\n" + base64.replace('A', '*')
                                + "\n-----END CERTIFICATE REQUEST-----\n")
                        .getBytes(StandardCharsets.US_ASCII),
                Code.BAD_PEM);
        assertRefused(
                ("-----BEGIN CERTIFICATE REQUEST-----\n" + base64.substring(1)
                                + "\n-----END CERTIFICATE REQUEST-----\n")
                        .getBytes(StandardCharsets.US_ASCII),
                Code.BAD_PEM);
        // Unpadded base64, which Java's decoder alone would take.
        for (int extra = 1; extra <= 2; extra++) {
            byte[] der = TestCsrs.concat(Keys.GOOD_P256, new byte[extra]);
            if (der.length % 3 != 0) {
                String unpadded = Base64.getEncoder().withoutPadding().encodeToString(der);
                assertRefused(
                        ("-----BEGIN CERTIFICATE REQUEST-----\n" + unpadded + "\n-----END CERTIFICATE REQUEST-----\n")
                                .getBytes(StandardCharsets.US_ASCII),
                        Code.BAD_PEM);
            }
        }
        assertRefused(new byte[] {(byte) 0xa0, 0x00}, Code.BAD_PEM);
        assertRefused(new byte[0], Code.MALFORMED);
    }

    @Test
    void theSizeLimitIsConfigurable() {
        byte[] fiveKiB = TestCsrs.csrWithAttribute(Keys.P256, SOME_ATTRIBUTE, new DEROctetString(new byte[5000]));
        assertThat(CHECKS.check(fiveKiB).keyType()).isEqualTo(PublicKeyType.EC_P256);
        ChipCsrChecks small = new ChipCsrChecks(new CsrLimits(4096, 30));
        assertRefused(small, fiveKiB, Code.TOO_LARGE);
        assertRefused(small, pem(fiveKiB), Code.TOO_LARGE);
        assertThatThrownBy(() -> new CsrLimits(100, 30)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CsrLimits(4096, 200)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theKeyPolicyAgreesWithPublicKeyTypeOnAcceptedKeys() {
        for (KeyPair key : List.of(Keys.P256, Keys.P384, Keys.RSA2048, Keys.RSA3072, Keys.RSA4096)) {
            SubjectPublicKeyInfo spki =
                    SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded());
            assertThat(new ChipKeyPolicy(30).check(spki)).isEqualTo(PublicKeyType.of(spki));
        }
    }

    // ---- helpers ----

    private static void assertAccepted(byte[] request, KeyPair key, PublicKeyType type) {
        VerifiedCsr verified = CHECKS.check(request);
        assertThat(verified.keyType()).isEqualTo(type);
        assertThat(verified.publicKey())
                .isEqualTo(SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()));
        assertThat(CHECKS.check(pem(request)).publicKey()).isEqualTo(verified.publicKey());
    }

    private static void assertRefused(byte[] request, Code code) {
        assertRefused(CHECKS, request, code);
    }

    private static void assertRefused(ChipCsrChecks checks, byte[] request, Code code) {
        assertThatThrownBy(() -> checks.check(request))
                .isInstanceOfSatisfying(
                        CsrRejectedException.class,
                        e -> assertThat(e.code()).as(e.toString()).isEqualTo(code));
    }

    private static byte[] pem(byte[] der) {
        String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return ("-----BEGIN CERTIFICATE REQUEST-----\n" + base64 + "\n-----END CERTIFICATE REQUEST-----\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ChipCsrChecksTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static byte[] twoPemBlocks(byte[] der) {
        return TestCsrs.concat(pem(der), pem(der));
    }

    private static ASN1Encodable nested(int depth) {
        ASN1Encodable value = new DERUTF8String("x");
        for (int i = 0; i < depth; i++) {
            value = new DERSequence(value);
        }
        return value;
    }

    private static ASN1ObjectIdentifier longOid(int arcs) {
        StringBuilder oid = new StringBuilder("1.3");
        for (int i = 2; i < arcs; i++) {
            oid.append('.').append(i);
        }
        return new ASN1ObjectIdentifier(oid.toString());
    }

    /** The outer SEQUENCE in BER's indefinite form, closed by end-of-contents octets. */
    private static byte[] indefinite(byte[] der) {
        int headerLength = 2 + ((der[1] & 0x80) != 0 ? der[1] & 0x7f : 0);
        return TestCsrs.concat(
                new byte[] {0x30, (byte) 0x80}, Arrays.copyOfRange(der, headerLength, der.length), new byte[] {0, 0});
    }

    /** The outer length in one more octet than needed. */
    private static byte[] nonMinimalLength(byte[] der) {
        assertThat(der[1]).isEqualTo((byte) 0x81);
        return TestCsrs.concat(new byte[] {0x30, (byte) 0x82, 0x00, der[2]}, Arrays.copyOfRange(der, 3, der.length));
    }

    /** N = 3·P of 2048 bits: signed through the JDK (Bouncy Castle will not sign with such a modulus). */
    private static byte[] smallFactorRequest() {
        BigInteger start = BigInteger.ONE.shiftLeft(2046).add(new BigInteger(2044, TestCsrs.RANDOM));
        BigInteger p;
        do {
            p = start.nextProbablePrime();
            start = p;
        } while (p.subtract(BigInteger.ONE).mod(TestCsrs.F4).signum() == 0);
        BigInteger n = p.multiply(BigInteger.valueOf(3));
        assertThat(n.bitLength()).isEqualTo(2048);
        BigInteger lambda = p.subtract(BigInteger.ONE); // lcm(3 - 1, P - 1)
        return TestCsrs.csrSignedByJdk(n, TestCsrs.F4.modInverse(lambda));
    }

    private static byte[] offCurveRequest() {
        SubjectPublicKeyInfo good =
                SubjectPublicKeyInfo.getInstance(Keys.P256.getPublic().getEncoded());
        byte[] point = good.getPublicKeyData().getOctets().clone();
        point[point.length - 1] ^= 0x01; // y + 1 or y - 1: off the curve
        return withPoint(good, point);
    }

    private static byte[] withPoint(SubjectPublicKeyInfo spki, byte[] point) {
        SubjectPublicKeyInfo changed = new SubjectPublicKeyInfo(spki.getAlgorithm(), point);
        return TestCsrs.csr(changed, Keys.P256.getPrivate(), "SHA256withECDSA", null, null);
    }

    private static byte[] explicitParametersRequest() {
        SubjectPublicKeyInfo good =
                SubjectPublicKeyInfo.getInstance(Keys.P256.getPublic().getEncoded());
        SubjectPublicKeyInfo explicit = new SubjectPublicKeyInfo(
                new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, ECNamedCurveTable.getByName("P-256")),
                good.getPublicKeyData().getOctets());
        return TestCsrs.csr(explicit, Keys.P256.getPrivate(), "SHA256withECDSA", null, null);
    }

    /** A request for another algorithm's key, signed with an accepted algorithm by a P-256 key. */
    private static byte[] foreignKeyRequest(String algorithm) {
        SubjectPublicKeyInfo foreign = SubjectPublicKeyInfo.getInstance(
                TestCsrs.keyPair(algorithm).getPublic().getEncoded());
        return TestCsrs.csr(foreign, Keys.P256.getPrivate(), "SHA256withECDSA", null, null);
    }

    /** A request whose attribute SET OF is in BER order (larger element first): DER sorts it. */
    private static byte[] unsortedAttributes() {
        CertificationRequest good = CertificationRequest.getInstance(Keys.GOOD_P256);
        Attribute a = new Attribute(SOME_ATTRIBUTE, new DLSet(new ASN1Encodable[] {new ASN1Integer(1)}));
        Attribute b = new Attribute(SOME_ATTRIBUTE, new DLSet(new ASN1Encodable[] {new ASN1Integer(2)}));
        DLSequence info = new DLSequence(new ASN1Encodable[] {
            new ASN1Integer(0),
            good.getCertificationRequestInfo().getSubject(),
            good.getCertificationRequestInfo().getSubjectPublicKeyInfo(),
            new DLTaggedObject(false, 0, new DLSet(new ASN1Encodable[] {b, a}))
        });
        DLSequence request = new DLSequence(
                new ASN1Encodable[] {info, good.getSignatureAlgorithm(), new DERBitString(new byte[64])});
        try {
            return request.getEncoded(ASN1Encoding.DL);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
