package tw.eid.pki.crl;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.junit.jupiter.api.Test;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.ProfileSettings;

/** The CRLs' extensions, without a token or store: which ones, their criticality and their values. */
class CrlExtensionsTest {
    static final ProfileSettings SETTINGS = ProfileSettings.defaults();
    static final byte[] SKI = {1, 2, 3, 4, 5, 6, 7, 8};
    static final CrlAuthority CITIZEN = new CrlAuthority(
            "citizen-ca", CertificateProfile.CITIZEN_CA, null, new byte[0], SKI, "citizen-ca-key", "eid-online");
    static final CrlAuthority OPERATORS = new CrlAuthority(
            "ra-operators-ca",
            CertificateProfile.RA_OPERATORS_CA,
            null,
            new byte[0],
            SKI,
            "ra-operators-ca-key",
            "eid-online");

    static String uri(GeneralNames names) {
        return names.getNames()[0].getName().toString();
    }

    @Test
    void aPartitionsFullCrlNamesItsPartitionAndPointsAtItsDelta() {
        Extensions e = CrlExtensions.of(CITIZEN, SETTINGS, 3, BigInteger.valueOf(41), null);
        assertThat(AuthorityKeyIdentifier.fromExtensions(e).getKeyIdentifier()).isEqualTo(SKI);
        assertThat(CRLNumber.getInstance(e.getExtensionParsedValue(Extension.cRLNumber))
                        .getCRLNumber())
                .isEqualTo(BigInteger.valueOf(41));
        assertThat(e.getExtension(Extension.cRLNumber).isCritical()).isFalse();
        assertThat(e.getExtension(Extension.issuingDistributionPoint).isCritical())
                .isTrue();
        IssuingDistributionPoint idp =
                IssuingDistributionPoint.getInstance(e.getExtensionParsedValue(Extension.issuingDistributionPoint));
        assertThat(uri((GeneralNames) idp.getDistributionPoint().getName()))
                .isEqualTo(CITIZEN.url(SETTINGS, 3, false).toString());
        CRLDistPoint freshest = CRLDistPoint.getInstance(e.getExtensionParsedValue(Extension.freshestCRL));
        assertThat(uri((GeneralNames) freshest.getDistributionPoints()[0]
                        .getDistributionPoint()
                        .getName()))
                .isEqualTo(CITIZEN.url(SETTINGS, 3, true).toString())
                .endsWith("-delta.crl");
        assertThat(e.getExtension(Extension.deltaCRLIndicator)).isNull();
    }

    @Test
    void aDeltaNamesItsBaseCriticallyAndHasNoFreshestCrl() {
        Extensions e = CrlExtensions.of(CITIZEN, SETTINGS, 3, BigInteger.valueOf(42), 41L);
        assertThat(e.getExtension(Extension.deltaCRLIndicator).isCritical()).isTrue();
        assertThat(CRLNumber.getInstance(e.getExtensionParsedValue(Extension.deltaCRLIndicator))
                        .getCRLNumber())
                .isEqualTo(BigInteger.valueOf(41));
        assertThat(e.getExtension(Extension.issuingDistributionPoint).isCritical())
                .isTrue();
        assertThat(e.getExtension(Extension.freshestCRL)).isNull();
    }

    @Test
    void aSingleCrlHasOnlyItsKeyIdentifierAndNumber() {
        Extensions e = CrlExtensions.of(OPERATORS, SETTINGS, 0, BigInteger.ONE, null);
        assertThat(e.getExtensionOIDs()).containsExactly(Extension.authorityKeyIdentifier, Extension.cRLNumber);
    }
}
