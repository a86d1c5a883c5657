package tw.eid.pki.ca.profile;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * The names of our CAs and signers, from configuration. Subjects of CA, OCSP signer and Document
 * Signer certificates are built here and never taken from a CSR (docs/profiles.md).
 *
 * <p>Encoding: countryName is a PrintableString (RFC 5280 Appendix A, X520countryName); every
 * other attribute is a UTF8String (RFC 5280 §4.1.2.6: UTF8String for DirectoryString since
 * 2004). Each value must be non-empty, in Unicode NFC, free of control and bidirectional
 * formatting characters, and at most 64 characters (RFC 5280 Appendix A, ub-common-name,
 * ub-organization-name, ub-organizational-unit-name).
 *
 * @param organization O of every subject
 * @param citizenRootCn CN of the Citizen Root CA
 * @param citizenCaOu OU of the Citizen CA
 * @param citizenCaCn CN of the Citizen CA
 * @param raOperatorsCaCn CN of the RA Operators CA
 * @param cscaCn CN of the CSCA
 * @param documentSignerCnPrefix CN of a Document Signer before its three-digit batch number
 */
public record PkiNames(
        String organization,
        String citizenRootCn,
        String citizenCaOu,
        String citizenCaCn,
        String raOperatorsCaCn,
        String cscaCn,
        String documentSignerCnPrefix) {

    /** RFC 5280 Appendix A: ub-common-name = ub-organization-name = ub-organizational-unit-name = 64. */
    static final int MAX_LENGTH = 64;

    /** Appended to the issuing CA's CN for its delegated OCSP signer (RFC 6960 §4.2.2.2). */
    static final String OCSP_RESPONDER_SUFFIX = " OCSP Responder";

    /** Appended to the CSCA's CN for its master list signer. */
    static final String MASTER_LIST_SIGNER_SUFFIX = " Master List Signer";

    public PkiNames {
        organization = checked("organization", organization);
        citizenRootCn = checked("citizenRootCn", citizenRootCn);
        citizenCaOu = checked("citizenCaOu", citizenCaOu);
        citizenCaCn = checked("citizenCaCn", citizenCaCn);
        raOperatorsCaCn = checked("raOperatorsCaCn", raOperatorsCaCn);
        cscaCn = checked("cscaCn", cscaCn);
        documentSignerCnPrefix = checked("documentSignerCnPrefix", documentSignerCnPrefix);
        // The longest names built from these must still fit.
        checked("OCSP responder CN", citizenCaCn + OCSP_RESPONDER_SUFFIX);
        checked("OCSP responder CN", raOperatorsCaCn + OCSP_RESPONDER_SUFFIX);
        checked("Document Signer CN", documentSignerCnPrefix + " 999");
        checked("master list signer CN", cscaCn + MASTER_LIST_SIGNER_SUFFIX);
    }

    /** The ministry's defaults. */
    public static PkiNames defaults() {
        return new PkiNames(
                "Ministry of the Interior",
                "Citizen Root CA",
                "Certificate Management Center",
                "Citizen CA",
                "RA Operators CA",
                "CSCA Taiwan",
                "Document Signer");
    }

    /** C=TW, O, CN. */
    public X500Name citizenRoot() {
        return name(organization, null, citizenRootCn);
    }

    /** C=TW, O, OU, CN. */
    public X500Name citizenCa() {
        return name(organization, citizenCaOu, citizenCaCn);
    }

    /** C=TW, O, CN=… RA Operators CA. */
    public X500Name raOperatorsCa() {
        return name(organization, null, raOperatorsCaCn);
    }

    /** C=TW, O, CN. */
    public X500Name csca() {
        return name(organization, null, cscaCn);
    }

    /**
     * C=TW, O, CN=&lt;CA CN&gt; OCSP Responder: the delegated OCSP signer of the online CA {@code
     * issuer} (each online CA has its own, RFC 6960 §4.2.2.2).
     */
    public X500Name ocspResponder(CertificateProfile issuer) {
        return switch (issuer) {
            case CITIZEN_CA -> name(organization, null, citizenCaCn + OCSP_RESPONDER_SUFFIX);
            case RA_OPERATORS_CA -> name(organization, null, raOperatorsCaCn + OCSP_RESPONDER_SUFFIX);
            default -> throw new IllegalArgumentException(issuer.id() + " is not an online CA with an OCSP signer");
        };
    }

    /** C=TW, O, CN=&lt;CSCA CN&gt; Master List Signer. */
    public X500Name masterListSigner() {
        return name(organization, null, cscaCn + MASTER_LIST_SIGNER_SUFFIX);
    }

    /** The CN of a seal signer before its three-digit number. */
    static final String SEAL_SIGNER_CN_PREFIX = "Seal Signer";

    /** C=TW, O, CN=Seal Signer 001 for {@code number} 1 (1 to 999): a temporary ID certificate's seal signer. */
    public X500Name sealSigner(int number) {
        if (number < 1 || number > 999) {
            throw new IllegalArgumentException("seal signer number must be 1..999: " + number);
        }
        return name(organization, null, String.format("%s %03d", SEAL_SIGNER_CN_PREFIX, number));
    }

    /** C=TW, O, CN=Document Signer 001 for {@code batchNumber} 1 (1 to 999). */
    public X500Name documentSigner(int batchNumber) {
        if (batchNumber < 1 || batchNumber > 999) {
            throw new IllegalArgumentException("Document Signer batch number must be 1..999: " + batchNumber);
        }
        return name(organization, null, String.format("%s %03d", documentSignerCnPrefix, batchNumber));
    }

    /**
     * C=TW, CN=holder's name, serialNumber=subscriber id: the subject of a citizen signature or
     * encryption certificate (docs/profiles.md), from the RA's registration data, never from the CSR.
     * CN is the name's NFC form as a UTF8String, byte for byte; serialNumber (X.520, 2.5.4.5) is a
     * PrintableString, as X.520 defines it. No O: a citizen speaks for no organisation.
     */
    public static X500Name citizen(HolderName holderName, String subscriberId) {
        Objects.requireNonNull(holderName, "holderName");
        if (!SubscriberIds.isWellFormed(subscriberId)) {
            throw new IllegalArgumentException(
                    "not a subscriber id (" + SubscriberIds.LENGTH + " characters of " + SubscriberIds.ALPHABET + ")");
        }
        return new X500Name(new RDN[] {
            rdn(BCStyle.C, new DERPrintableString("TW", true)),
            rdn(BCStyle.CN, new DERUTF8String(holderName.value())),
            rdn(BCStyle.SERIALNUMBER, new DERPrintableString(subscriberId, true))
        });
    }

    /**
     * C=TW, O, OU=office, CN=operator id: the subject of an operator certificate (docs/profiles.md). The
     * operator id is the RA's account name for the person or system (never a national ID number).
     */
    public X500Name operator(String office, String operatorId) {
        return name(organization, checked("office", office), checkedOperatorId(operatorId));
    }

    /** C=TW, O, CN=the first host name: the subject of the RA API's TLS server certificate. */
    public X500Name raTlsServer(String firstHostName) {
        return name(organization, null, checked("host name", firstHostName));
    }

    /**
     * An operator id: 1 to 64 characters of letters, digits, '.', '_', '-' and '@', starting with a
     * letter or digit, and not shaped like a national ID number.
     */
    static String checkedOperatorId(String operatorId) {
        Objects.requireNonNull(operatorId, "operatorId");
        if (!operatorId.matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")) {
            throw new IllegalArgumentException("operator id must be 1–64 characters of A-Z a-z 0-9 . _ @ -");
        }
        if (NationalIds.appearsIn(operatorId)) {
            throw new IllegalArgumentException("operator id must not be a national ID number (docs/profiles.md)");
        }
        return operatorId;
    }

    /** The subject of a CA profile's certificate. */
    public X500Name caSubject(CertificateProfile ca) {
        return switch (ca) {
            case CITIZEN_ROOT -> citizenRoot();
            case CITIZEN_CA -> citizenCa();
            case RA_OPERATORS_CA -> raOperatorsCa();
            case CSCA, CSCA_LINK -> csca();
            default -> throw new IllegalArgumentException(ca.id() + " is not a CA profile");
        };
    }

    private static X500Name name(String o, String ou, String cn) {
        List<RDN> rdns = new ArrayList<>();
        rdns.add(rdn(BCStyle.C, new DERPrintableString("TW", true)));
        rdns.add(rdn(BCStyle.O, new DERUTF8String(o)));
        if (ou != null) {
            rdns.add(rdn(BCStyle.OU, new DERUTF8String(ou)));
        }
        rdns.add(rdn(BCStyle.CN, new DERUTF8String(cn)));
        return new X500Name(rdns.toArray(RDN[]::new));
    }

    private static RDN rdn(ASN1ObjectIdentifier type, ASN1Encodable value) {
        return new RDN(type, value);
    }

    static String checked(String what, String value) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        if (!value.equals(value.strip())) {
            throw new IllegalArgumentException(what + " must not start or end with white space");
        }
        if (!Normalizer.isNormalized(value, Normalizer.Form.NFC)) {
            throw new IllegalArgumentException(what + " must be in Unicode NFC");
        }
        if (value.codePointCount(0, value.length()) > MAX_LENGTH) {
            throw new IllegalArgumentException(
                    what + " is longer than " + MAX_LENGTH + " characters (RFC 5280 App. A)");
        }
        value.codePoints().forEach(cp -> {
            int type = Character.getType(cp);
            if (type == Character.CONTROL
                    || type == Character.FORMAT
                    || type == Character.UNASSIGNED
                    || type == Character.SURROGATE
                    || type == Character.PRIVATE_USE) {
                throw new IllegalArgumentException(
                        what + " contains a control, format or unassigned character U+" + String.format("%04X", cp));
            }
        });
        return value;
    }
}
