package tw.eid.pki.ca.cvc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;

/**
 * The Certificate Description of a terminal certificate (TR-03110 Part 4 §2.2.6 / Part 3 C.3.1): who
 * issued it, who holds it, and the terms of use in plain text, as the consent screen shows them. The
 * certificate carries only its SHA-256 hash (extension id-description); the service serves the
 * document itself and {@code cvc-print --description} checks that it matches.
 *
 * <pre>
 * CertificateDescription ::= SEQUENCE {
 *   descriptionType OBJECT IDENTIFIER,  -- id-plainFormat
 *   issuerName      [1] UTF8String,
 *   subjectName     [3] UTF8String,
 *   termsOfUsage    [5] ANY DEFINED BY descriptionType }  -- PlainTermsOfUsage ::= UTF8String
 * </pre>
 */
public record CertificateDescription(String issuerName, String subjectName, String termsOfUsage) {
    /** id-plainFormat: {id-description 1}. */
    public static final ASN1ObjectIdentifier ID_PLAIN_FORMAT = new ASN1ObjectIdentifier("0.4.0.127.0.7.3.1.3.1.1");

    public CertificateDescription {
        Objects.requireNonNull(issuerName, "issuerName");
        Objects.requireNonNull(subjectName, "subjectName");
        Objects.requireNonNull(termsOfUsage, "termsOfUsage");
    }

    /** The DER document the hash covers (and the service serves). */
    public byte[] encoded() {
        ASN1EncodableVector v = new ASN1EncodableVector();
        v.add(ID_PLAIN_FORMAT);
        v.add(new DERTaggedObject(true, 1, new DERUTF8String(issuerName)));
        v.add(new DERTaggedObject(true, 3, new DERUTF8String(subjectName)));
        v.add(new DERTaggedObject(true, 5, new DERUTF8String(termsOfUsage)));
        try {
            return new DERSequence(v).getEncoded("DER");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SHA-256 of {@link #encoded()}: the value of the id-description extension. */
    public byte[] hash() {
        return CvSignatures.sha256(encoded());
    }
}
