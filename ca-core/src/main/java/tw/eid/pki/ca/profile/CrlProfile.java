package tw.eid.pki.ca.profile;

import java.time.Duration;

/**
 * The CRLs signed at ceremonies (docs/profiles.md, "Offline roots"), named and versioned like the
 * certificate profiles. Both are CRL v2 with exactly two extensions, AKI and CRL number, no
 * issuingDistributionPoint and no delta CRL indicator: each is the complete CRL of its CA, and
 * those CAs' certificates point at it through their CRL DP (the Citizen CA, RA Operators CA) or
 * ICAO's CRL distribution (the CSCA). The Citizen CA's partitioned and delta CRLs belong to the
 * CRL publisher.
 */
public enum CrlProfile {
    /** The Citizen Root CA's ARL: nextUpdate − thisUpdate as configured, at most 12 months. */
    CITIZEN_ROOT_ARL("citizen-root-arl", 1, CertificateProfile.CITIZEN_ROOT),
    /** The CSCA CRL: at least every 90 days, even when empty (ICAO 9303-12). */
    CSCA_CRL("csca-crl", 1, CertificateProfile.CSCA);

    private final String profileName;
    private final int version;
    private final CertificateProfile issuer;

    CrlProfile(String profileName, int version, CertificateProfile issuer) {
        this.profileName = profileName;
        this.version = version;
        this.issuer = issuer;
    }

    public String profileName() {
        return profileName;
    }

    public int version() {
        return version;
    }

    /** Name and version, e.g. {@code csca-crl/1}. */
    public String id() {
        return profileName + "/" + version;
    }

    /** The CA that signs this CRL. */
    public CertificateProfile issuer() {
        return issuer;
    }

    /** nextUpdate − thisUpdate. */
    Duration lifetime(ProfileSettings settings) {
        return switch (this) {
            case CITIZEN_ROOT_ARL -> settings.rootArlLifetime();
            case CSCA_CRL -> settings.cscaCrlLifetime();
        };
    }
}
