package tw.eid.pki.crl;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.CaReader;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.SqlCaStore;

/**
 * A CA whose CRLs the publisher signs or serves, as the store records it ({@code ca} table, kind =
 * its profile name): the Citizen CA (partitioned full and delta CRLs, online), the RA Operators CA
 * (one CRL, online), and the offline roots whose CRLs are signed at ceremonies (the Citizen Root's
 * ARL, the CSCA CRL: served only).
 *
 * @param subject the DER of the CA certificate's subject, byte for byte (the CRL issuer, RFC 5280 §5.1.2.3)
 * @param keyIdentifier the CA's subjectKeyIdentifier (the CRLs' AKI, §5.2.1)
 */
record CrlAuthority(
        String name,
        CertificateProfile profile,
        X509CertificateHolder certificate,
        byte[] subject,
        byte[] keyIdentifier,
        String keyLabel,
        String tokenLabel) {

    /** Partitioned full + delta CRLs (the Citizen CA) rather than one CRL. */
    boolean partitioned() {
        return profile == CertificateProfile.CITIZEN_CA;
    }

    /** Signed by this publisher in the online token (not at a ceremony). */
    boolean online() {
        return profile == CertificateProfile.CITIZEN_CA || profile == CertificateProfile.RA_OPERATORS_CA;
    }

    SubjectPublicKeyInfo publicKey() {
        return certificate.getSubjectPublicKeyInfo();
    }

    /** Where the CRL of {@code partition} (0: the CA's single CRL) is published. */
    URI url(ProfileSettings settings, int partition, boolean delta) {
        URI full = partition == 0 ? settings.crlUrl(profile) : settings.crlPartitionUrl(profile, partition);
        if (!delta) {
            return full;
        }
        String s = full.toString();
        return URI.create(s.substring(0, s.length() - ".crl".length()) + "-delta.crl");
    }

    private static final List<CertificateProfile> PROFILES = List.of(
            CertificateProfile.CITIZEN_CA,
            CertificateProfile.RA_OPERATORS_CA,
            CertificateProfile.CITIZEN_ROOT,
            CertificateProfile.CSCA);

    /**
     * The CAs of the store with CRLs, one per profile: the newest active one when a profile has
     * several (a CSCA after a key rollover).
     */
    static List<CrlAuthority> load(Database database) {
        CaReader cas = SqlCaStore.over(database);
        List<CrlAuthority> out = new ArrayList<>();
        for (CertificateProfile p : PROFILES) {
            cas.newestActive(p.profileName())
                    .ifPresent(r -> out.add(of(r.name(), p, r.certificateDer(), r.keyLabel(), r.tokenLabel())));
        }
        return out;
    }

    static Optional<CrlAuthority> byName(List<CrlAuthority> all, String name) {
        return all.stream().filter(a -> a.name().equals(name)).findFirst();
    }

    static CrlAuthority of(String name, CertificateProfile profile, byte[] der, String keyLabel, String tokenLabel) {
        try {
            X509CertificateHolder cert = new X509CertificateHolder(der);
            // The JDK keeps the subject's encoding as it is in the certificate.
            X509Certificate jdk = (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
            Extension ski = cert.getExtension(Extension.subjectKeyIdentifier);
            if (ski == null) {
                throw new IllegalStateException(
                        "CA '" + name + "' has no subjectKeyIdentifier (RFC 5280 §5.2.1 needs it for the AKI)");
            }
            return new CrlAuthority(
                    name,
                    profile,
                    cert,
                    jdk.getSubjectX500Principal().getEncoded(),
                    SubjectKeyIdentifier.getInstance(ski.getParsedValue()).getKeyIdentifier(),
                    keyLabel,
                    tokenLabel);
        } catch (IOException | CertificateException e) {
            throw new IllegalStateException("the certificate of CA '" + name + "' does not parse", e);
        }
    }
}
