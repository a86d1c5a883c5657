package tw.eid.pki.bench;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.operator.ContentSigner;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.KeyInfo;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.SunPkcs11Providers;
import tw.eid.pki.hsm.TestSignatures;
import tw.eid.pki.hsm.Token;

/**
 * Signatures per second through the token layer ({@link Token#signer(String)}, a Bouncy Castle
 * ContentSigner over a key stored in the token) beside the same operation called directly on a
 * SunPKCS11 provider on the same slot ({@link Signature} over a token key the provider generated),
 * for P-256, P-384, RSA-2048 and RSA-3072, with 1 and 2 threads. Both sign the same 100-byte
 * message with the key's default digest (SHA-256; SHA-384 for P-384).
 *
 * <p>{@code path} is a parameter rather than two methods so that JMH runs the layer and its
 * direct peer one after the other for each algorithm: on a shared machine, drift between the two
 * halves of a pair is smaller than between the start and the end of the run.
 *
 * <p>What each path does per signature. Layer: a new ContentSigner, SHA-x in Java, a pooled
 * session, C_SignInit + C_Sign with CKM_ECDSA (over the digest) or CKM_RSA_PKCS (over the
 * DigestInfo), r||s to DER for ECDSA. Direct: one {@link Signature} per thread, reused; for ECDSA
 * SunPKCS11 digests in Java and calls CKM_ECDSA too (SoftHSM2 2.6 has no CKM_ECDSA_SHA256), for RSA
 * it calls CKM_SHA256_RSA_PKCS with C_SignInit + C_SignUpdate + C_SignFinal.
 *
 * <p>Run with {@code conformance-tests/bench/token-signing.sh}; needs SOFTHSM2_CONF (the script
 * sets a temporary one). Each fork creates its own throw-away token before loading SoftHSM2.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--add-modules=jdk.crypto.cryptoki",
            "--add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED",
            "--add-exports=jdk.crypto.cryptoki/sun.security.pkcs11=ALL-UNNAMED"
        })
public class TokenSigningBenchmark {
    /** The same 100 bytes for both paths. */
    static final byte[] MESSAGE = String.format(
                    "%-100s", "eID PKI benchmark: to-be-signed data, the same for the layer and SunPKCS11")
            .getBytes(StandardCharsets.US_ASCII);

    @Param({"EC_P256", "EC_P384", "RSA_2048", "RSA_3072"})
    public KeyAlgorithm algorithm;

    @Param({"direct", "layer"})
    public String path;

    Token token;
    String layerLabel;
    PrivateKey directKey;
    String directAlgorithm;
    Provider provider;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        if (MESSAGE.length != 100) {
            throw new IllegalStateException("message is " + MESSAGE.length + " bytes");
        }
        Fixture f = Fixture.get();
        token = f.token;
        provider = f.provider;
        layerLabel = f.layerKey(algorithm);
        KeyPair direct = f.directKey(algorithm);
        directKey = direct.getPrivate();
        directAlgorithm = jcaAlgorithm(algorithm);

        // Both paths produce signatures that verify, before anything is measured.
        ContentSigner signer = token.signer(layerLabel);
        byte[] s1 = TestSignatures.sign(signer, MESSAGE);
        if (!TestSignatures.verify(token.publicKey(layerLabel), signer, MESSAGE, s1)) {
            throw new IllegalStateException("layer signature does not verify");
        }
        Signature sig = Signature.getInstance(directAlgorithm, provider);
        sig.initSign(directKey);
        sig.update(MESSAGE);
        byte[] s2 = sig.sign();
        // Verified in software (SunEC / SunRsaSign) with the public key's encoding.
        PublicKey pub = KeyFactory.getInstance(direct.getPublic().getAlgorithm())
                .generatePublic(new X509EncodedKeySpec(direct.getPublic().getEncoded()));
        Signature verify = Signature.getInstance(directAlgorithm);
        verify.initVerify(pub);
        verify.update(MESSAGE);
        if (!verify.verify(s2)) {
            throw new IllegalStateException("SunPKCS11 signature does not verify");
        }
    }

    static String jcaAlgorithm(KeyAlgorithm a) {
        return switch (a) {
            case EC_P256 -> "SHA256withECDSA";
            case EC_P384 -> "SHA384withECDSA";
            case RSA_2048, RSA_3072 -> "SHA256withRSA";
            default -> throw new IllegalArgumentException(a.toString());
        };
    }

    /** Per-thread state of the direct path: a Signature is not thread-safe. */
    @State(Scope.Thread)
    public static class DirectSignature {
        Signature signature;

        @Setup(Level.Trial)
        public void setUp(TokenSigningBenchmark b) throws Exception {
            signature = Signature.getInstance(b.directAlgorithm, b.provider);
            signature.initSign(b.directKey);
        }
    }

    private byte[] sign(DirectSignature d) throws Exception {
        if (path.equals("layer")) {
            ContentSigner signer = token.signer(layerLabel);
            try (OutputStream out = signer.getOutputStream()) {
                out.write(MESSAGE);
            }
            return signer.getSignature();
        }
        Signature s = d.signature;
        s.update(MESSAGE);
        return s.sign(); // and the Signature is ready for the next one with the same key
    }

    @Benchmark
    @Threads(1)
    public byte[] threads1(DirectSignature d) throws Exception {
        return sign(d);
    }

    @Benchmark
    @Threads(2)
    public byte[] threads2(DirectSignature d) throws Exception {
        return sign(d);
    }

    /**
     * One token per JVM (JMH forks a JVM per trial, but with {@code -f 0} every trial shares one):
     * created before SoftHSM2 is loaded in this JVM, opened once through the layer, and a
     * SunPKCS11 provider on the same slot, logged in through its key store.
     */
    static final class Fixture {
        private static Fixture instance;

        final SoftHsmTestTokens.TestToken testToken;
        final Token token;
        final Provider provider;
        private final Map<KeyAlgorithm, String> layerKeys = new EnumMap<>(KeyAlgorithm.class);
        private final Map<KeyAlgorithm, KeyPair> directKeys = new EnumMap<>(KeyAlgorithm.class);

        private Fixture() throws Exception {
            testToken = SoftHsmTestTokens.create("bench");
            token = testToken.open(Clock.systemUTC());
            provider = SunPkcs11Providers.forToken(token);
            KeyStore ks = KeyStore.getInstance("PKCS11", provider);
            ks.load(null, testToken.userPin());
        }

        static synchronized Fixture get() throws Exception {
            if (instance == null) {
                instance = new Fixture();
            }
            return instance;
        }

        synchronized String layerKey(KeyAlgorithm a) {
            return layerKeys.computeIfAbsent(a, alg -> {
                String label = "bench-layer-" + alg.id();
                KeyInfo info = token.generateKeyPair(label, alg);
                if (!info.sensitive() || info.extractable()) {
                    throw new IllegalStateException("layer key is not sensitive/non-extractable");
                }
                return label;
            });
        }

        synchronized KeyPair directKey(KeyAlgorithm a) throws Exception {
            KeyPair kp = directKeys.get(a);
            if (kp == null) {
                KeyPairGenerator g;
                if (a.isEc()) {
                    g = KeyPairGenerator.getInstance("EC", provider);
                    g.initialize(new ECGenParameterSpec(a == KeyAlgorithm.EC_P256 ? "secp256r1" : "secp384r1"));
                } else {
                    g = KeyPairGenerator.getInstance("RSA", provider);
                    g.initialize(a.modulusBits());
                }
                kp = g.generateKeyPair();
                // The provider's config marks generated keys CKA_TOKEN: stored, as the layer's are.
                String describe = kp.getPrivate().toString();
                if (!describe.contains("token object") || describe.contains("not sensitive")) {
                    throw new IllegalStateException("direct key is not a sensitive token object: " + describe);
                }
                directKeys.put(a, kp);
            }
            return kp;
        }
    }
}
