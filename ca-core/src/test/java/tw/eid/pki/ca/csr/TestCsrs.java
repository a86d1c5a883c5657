package tw.eid.pki.ca.csr;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPrivateKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;

/** Keys and requests for the CSR tests, including deliberately weak RSA keys built from known primes. */
final class TestCsrs {

    static final Provider BC = new BouncyCastleProvider();
    static final SecureRandom RANDOM = new SecureRandom();
    static final BigInteger F4 = BigInteger.valueOf(65537);
    private static final X500Name SUBJECT = new X500Name("C=TW,CN=chip");

    private TestCsrs() {}

    static KeyPair ec(String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", BC);
            g.initialize(new ECGenParameterSpec(curve), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair rsa(int bits, BigInteger exponent) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", BC);
            g.initialize(new RSAKeyGenParameterSpec(bits, exponent), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair keyPair(String algorithm) {
        try {
            return KeyPairGenerator.getInstance(algorithm, BC).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An RSA key pair (e = 65537) from two known primes. */
    static KeyPair rsaFromPrimes(BigInteger p, BigInteger q) {
        BigInteger n = p.multiply(q);
        BigInteger pm1 = p.subtract(BigInteger.ONE);
        BigInteger qm1 = q.subtract(BigInteger.ONE);
        BigInteger lambda = pm1.multiply(qm1).divide(pm1.gcd(qm1));
        BigInteger d = F4.modInverse(lambda);
        try {
            KeyFactory f = KeyFactory.getInstance("RSA", BC);
            return new KeyPair(
                    f.generatePublic(new RSAPublicKeySpec(n, F4)),
                    f.generatePrivate(
                            new RSAPrivateCrtKeySpec(n, F4, d, p, q, d.mod(pm1), d.mod(qm1), q.modInverse(p))));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] csr(KeyPair key, String signatureAlgorithm) {
        return csr(
                SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()),
                key.getPrivate(),
                signatureAlgorithm,
                null,
                null);
    }

    static byte[] csrWithSubject(KeyPair key, X500Name subject) {
        try {
            return new PKCS10CertificationRequestBuilder(
                            subject,
                            SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()))
                    .build(new JcaContentSignerBuilder("SHA256withECDSA")
                            .setProvider(BC)
                            .build(key.getPrivate()))
                    .getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] csrWithAttribute(KeyPair key, ASN1ObjectIdentifier type, ASN1Encodable value) {
        return csr(
                SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()),
                key.getPrivate(),
                "SHA256withECDSA",
                type,
                value);
    }

    /** A request for {@code spki}, signed by {@code signer} (which need not be spki's own key). */
    static byte[] csr(
            SubjectPublicKeyInfo spki,
            PrivateKey signer,
            String signatureAlgorithm,
            ASN1ObjectIdentifier attributeType,
            ASN1Encodable attributeValue) {
        try {
            PKCS10CertificationRequestBuilder builder = new PKCS10CertificationRequestBuilder(SUBJECT, spki);
            if (attributeType != null) {
                builder.addAttribute(attributeType, attributeValue);
            }
            ContentSigner contentSigner = new JcaContentSignerBuilder(signatureAlgorithm)
                    .setProvider(BC)
                    .build(signer);
            return builder.build(contentSigner).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A request signed through the JDK's own RSA (SunRsaSign), which signs with any modulus. */
    static byte[] csrSignedByJdk(BigInteger n, BigInteger d) {
        try {
            KeyFactory f = KeyFactory.getInstance("RSA");
            SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(
                    f.generatePublic(new RSAPublicKeySpec(n, F4)).getEncoded());
            PrivateKey key = f.generatePrivate(new RSAPrivateKeySpec(n, d));
            ContentSigner contentSigner = new JcaContentSignerBuilder("SHA256withRSA").build(key);
            return new PKCS10CertificationRequestBuilder(SUBJECT, spki)
                    .build(contentSigner)
                    .getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A 1024-bit prime of the Infineon RSALib form (Nemec et al., CCS 2017, §2.1):
     * p = k·M + (65537^a mod M), here with M the primorial of the detector's primes (2·3·…·167).
     * The top two bits are set, so the product of two such primes has exactly 2048 bits.
     */
    static BigInteger rocaPrime() {
        BigInteger m = BigInteger.TWO;
        for (int r : WeakRsaModulus.ROCA_PRIMES) {
            m = m.multiply(BigInteger.valueOf(r));
        }
        BigInteger low = BigInteger.ONE.shiftLeft(1023).add(BigInteger.ONE.shiftLeft(1022));
        BigInteger kMin = low.divide(m).add(BigInteger.ONE);
        BigInteger kSpan = BigInteger.ONE.shiftLeft(1024).divide(m).subtract(kMin);
        while (true) {
            BigInteger k = kMin.add(new BigInteger(kSpan.bitLength() + 8, RANDOM).mod(kSpan));
            BigInteger a = new BigInteger(64, RANDOM);
            BigInteger p = k.multiply(m).add(F4.modPow(a, m));
            if (p.bitLength() == 1024
                    && p.isProbablePrime(64)
                    && !p.subtract(BigInteger.ONE).mod(F4).equals(BigInteger.ZERO)) {
                return p;
            }
        }
    }

    /** Two adjacent 1024-bit primes, top two bits set: N = p·q has 2048 bits and falls to Fermat at once. */
    static BigInteger[] adjacentPrimes() {
        while (true) {
            BigInteger start = new BigInteger(1024, RANDOM).setBit(1023).setBit(1022);
            BigInteger p = start.nextProbablePrime();
            BigInteger q = p.nextProbablePrime();
            if (q.bitLength() == 1024 && coprimeToF4(p) && coprimeToF4(q)) {
                return new BigInteger[] {p, q};
            }
        }
    }

    private static boolean coprimeToF4(BigInteger prime) {
        return !prime.subtract(BigInteger.ONE).mod(F4).equals(BigInteger.ZERO);
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    static byte[] flipLastByte(byte[] der) {
        byte[] copy = Arrays.copyOf(der, der.length);
        copy[copy.length - 1] ^= 0x01;
        return copy;
    }
}
