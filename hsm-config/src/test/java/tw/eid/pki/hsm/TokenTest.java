package tw.eid.pki.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.SecretKey;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The token layer against a real SoftHSM2 token. */
class TokenTest {
    private static SoftHsmTestTokens.TestToken testToken;
    private static SoftHsmTestTokens.TestToken otherToken;
    private static Token token;

    @BeforeAll
    static void open() {
        // Both tokens exist before the library is loaded: SoftHSM2 does not see tokens that
        // another process creates after this process initialised it.
        testToken = SoftHsmTestTokens.create("tok");
        otherToken = SoftHsmTestTokens.create("pin");
        token = testToken.open(Clock.systemUTC());
    }

    @AfterAll
    static void close() {
        token.close();
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void generatesSensitiveNonExtractableKeysThatSign(KeyAlgorithm algorithm) throws Exception {
        String label = "k-" + algorithm.id();
        KeyInfo info = token.generateKeyPair(label, algorithm);

        assertThat(info.algorithm()).isEqualTo(algorithm);
        assertThat(info.sensitive()).isTrue();
        assertThat(info.extractable()).isFalse();
        assertThat(info.neverExtractable()).isTrue();

        byte[] data = ("to be signed by " + label).getBytes(StandardCharsets.UTF_8);
        ContentSigner signer = token.signer(label);
        byte[] signature = TestSignatures.sign(signer, data);
        assertThat(TestSignatures.verify(info.publicKey(), signer, data, signature))
                .isTrue();
        data[0] ^= 1;
        assertThat(TestSignatures.verify(info.publicKey(), signer, data, signature))
                .isFalse();
    }

    @Test
    void signsWithAnExplicitDigest() throws Exception {
        KeyInfo info = token.generateKeyPair("k-digest", KeyAlgorithm.EC_P384);
        ContentSigner signer = token.signer("k-digest", NISTObjectIdentifiers.id_sha512);
        assertThat(signer.getAlgorithmIdentifier().getAlgorithm().getId()).isEqualTo("1.2.840.10045.4.3.4");
        byte[] data = {1, 2, 3};
        assertThat(TestSignatures.verify(info.publicKey(), signer, data, TestSignatures.sign(signer, data)))
                .isTrue();
    }

    @Test
    void refusesAnExistingLabel() {
        token.generateKeyPair("k-once", KeyAlgorithm.EC_P256);
        var before = token.publicKey("k-once");
        assertThatThrownBy(() -> token.generateKeyPair("k-once", KeyAlgorithm.EC_P256))
                .isInstanceOf(TokenException.class)
                .extracting(e -> ((TokenException) e).code())
                .isEqualTo(TokenException.Code.LABEL_EXISTS);
        assertThatThrownBy(() -> token.generateSecretKey("k-once", SecretKeyType.AES_256))
                .extracting(e -> ((TokenException) e).code())
                .isEqualTo(TokenException.Code.LABEL_EXISTS);
        assertThat(token.publicKey("k-once")).isEqualTo(before);
    }

    @Test
    void unknownLabelIsKeyNotFound() {
        assertThatThrownBy(() -> token.signer("no-such-key"))
                .extracting(e -> ((TokenException) e).code())
                .isEqualTo(TokenException.Code.KEY_NOT_FOUND);
        assertThat(token.keyInfo("no-such-key")).isEmpty();
    }

    @Test
    void wrongPinIsRefusedAndUnknownTokenIsNotFound() {
        assertThatThrownBy(() -> Token.open(testToken.config(), testToken.userPin(), Clock.systemUTC()))
                .hasMessageContaining("already open in this process");
        SoftHsmTestTokens.TestToken other = otherToken;
        assertThatThrownBy(() -> Token.open(other.config(), "wrong-pin".toCharArray(), Clock.systemUTC()))
                .extracting(e -> ((TokenException) e).code())
                .isEqualTo(TokenException.Code.PIN_REFUSED);
        try (Token ok = other.open(Clock.systemUTC())) {
            assertThat(ok.health().up()).isTrue();
        }
        assertThatThrownBy(() -> Token.open(
                        TokenConfig.of(TokenConfig.SOFTHSM2_LIBRARY, "no-such-token"),
                        testToken.userPin(),
                        Clock.systemUTC()))
                .extracting(e -> ((TokenException) e).code())
                .isEqualTo(TokenException.Code.TOKEN_NOT_FOUND);
    }

    @Test
    void privateValuesCannotBeReadOrExported() {
        token.generateKeyPair("k-export", KeyAlgorithm.EC_P256);
        token.generateKeyPair("k-export-rsa", KeyAlgorithm.RSA_2048);
        assertThatThrownBy(() -> token.tryReadPrivateValue("k-export")).hasMessageContaining("CKR_ATTRIBUTE_SENSITIVE");
        assertThatThrownBy(() -> token.tryReadPrivateValue("k-export-rsa"))
                .hasMessageContaining("CKR_ATTRIBUTE_SENSITIVE");
    }

    @Test
    void wrappingAPrivateKeyOutOfTheTokenIsRefused() throws Exception {
        token.generateKeyPair("k-wrap", KeyAlgorithm.EC_P384);
        // An attacker's session with a wrap-capable AES key of its own: the token must still refuse
        // to wrap (export) a key generated without CKA_EXTRACTABLE.
        Cryptoki ck = SunCryptoki.load(TokenConfig.SOFTHSM2_LIBRARY);
        long s = ck.openSession(token.slot());
        try {
            long wrapping = ck.generateKey(s, Pkcs11.CKM_AES_KEY_GEN, new sun.security.pkcs11.wrapper.CK_ATTRIBUTE[] {
                new sun.security.pkcs11.wrapper.CK_ATTRIBUTE(Pkcs11.CKA_CLASS, Pkcs11.CKO_SECRET_KEY),
                new sun.security.pkcs11.wrapper.CK_ATTRIBUTE(Pkcs11.CKA_KEY_TYPE, Pkcs11.CKK_AES),
                new sun.security.pkcs11.wrapper.CK_ATTRIBUTE(Pkcs11.CKA_VALUE_LEN, 32L),
                new sun.security.pkcs11.wrapper.CK_ATTRIBUTE(Pkcs11.CKA_TOKEN, false),
                new sun.security.pkcs11.wrapper.CK_ATTRIBUTE(Pkcs11.CKA_WRAP, true)
            });
            long[] priv = ck.findObjects(s, new sun.security.pkcs11.wrapper.CK_ATTRIBUTE[] {
                new sun.security.pkcs11.wrapper.CK_ATTRIBUTE(Pkcs11.CKA_CLASS, Pkcs11.CKO_PRIVATE_KEY),
                new sun.security.pkcs11.wrapper.CK_ATTRIBUTE(Pkcs11.CKA_LABEL, "k-wrap".toCharArray())
            });
            assertThat(priv).hasSize(1);
            assertThatThrownBy(() -> ck.wrapKey(s, Pkcs11.CKM_AES_KEY_WRAP, wrapping, priv[0]))
                    .isInstanceOf(CryptokiException.class)
                    .satisfies(e -> assertThat(((CryptokiException) e).ckr()).isEqualTo(Pkcs11.CKR_KEY_UNEXTRACTABLE));
        } finally {
            ck.closeSession(s);
        }
        assertThat(token.health().up()).isTrue();
    }

    @Test
    void secretKeysAreSensitiveThroughSunPkcs11AndMacInTheToken() throws Exception {
        token.generateSecretKey("hmac-1", SecretKeyType.HMAC_SHA256);
        token.generateSecretKey("aes-1", SecretKeyType.AES_256);
        assertThat(token.hasSecretKey("hmac-1")).isTrue();
        byte[] mac1 = token.hmacSha256("hmac-1", "A123456789".getBytes(StandardCharsets.US_ASCII));
        byte[] mac2 = token.hmacSha256("hmac-1", "A123456789".getBytes(StandardCharsets.US_ASCII));
        byte[] other = token.hmacSha256("hmac-1", "A123456780".getBytes(StandardCharsets.US_ASCII));
        assertThat(mac1).hasSize(32).isEqualTo(mac2).isNotEqualTo(other);
        // An AES key may not sign: usage is limited to what the key is for.
        assertThatThrownBy(() -> token.hmacSha256("aes-1", new byte[] {1})).isInstanceOf(TokenException.class);

        // Through the SunPKCS11 provider's key store, the secret key is a handle without a value.
        Provider p = SunPkcs11Providers.forToken(token);
        KeyStore ks = KeyStore.getInstance("PKCS11", p);
        ks.load(null, testToken.userPin());
        SecretKey aes = (SecretKey) ks.getKey("aes-1", null);
        assertThat(aes).isNotNull();
        assertThat(aes.getEncoded()).isNull();
        Security.removeProvider(p.getName());
    }

    @Test
    void aesGcmInTheTokenSealsAndOpensAndRefusesTampering() {
        token.generateSecretKey("aes-gcm", SecretKeyType.AES_256);
        token.generateSecretKey("aes-other", SecretKeyType.AES_256);
        byte[] name = "王小明".getBytes(StandardCharsets.UTF_8);
        byte[] aad = "card:A1234567:name".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = token.encrypt("aes-gcm", name, aad);
        byte[] again = token.encrypt("aes-gcm", name, aad);
        assertThat(sealed).hasSize(12 + name.length + 16).isNotEqualTo(again); // fresh nonce each time
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1))
                .doesNotContain(new String(name, StandardCharsets.ISO_8859_1));
        assertThat(token.decrypt("aes-gcm", sealed, aad)).isEqualTo(name);

        byte[] flipped = sealed.clone();
        flipped[20] ^= 1;
        assertThatThrownBy(() -> token.decrypt("aes-gcm", flipped, aad)).isInstanceOf(TokenException.class);
        assertThatThrownBy(
                        () -> token.decrypt("aes-gcm", sealed, "card:B0000000:name".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(TokenException.class);
        assertThatThrownBy(() -> token.decrypt("aes-other", sealed, aad)).isInstanceOf(TokenException.class);
        assertThat(token.health().up()).isTrue();
    }

    @Test
    void destroysExactlyTheKeyPairAndItsCertificateObject() throws Exception {
        KeyInfo gone = token.generateKeyPair("k-gone", KeyAlgorithm.EC_P256);
        KeyInfo longer = token.generateKeyPair("k-gone-2", KeyAlgorithm.EC_P256);
        KeyInfo shorter = token.generateKeyPair("k-gon", KeyAlgorithm.EC_P256);
        Pkcs11ToolObjects.writeCertificate(testToken, "k-gone", selfSigned(gone));
        ContentSigner earlier = token.signer("k-gone"); // its handle is cached now
        assertThat(TestSignatures.verify(
                        gone.publicKey(), earlier, new byte[] {1}, TestSignatures.sign(earlier, new byte[] {1})))
                .isTrue();
        assertThat(Pkcs11ToolObjects.list(testToken))
                .contains(new Pkcs11ToolObjects.P11Object("Certificate", "k-gone"));

        assertThat(token.destroyKeyPair("k-gone")).isEqualTo(3); // private key, public key, certificate

        assertThat(token.exists("k-gone")).isFalse();
        assertThat(token.keyInfo("k-gone")).isEmpty();
        assertThatThrownBy(() -> token.signer("k-gone"))
                .isInstanceOf(TokenException.class)
                .hasMessageContaining("no private key labelled 'k-gone'")
                .extracting(e -> ((TokenException) e).code())
                .isEqualTo(TokenException.Code.KEY_NOT_FOUND);
        // A signer made before the destruction fails just as clearly: its cached handle is gone.
        assertThatThrownBy(() -> TestSignatures.sign(earlier, new byte[] {2}))
                .isInstanceOf(TokenException.class)
                .hasMessageContaining("no private key labelled 'k-gone'");
        // The neighbours, one label a prefix of the other, still sign.
        ContentSigner suffix = token.signer("k-gone-2");
        assertThat(TestSignatures.verify(
                        longer.publicKey(), suffix, new byte[] {3}, TestSignatures.sign(suffix, new byte[] {3})))
                .isTrue();
        ContentSigner prefix = token.signer("k-gon");
        assertThat(TestSignatures.verify(
                        shorter.publicKey(), prefix, new byte[] {4}, TestSignatures.sign(prefix, new byte[] {4})))
                .isTrue();
        // pkcs11-tool, from its own process, finds none of the three objects, and both neighbours whole.
        List<Pkcs11ToolObjects.P11Object> left = Pkcs11ToolObjects.list(testToken);
        assertThat(left).extracting(Pkcs11ToolObjects.P11Object::label).doesNotContain("k-gone");
        assertThat(left)
                .contains(
                        new Pkcs11ToolObjects.P11Object("Private Key", "k-gone-2"),
                        new Pkcs11ToolObjects.P11Object("Public Key", "k-gone-2"),
                        new Pkcs11ToolObjects.P11Object("Private Key", "k-gon"),
                        new Pkcs11ToolObjects.P11Object("Public Key", "k-gon"));
        assertThat(token.health().up()).isTrue();
    }

    @Test
    void refusesToDestroyWhatIsNotAKeyPairOfThatLabel() {
        assertThatThrownBy(() -> token.destroyKeyPair("no-such-key"))
                .isInstanceOf(TokenException.class)
                .hasMessageContaining("no key pair labelled 'no-such-key'")
                .extracting(e -> ((TokenException) e).code())
                .isEqualTo(TokenException.Code.KEY_NOT_FOUND);
        token.generateKeyPair("k-twice", KeyAlgorithm.EC_P256);
        token.destroyKeyPair("k-twice");
        assertThatThrownBy(() -> token.destroyKeyPair("k-twice"))
                .extracting(e -> ((TokenException) e).code())
                .isEqualTo(TokenException.Code.KEY_NOT_FOUND);
        assertThat(token.destroyKeyPairIfPresent("k-twice"))
                .as("a destruction already done")
                .isZero();
        token.generateKeyPair("k-present", KeyAlgorithm.EC_P256);
        assertThat(token.destroyKeyPairIfPresent("k-present")).isEqualTo(2);
        assertThat(token.exists("k-present")).isFalse();
        // A secret key is not a key pair: refused, and it still works.
        token.generateSecretKey("hmac-kept", SecretKeyType.HMAC_SHA256);
        assertThatThrownBy(() -> token.destroyKeyPair("hmac-kept"))
                .extracting(e -> ((TokenException) e).code())
                .isEqualTo(TokenException.Code.KEY_NOT_FOUND);
        assertThat(token.destroyKeyPairIfPresent("hmac-kept")).isZero();
        assertThat(token.hmacSha256("hmac-kept", new byte[] {1})).hasSize(32);
        assertThatThrownBy(() -> token.destroyKeyPair("k-*")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> token.destroyKeyPair("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSecondDestructionFinishesWhatAnInterruptedOneLeft() {
        token.generateKeyPair("k-half", KeyAlgorithm.EC_P256);
        Pkcs11ToolObjects.deletePrivateKey(testToken, "k-half"); // as if the process died after the first object
        assertThat(token.exists("k-half")).isTrue();
        assertThat(token.destroyKeyPair("k-half")).isEqualTo(1);
        assertThat(token.exists("k-half")).isFalse();
        assertThat(Pkcs11ToolObjects.list(testToken))
                .extracting(Pkcs11ToolObjects.P11Object::label)
                .doesNotContain("k-half");
    }

    @Test
    void destroyingKeysDoesNotDisturbSignersOfOtherLabels() throws Exception {
        KeyInfo busy = token.generateKeyPair("k-busy", KeyAlgorithm.EC_P256);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 150; i++) {
                        byte[] data = ("busy-" + thread + "-" + i).getBytes(StandardCharsets.UTF_8);
                        ContentSigner signer = token.signer("k-busy");
                        if (!TestSignatures.verify(busy.publicKey(), signer, data, TestSignatures.sign(signer, data))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (int i = 0; i < 6; i++) {
                String label = "k-short-lived-" + i;
                token.generateKeyPair(label, KeyAlgorithm.EC_P256);
                TestSignatures.sign(token.signer(label), new byte[] {5});
                token.destroyKeyPair(label);
                assertThat(token.exists(label)).isFalse();
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(token.health().up()).isTrue();
        assertThat(Pkcs11ToolObjects.list(testToken))
                .extracting(Pkcs11ToolObjects.P11Object::label)
                .contains("k-busy")
                .noneMatch(l -> l.startsWith("k-short-lived-"));
    }

    /** A certificate for {@code key}, signed by it, to stand for one a vendor tool stored beside the key. */
    private static byte[] selfSigned(KeyInfo key) throws Exception {
        X500Name name = new X500Name("CN=" + key.label());
        Date now = Date.from(java.time.Instant.parse("2028-02-29T12:00:00Z"));
        return new X509v3CertificateBuilder(
                        name, BigInteger.ONE, now, new Date(now.getTime() + 86_400_000L), name, key.publicKey())
                .build(token.signer(key.label()))
                .getEncoded();
    }

    @Test
    void concurrentSignersShareABoundedPool() throws Exception {
        KeyInfo info = token.generateKeyPair("k-concurrent", KeyAlgorithm.EC_P256);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        byte[] data = ("t" + thread + "-" + i).getBytes(StandardCharsets.UTF_8);
                        ContentSigner signer = token.signer("k-concurrent");
                        if (!TestSignatures.verify(info.publicKey(), signer, data, TestSignatures.sign(signer, data))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(token.health().openSessions()).isBetween(1, token.config().maxSessions());
        assertThat(token.health().up()).isTrue();
    }
}
