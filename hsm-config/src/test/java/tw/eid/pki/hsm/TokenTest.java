package tw.eid.pki.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.SecretKey;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
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
        assertThat(TestSignatures.verify(info.publicKey(), signer, data, signature)).isTrue();
        data[0] ^= 1;
        assertThat(TestSignatures.verify(info.publicKey(), signer, data, signature)).isFalse();
    }

    @Test
    void signsWithAnExplicitDigest() throws Exception {
        KeyInfo info = token.generateKeyPair("k-digest", KeyAlgorithm.EC_P384);
        ContentSigner signer = token.signer("k-digest", NISTObjectIdentifiers.id_sha512);
        assertThat(signer.getAlgorithmIdentifier().getAlgorithm().getId()).isEqualTo("1.2.840.10045.4.3.4");
        byte[] data = {1, 2, 3};
        assertThat(TestSignatures.verify(info.publicKey(), signer, data, TestSignatures.sign(signer, data))).isTrue();
    }

    @Test
    void refusesAnExistingLabel() {
        token.generateKeyPair("k-once", KeyAlgorithm.EC_P256);
        var before = token.publicKey("k-once");
        assertThatThrownBy(() -> token.generateKeyPair("k-once", KeyAlgorithm.EC_P256))
                .isInstanceOf(TokenException.class)
                .extracting(e -> ((TokenException) e).code()).isEqualTo(TokenException.Code.LABEL_EXISTS);
        assertThatThrownBy(() -> token.generateSecretKey("k-once", SecretKeyType.AES_256))
                .extracting(e -> ((TokenException) e).code()).isEqualTo(TokenException.Code.LABEL_EXISTS);
        assertThat(token.publicKey("k-once")).isEqualTo(before);
    }

    @Test
    void unknownLabelIsKeyNotFound() {
        assertThatThrownBy(() -> token.signer("no-such-key"))
                .extracting(e -> ((TokenException) e).code()).isEqualTo(TokenException.Code.KEY_NOT_FOUND);
        assertThat(token.keyInfo("no-such-key")).isEmpty();
    }

    @Test
    void wrongPinIsRefusedAndUnknownTokenIsNotFound() {
        assertThatThrownBy(() -> Token.open(testToken.config(), testToken.userPin(), Clock.systemUTC()))
                .hasMessageContaining("already open in this process");
        SoftHsmTestTokens.TestToken other = otherToken;
        assertThatThrownBy(() -> Token.open(other.config(), "wrong-pin".toCharArray(), Clock.systemUTC()))
                .extracting(e -> ((TokenException) e).code()).isEqualTo(TokenException.Code.PIN_REFUSED);
        try (Token ok = other.open(Clock.systemUTC())) {
            assertThat(ok.health().up()).isTrue();
        }
        assertThatThrownBy(() -> Token.open(TokenConfig.of(TokenConfig.SOFTHSM2_LIBRARY, "no-such-token"),
                testToken.userPin(), Clock.systemUTC()))
                .extracting(e -> ((TokenException) e).code()).isEqualTo(TokenException.Code.TOKEN_NOT_FOUND);
    }

    @Test
    void privateValuesCannotBeReadOrExported() {
        token.generateKeyPair("k-export", KeyAlgorithm.EC_P256);
        token.generateKeyPair("k-export-rsa", KeyAlgorithm.RSA_2048);
        assertThatThrownBy(() -> token.tryReadPrivateValue("k-export"))
                .hasMessageContaining("CKR_ATTRIBUTE_SENSITIVE");
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
                    new sun.security.pkcs11.wrapper.CK_ATTRIBUTE(Pkcs11.CKA_WRAP, true)});
            long[] priv = ck.findObjects(s, new sun.security.pkcs11.wrapper.CK_ATTRIBUTE[] {
                    new sun.security.pkcs11.wrapper.CK_ATTRIBUTE(Pkcs11.CKA_CLASS, Pkcs11.CKO_PRIVATE_KEY),
                    new sun.security.pkcs11.wrapper.CK_ATTRIBUTE(Pkcs11.CKA_LABEL, "k-wrap".toCharArray())});
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
        assertThatThrownBy(() -> token.hmacSha256("aes-1", new byte[] {1}))
                .isInstanceOf(TokenException.class);

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
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain(new String(name, StandardCharsets.ISO_8859_1));
        assertThat(token.decrypt("aes-gcm", sealed, aad)).isEqualTo(name);

        byte[] flipped = sealed.clone();
        flipped[20] ^= 1;
        assertThatThrownBy(() -> token.decrypt("aes-gcm", flipped, aad)).isInstanceOf(TokenException.class);
        assertThatThrownBy(() -> token.decrypt("aes-gcm", sealed, "card:B0000000:name".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(TokenException.class);
        assertThatThrownBy(() -> token.decrypt("aes-other", sealed, aad)).isInstanceOf(TokenException.class);
        assertThat(token.health().up()).isTrue();
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
