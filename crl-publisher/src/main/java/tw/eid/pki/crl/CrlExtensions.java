package tw.eid.pki.crl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import tw.eid.pki.ca.profile.ProfileSettings;

/** The crlExtensions of the CRLs {@link CrlPublisher} signs (RFC 5280 §5.2; docs/profiles.md, "CRLs"). */
final class CrlExtensions {
    private CrlExtensions() {}

    /**
     * The extensions of CRL {@code number} of {@code partition} (0: the CA's single CRL, no IDP);
     * a delta on the full CRL {@code baseNumber} when it is not null.
     */
    static Extensions of(CrlAuthority a, ProfileSettings settings, int partition, BigInteger number, Long baseNumber) {
        try {
            ExtensionsGenerator g = new ExtensionsGenerator();
            // RFC 5280 §5.2.1: AKI keyIdentifier = the CA's SKI; §5.2.3: CRL number, non-critical.
            g.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(a.keyIdentifier()));
            g.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
            if (baseNumber != null) {
                // §5.2.4: critical, the number of the complete CRL this delta updates.
                g.addExtension(Extension.deltaCRLIndicator, true, new CRLNumber(BigInteger.valueOf(baseNumber)));
            }
            if (partition != 0) {
                // §5.2.5: critical; the scope is the partition, named exactly as its certificates' CRL DP.
                GeneralNames names = new GeneralNames(new GeneralName(
                        GeneralName.uniformResourceIdentifier,
                        a.url(settings, partition, false).toString()));
                g.addExtension(
                        Extension.issuingDistributionPoint,
                        true,
                        new IssuingDistributionPoint(
                                new DistributionPointName(names), false, false, null, false, false));
                if (baseNumber == null) {
                    // §5.2.6: freshestCRL in complete CRLs only, pointing at the delta.
                    GeneralNames delta = new GeneralNames(new GeneralName(
                            GeneralName.uniformResourceIdentifier,
                            a.url(settings, partition, true).toString()));
                    g.addExtension(Extension.freshestCRL, false, new CRLDistPoint(new DistributionPoint[] {
                        new DistributionPoint(new DistributionPointName(delta), null, null)
                    }));
                }
            }
            return g.generate();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
