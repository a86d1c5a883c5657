package tw.eid.pki.ca.document;

import org.bouncycastle.asn1.x500.X500Name;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.PkiNames;

/**
 * What the keys of a {@link DocumentSignerPool} sign: each purpose is its own pool in the same
 * table (column {@code purpose}), with its own ACTIVE signer, numbering, certificate profile, key
 * labels and audit actions, under the same generation, ceremony, usage, count, rotation and
 * retirement rules.
 */
public enum SignerPurpose {
    /** Document Signers: each card's SOD (ICAO Doc 9303-10/12). */
    SOD("SOD", CertificateProfile.DOCUMENT_SIGNER, "ds", "Document Signer"),
    /** Seal signers: the temporary ID certificate's Visible Digital Seal (ICAO Doc 9303-13; issue 24). */
    SEAL("SEAL", CertificateProfile.SEAL_SIGNER, "seal", "seal signer");

    private final String column;
    private final CertificateProfile profile;
    private final String prefix;
    private final String displayName;

    SignerPurpose(String column, CertificateProfile profile, String prefix, String displayName) {
        this.column = column;
        this.profile = profile;
        this.prefix = prefix;
        this.displayName = displayName;
    }

    /** The value of {@code document_signer.purpose}. */
    String column() {
        return column;
    }

    /** The profile a CSCA ceremony certifies these keys under. */
    public CertificateProfile profile() {
        return profile;
    }

    /** Key labels start with it ({@code ds-…}, {@code seal-…}); so do audit actions ({@code ds.activate}, {@code seal.activate}). */
    public String prefix() {
        return prefix;
    }

    /** "Document Signer", "seal signer": for messages. */
    public String displayName() {
        return displayName;
    }

    /** The subject of signer number {@code number}. */
    X500Name subject(PkiNames names, int number) {
        return this == SOD ? names.documentSigner(number) : names.sealSigner(number);
    }
}
