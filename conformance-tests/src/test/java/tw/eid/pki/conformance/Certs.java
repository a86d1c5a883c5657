package tw.eid.pki.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Reads certificates and CRLs with the JDK's own parser, and their extensions with {@link Der}. */
final class Certs {
    static final String SKI = "2.5.29.14";
    static final String KEY_USAGE = "2.5.29.15";
    static final String PRIVATE_KEY_USAGE_PERIOD = "2.5.29.16";
    static final String SAN = "2.5.29.17";
    static final String IAN = "2.5.29.18";
    static final String BASIC_CONSTRAINTS = "2.5.29.19";
    static final String CRL_NUMBER = "2.5.29.20";
    static final String DELTA_CRL_INDICATOR = "2.5.29.27";
    static final String ISSUING_DISTRIBUTION_POINT = "2.5.29.28";
    static final String CRL_DISTRIBUTION_POINTS = "2.5.29.31";
    static final String CERTIFICATE_POLICIES = "2.5.29.32";
    static final String AKI = "2.5.29.35";
    static final String EXT_KEY_USAGE = "2.5.29.37";
    static final String AIA = "1.3.6.1.5.5.7.1.1";
    static final String OCSP_NOCHECK = "1.3.6.1.5.5.7.48.1.5";
    static final String OCSP_SIGNING = "1.3.6.1.5.5.7.3.9";
    static final String ANY_POLICY = "2.5.29.32.0";
    static final String COUNTRY = "2.5.4.6";
    static final String ORGANIZATION = "2.5.4.10";
    static final String ORGANIZATIONAL_UNIT = "2.5.4.11";
    static final String COMMON_NAME = "2.5.4.3";
    static final int PRINTABLE_STRING = 0x13;

    /** keyUsage bit numbers (RFC 5280 §4.2.1.3). */
    static final int DIGITAL_SIGNATURE = 0;

    static final int KEY_CERT_SIGN = 5;
    static final int CRL_SIGN = 6;

    private Certs() {}

    static X509Certificate certificate(Path der) {
        try (InputStream in = Files.newInputStream(der)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(der + " is not a certificate: " + e.getMessage(), e);
        }
    }

    static X509CRL crl(Path der) {
        try (InputStream in = Files.newInputStream(der)) {
            return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(der + " is not a CRL: " + e.getMessage(), e);
        }
    }

    /** The set keyUsage bits. */
    static Set<Integer> keyUsageBits(X509Certificate c) {
        Set<Integer> bits = new TreeSet<>();
        boolean[] ku = c.getKeyUsage();
        if (ku != null) {
            for (int i = 0; i < ku.length; i++) {
                if (ku[i]) {
                    bits.add(i);
                }
            }
        }
        return bits;
    }

    /** The extnValue contents (the DER inside the OCTET STRING), or null if absent. */
    static byte[] extension(byte[] octetStringWrapped) {
        return octetStringWrapped == null ? null : Der.parse(octetStringWrapped).content;
    }

    static byte[] extension(X509Certificate c, String oid) {
        return extension(c.getExtensionValue(oid));
    }

    static byte[] extension(X509CRL c, String oid) {
        return extension(c.getExtensionValue(oid));
    }

    static String subjectKeyId(X509Certificate c) {
        byte[] v = extension(c, SKI);
        return v == null ? null : HexFormat.of().formatHex(Der.parse(v).content);
    }

    /** The keyIdentifier [0] of an AuthorityKeyIdentifier extension value. */
    static String authorityKeyId(byte[] akiValue) {
        if (akiValue == null) {
            return null;
        }
        for (Der d : Der.parse(akiValue).children()) {
            if (d.tag == 0x80) {
                return HexFormat.of().formatHex(d.content);
            }
        }
        return null;
    }

    static List<String> policyOids(X509Certificate c) {
        byte[] v = extension(c, CERTIFICATE_POLICIES);
        List<String> oids = new ArrayList<>();
        if (v != null) {
            for (Der policy : Der.parse(v).children()) {
                oids.add(policy.child(0).oid());
            }
        }
        return oids;
    }

    /** privateKeyUsagePeriod's notBefore [0] and notAfter [1] (GeneralizedTime), UTC. */
    record UsagePeriod(ZonedDateTime notBefore, ZonedDateTime notAfter) {}

    static UsagePeriod privateKeyUsagePeriod(X509Certificate c) {
        byte[] v = extension(c, PRIVATE_KEY_USAGE_PERIOD);
        if (v == null) {
            return null;
        }
        ZonedDateTime nb = null;
        ZonedDateTime na = null;
        for (Der d : Der.parse(v).children()) {
            ZonedDateTime t = LocalDateTime.parse(
                            new String(d.content, java.nio.charset.StandardCharsets.US_ASCII),
                            DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'"))
                    .atZone(ZoneOffset.UTC);
            if (d.tag == 0x80) {
                nb = t;
            } else if (d.tag == 0x81) {
                na = t;
            }
        }
        return new UsagePeriod(nb, na);
    }

    static BigInteger crlNumber(X509CRL crl) {
        byte[] v = extension(crl, CRL_NUMBER);
        if (v == null) {
            return null;
        }
        Der integer = Der.parse(v);
        if (integer.tag != 0x02) {
            throw new AssertionError("CRL number is not an INTEGER");
        }
        return new BigInteger(integer.content);
    }

    static ZonedDateTime utc(java.util.Date d) {
        return d.toInstant().atZone(ZoneOffset.UTC);
    }

    static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
