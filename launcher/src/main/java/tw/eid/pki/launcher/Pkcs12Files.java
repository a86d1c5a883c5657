package tw.eid.pki.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.HexFormat;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Software keys for what is not a CA key (the RA's TLS key; demo operators' keys, which in
 * production live on the operator's smart card), written as PKCS#12 and PEM with owner-only
 * permissions; the PKCS#12 password is random and written to its own owner-only file.
 */
final class Pkcs12Files {
    private Pkcs12Files() {}

    static KeyPair newP256() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return g.generateKeyPair();
    }

    /** Writes {@code base}.p12, {@code base}.p12.pass, {@code base}.pem (certificate) and {@code base}.key.pem. */
    static Path write(Path base, KeyPair key, X509CertificateHolder certificate, X509CertificateHolder issuer)
            throws IOException, GeneralSecurityException {
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        X509Certificate leaf = converter.getCertificate(certificate);
        X509Certificate ca = converter.getCertificate(issuer);
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("key", key.getPrivate(), password.toCharArray(), new Certificate[] {leaf, ca});
        Path p12 = Path.of(base + ".p12");
        try (OutputStream out = ownerOnly(p12)) {
            ks.store(out, password.toCharArray());
        }
        try (OutputStream out = ownerOnly(Path.of(base + ".p12.pass"))) {
            out.write((password + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        try (OutputStream out = ownerOnly(Path.of(base + ".key.pem"))) {
            // PKCS#8 ("PRIVATE KEY"), which curl and openssl read for any key type.
            out.write(pem(new PemObject("PRIVATE KEY", key.getPrivate().getEncoded()))
                    .getBytes(StandardCharsets.US_ASCII));
        }
        Files.writeString(Path.of(base + ".pem"), pem(leaf), StandardOpenOption.CREATE_NEW);
        return p12;
    }

    static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(o);
        }
        return w.toString();
    }

    private static OutputStream ownerOnly(Path file) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
