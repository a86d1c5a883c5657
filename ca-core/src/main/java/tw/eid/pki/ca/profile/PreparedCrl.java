package tw.eid.pki.ca.profile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.TBSCertList;
import org.bouncycastle.asn1.x509.V2TBSCertListGenerator;

/**
 * A to-be-signed CRL that passed {@link CrlLint}, waiting for the ceremony's signature.
 * {@link OfflineCrls#sign} signs exactly {@link #tbsCertList()}.
 */
public final class PreparedCrl {

    private final CrlProfile profile;
    private final CaCertificate issuer;
    private final X500Name issuerName;
    private final BigInteger crlNumber;
    private final Instant thisUpdate;
    private final Instant nextUpdate;
    private final List<RevokedEntry> entries;
    private final byte[] lintedTbs;

    PreparedCrl(
            CrlProfile profile,
            CaCertificate issuer,
            X500Name issuerName,
            BigInteger crlNumber,
            Instant thisUpdate,
            Instant nextUpdate,
            List<RevokedEntry> entries,
            AlgorithmIdentifier signatureAlgorithm) {
        this.profile = profile;
        this.issuer = issuer;
        this.issuerName = issuerName;
        this.crlNumber = crlNumber;
        this.thisUpdate = thisUpdate;
        this.nextUpdate = nextUpdate;
        this.entries = List.copyOf(entries);
        this.lintedTbs = ProfileLint.der(tbs(signatureAlgorithm));
    }

    public CrlProfile profile() {
        return profile;
    }

    public BigInteger crlNumber() {
        return crlNumber;
    }

    public Instant thisUpdate() {
        return thisUpdate;
    }

    public Instant nextUpdate() {
        return nextUpdate;
    }

    /** The DER of the linted TBSCertList. */
    public byte[] tbsCertList() {
        return lintedTbs.clone();
    }

    byte[] lintedTbs() {
        return lintedTbs;
    }

    CaCertificate issuer() {
        return issuer;
    }

    TBSCertList tbs(AlgorithmIdentifier signatureAlgorithm) {
        try {
            V2TBSCertListGenerator g = new V2TBSCertListGenerator();
            g.setSignature(signatureAlgorithm);
            g.setIssuer(issuerName);
            g.setThisUpdate(Asn1Times.time(thisUpdate));
            // RFC 5280 §5.1.2.5: conforming CAs MUST include nextUpdate.
            g.setNextUpdate(Asn1Times.time(nextUpdate));
            for (RevokedEntry e : entries) {
                // RFC 5280 §5.3.1: reasonCode non-critical; never unspecified (RevocationReason has no such value).
                ExtensionsGenerator entryExtensions = new ExtensionsGenerator();
                entryExtensions.addExtension(
                        Extension.reasonCode, false, CRLReason.lookup(e.reason().code()));
                g.addCRLEntry(
                        new ASN1Integer(e.serialNumber()),
                        Asn1Times.time(e.revocationTime()),
                        entryExtensions.generate());
            }
            ExtensionsGenerator crlExtensions = new ExtensionsGenerator();
            // RFC 5280 §5.2.1: AKI MUST be included, keyIdentifier = the CA's SKI; §5.2.3: CRL number MUST.
            crlExtensions.addExtension(
                    Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(issuer.keyIdentifier()));
            crlExtensions.addExtension(Extension.cRLNumber, false, new CRLNumber(crlNumber));
            g.setExtensions(crlExtensions.generate());
            return g.generateTBSCertList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
