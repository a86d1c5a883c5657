package tw.eid.pki.hsm;

import java.io.OutputStream;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bouncycastle.operator.ContentSigner;
import sun.security.pkcs11.wrapper.CK_ATTRIBUTE;
import sun.security.pkcs11.wrapper.CK_MECHANISM;
import sun.security.pkcs11.wrapper.PKCS11;

/**
 * Where the layer's time goes, beside JMH's throughput figures, on one thread: P-256 signatures
 * (the fastest operation, where per-call overhead shows most) through the layer, through
 * {@link Token#signRaw} (pool and PKCS#11 only), as bare C_SignInit + C_Sign on the layer's key
 * with no pool, and directly on SunPKCS11; each for 300 ms in turn, round after round, so that a
 * shared machine's drift hits all of them alike; the median rate of each. Then the layer's own
 * Java costs with no token work: a pooled session around a no-op, and a signer plus its digest.
 *
 * <p>Not a test; run by {@code conformance-tests/bench/token-signing.sh}. Needs SOFTHSM2_CONF.
 */
public final class TokenOverheadProbe {
    private TokenOverheadProbe() {}

    @FunctionalInterface
    interface Op {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 12;
        SoftHsmTestTokens.TestToken testToken = SoftHsmTestTokens.create("overhead");
        try (Token token = testToken.open(Clock.systemUTC())) {
            Provider provider = SunPkcs11Providers.forToken(token);
            KeyStore.getInstance("PKCS11", provider).load(null, testToken.userPin());
            token.generateKeyPair("k", KeyAlgorithm.EC_P256);
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", provider);
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair direct = g.generateKeyPair();
            Signature signature = Signature.getInstance("SHA256withECDSA", provider);
            signature.initSign(direct.getPrivate());
            byte[] message = new byte[100];

            // The same PKCS11 instance the layer uses (the wrapper keeps one per library), on a session of our own.
            PKCS11 p11 = PKCS11.getInstance(TokenConfig.SOFTHSM2_LIBRARY.toString(), "C_GetFunctionList", null, false);
            long session =
                    p11.C_OpenSession(token.slot(), Pkcs11.CKF_SERIAL_SESSION | Pkcs11.CKF_RW_SESSION, null, null);
            p11.C_FindObjectsInit(session, new CK_ATTRIBUTE[] {
                new CK_ATTRIBUTE(Pkcs11.CKA_CLASS, Pkcs11.CKO_PRIVATE_KEY),
                new CK_ATTRIBUTE(Pkcs11.CKA_LABEL, "k".toCharArray())
            });
            long key = p11.C_FindObjects(session, 2)[0];
            p11.C_FindObjectsFinal(session);

            Map<String, Op> ops = new LinkedHashMap<>();
            ops.put("layer (Token.signer)", () -> {
                ContentSigner c = token.signer("k");
                try (OutputStream o = c.getOutputStream()) {
                    o.write(message);
                }
                c.getSignature();
            });
            ops.put(
                    "Token.signRaw",
                    () -> token.signRaw(
                            "k", MessageDigest.getInstance("SHA-256").digest(message)));
            ops.put("bare C_Sign, layer key", () -> {
                p11.C_SignInit(session, new CK_MECHANISM(Pkcs11.CKM_ECDSA), key);
                p11.C_Sign(session, MessageDigest.getInstance("SHA-256").digest(message));
            });
            ops.put("direct SunPKCS11", () -> {
                signature.update(message);
                signature.sign();
            });
            Map<String, List<Double>> rates = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<String, Op> e : ops.entrySet()) {
                    double r = rate(e.getValue(), 300);
                    if (round >= 2) { // the first two rounds warm up
                        rates.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                                .add(r);
                    }
                }
            }
            p11.C_CloseSession(session);

            System.out.printf(Locale.ROOT, "P-256, 1 thread, median of %d rounds of 300 ms each:%n", rounds - 2);
            double directRate = median(rates.get("direct SunPKCS11"));
            rates.forEach((name, r) -> {
                double m = median(r);
                System.out.printf(
                        Locale.ROOT,
                        "  %-24s %8.0f sig/s  %6.1f us/sig  %5.2fx direct%n",
                        name,
                        m,
                        1e6 / m,
                        m / directRate);
            });
            int n = 200_000;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                token.withSession("no-op", s -> null);
            }
            double pool = (System.nanoTime() - t0) / 1e3 / n;
            t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                ContentSigner c = token.signer("k");
                c.getOutputStream().write(message);
            }
            double signer = (System.nanoTime() - t0) / 1e3 / n;
            System.out.printf(
                    Locale.ROOT,
                    "  layer Java costs: pooled session around a no-op %.2f us, signer + SHA-256 of 100 bytes %.2f us%n",
                    pool,
                    signer);
        }
    }

    private static double rate(Op op, long millis) throws Exception {
        long start = System.nanoTime();
        long end = start + millis * 1_000_000L;
        long n = 0;
        while (System.nanoTime() < end) {
            op.run();
            n++;
        }
        return n * 1e9 / (System.nanoTime() - start);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
