package tw.eid.pki.ca.document;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.cert.X509CertificateHolder;
import org.jmrtd.lds.SODFile;

/**
 * Independent judges of an SOD (issue 6 acceptance): JMRTD parses it as an SODFile and its hashes
 * must be the test data groups' hashes; {@code openssl cms -verify -inform DER} over the unwrapped
 * SignedData with the CSCA as the only trust anchor checks the signature and the DS → CSCA chain;
 * Java PKIX validates DS → CSCA (JMRTD only parses).
 */
public final class SodChecks {
    private SodChecks() {}

    /** JMRTD's view of {@code efSod}; asserts its hashes are exactly {@code dataGroups} hashed with {@code algorithm}. */
    public static SODFile jmrtdMatches(byte[] efSod, Map<Integer, byte[]> dataGroups, String algorithm)
            throws Exception {
        SODFile sod = new SODFile(new ByteArrayInputStream(efSod));
        assertThat(sod.getDigestAlgorithm()).isEqualToIgnoringCase(algorithm);
        MessageDigest md = MessageDigest.getInstance(algorithm);
        assertThat(sod.getDataGroupHashes().keySet()).containsExactlyInAnyOrderElementsOf(dataGroups.keySet());
        for (Map.Entry<Integer, byte[]> dg : dataGroups.entrySet()) {
            assertThat(sod.getDataGroupHashes().get(dg.getKey()))
                    .as("DG" + dg.getKey())
                    .isEqualTo(md.digest(dg.getValue()));
        }
        assertThat(sod.getDocSigningCertificates()).hasSize(1);
        return sod;
    }

    /** openssl cms -verify over the unwrapped SignedData; returns openssl's exit code and output. */
    public static String opensslVerify(byte[] efSod, Path cscaPem, Path dir) throws Exception {
        Path cms = Files.createTempFile(dir, "sod", ".cms");
        Files.write(cms, SecurityObjects.unwrapSod(efSod));
        Path out = Files.createTempFile(dir, "lds", ".der");
        // -purpose any: a DS certificate has no EKU, and openssl's default S/MIME purpose would ask for one.
        Process p = new ProcessBuilder(
                        "openssl",
                        "cms",
                        "-verify",
                        "-inform",
                        "DER",
                        "-in",
                        cms.toString(),
                        "-CAfile",
                        cscaPem.toString(),
                        "-purpose",
                        "any",
                        "-out",
                        out.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() + " " + output.strip();
    }

    /** Java PKIX: DS → CSCA at {@code at}, no revocation checking (the CSCA CRL is issue 5's). */
    public static void pkixValidates(X509Certificate ds, X509CertificateHolder csca, Instant at) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        X509Certificate anchor = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(csca.getEncoded()));
        CertPath path = cf.generateCertPath(List.of(ds));
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
        params.setRevocationEnabled(false);
        params.setDate(Date.from(at));
        CertPathValidator.getInstance("PKIX").validate(path, params);
    }
}
