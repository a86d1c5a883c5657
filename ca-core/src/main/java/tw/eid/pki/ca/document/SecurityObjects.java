package tw.eid.pki.ca.document;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.BERTags;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.Time;
import org.bouncycastle.asn1.icao.DataGroupHash;
import org.bouncycastle.asn1.icao.ICAOObjectIdentifiers;
import org.bouncycastle.asn1.icao.LDSSecurityObject;
import org.bouncycastle.asn1.icao.LDSVersionInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSAttributeTableGenerator;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.SignerInfoGeneratorBuilder;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * The bytes of the document side: EF.SOD (ICAO Doc 9303-10 §4.6.2) and the CSCA master list
 * (9303-12 §9), both CMS SignedData (RFC 5652) built with Bouncy Castle around a token signer.
 *
 * <p>EF.SOD = [APPLICATION 23] (tag 0x77) { ContentInfo { id-signedData, SignedData v3 {
 * digestAlgorithms, encapContentInfo { id-icao-ldsSecurityObject (2.23.136.1.1.1), LDSSecurityObject
 * }, certificates { the DS certificate }, signerInfos { one, sid issuerAndSerialNumber, signed
 * attributes exactly contentType, messageDigest and signingTime } } } }.
 *
 * <p>Security guarantee: what {@link #signSod} returns verifies with the signer certificate's
 * public key over exactly the LDSSecurityObject built from the request (checked before return).
 */
public final class SecurityObjects {
    /** id-icao-cscaMasterList (ICAO 9303-12 §9). */
    public static final ASN1ObjectIdentifier CSCA_MASTER_LIST = ICAOObjectIdentifiers.id_icao_cscaMasterList;

    private static final Provider BC = new BouncyCastleProvider();
    private static final DigestCalculatorProvider DIGESTS;

    static {
        try {
            DIGESTS = new JcaDigestCalculatorProviderBuilder().build();
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    private SecurityObjects() {}

    /**
     * {@code key} as a Bouncy Castle key object, to be decoded once per signer and kept: BC stores
     * its precomputed multiples of the EC point on the object, so verifying with a kept key is
     * several times cheaper than with one decoded afresh.
     */
    public static PublicKey publicKey(SubjectPublicKeyInfo key) {
        try {
            String family =
                    X9ObjectIdentifiers.id_ecPublicKey.equals(key.getAlgorithm().getAlgorithm()) ? "EC" : "RSA";
            return KeyFactory.getInstance(family, BC)
                    .generatePublic(new X509EncodedKeySpec(key.getEncoded(ASN1Encoding.DER)));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot decode a signer's public key", e);
        }
    }

    /** The DER LDSSecurityObject (v0, or v1 with LDSVersionInfo) of {@code request}. */
    public static byte[] ldsSecurityObject(SodRequest request) {
        DataGroupHash[] hashes = request.dataGroups().stream()
                .map(g -> new DataGroupHash(g.number(), new DEROctetString(g.hash())))
                .toArray(DataGroupHash[]::new);
        // ICAO 9303-10: the hash AlgorithmIdentifier of the LDSSecurityObject has absent parameters.
        AlgorithmIdentifier algorithm =
                new AlgorithmIdentifier(request.hashAlgorithm().oid());
        LDSSecurityObject lds = request.ldsVersion() == null
                ? new LDSSecurityObject(algorithm, hashes)
                : new LDSSecurityObject(
                        algorithm,
                        hashes,
                        new LDSVersionInfo(
                                request.ldsVersion().ldsVersion(),
                                request.ldsVersion().unicodeVersion()));
        return der(lds.toASN1Primitive());
    }

    /**
     * EF.SOD for {@code request}, signed by {@code signer} whose certificate is {@code dsCertificate}
     * (included), signingTime {@code signingTime}. {@code dsKey} verifies the result before return.
     */
    public static byte[] signSod(
            SodRequest request,
            ContentSigner signer,
            X509CertificateHolder dsCertificate,
            PublicKey dsKey,
            Instant signingTime) {
        ContentInfo contentInfo = signedData(
                ICAOObjectIdentifiers.id_icao_ldsSecurityObject,
                ldsSecurityObject(request),
                signer,
                dsCertificate,
                dsKey,
                signingTime);
        // 9303-10 §4.6.2: EF.SOD is the ContentInfo inside application tag 23, constructed (0x77).
        return der(new DERTaggedObject(true, BERTags.APPLICATION, 23, contentInfo));
    }

    /** The ContentInfo inside an EF.SOD (what {@code openssl cms -verify -inform DER} reads). */
    public static byte[] unwrapSod(byte[] efSod) {
        try {
            ASN1Primitive p = ASN1Primitive.fromByteArray(efSod);
            if (!(p instanceof ASN1TaggedObject t) || t.getTagClass() != BERTags.APPLICATION || t.getTagNo() != 23) {
                throw new IllegalArgumentException("not an EF.SOD (tag 0x77)");
            }
            return der(ContentInfo.getInstance(t.getBaseObject()));
        } catch (IOException e) {
            throw new IllegalArgumentException("EF.SOD does not parse", e);
        }
    }

    /**
     * CMS SignedData over {@code content} of type {@code contentType}, signed attributes exactly
     * contentType, messageDigest, signingTime (no CMSAlgorithmProtection, which Bouncy Castle would
     * add by default and ICAO does not list), the signer's certificate included.
     */
    public static ContentInfo signedData(
            ASN1ObjectIdentifier contentType,
            byte[] content,
            ContentSigner signer,
            X509CertificateHolder signerCertificate,
            PublicKey signerKey,
            Instant signingTime) {
        CMSAttributeTableGenerator attributes = params -> {
            ASN1EncodableVector v = new ASN1EncodableVector();
            v.add(new Attribute(CMSAttributes.contentType, new DERSet((ASN1ObjectIdentifier)
                    params.get(CMSAttributeTableGenerator.CONTENT_TYPE))));
            v.add(new Attribute(CMSAttributes.messageDigest, new DERSet(new DEROctetString((byte[])
                    params.get(CMSAttributeTableGenerator.DIGEST)))));
            // RFC 5652 §11.3: UTCTime through 2049 (Time picks it), whole seconds.
            v.add(new Attribute(
                    CMSAttributes.signingTime,
                    new DERSet(new Time(Date.from(signingTime.truncatedTo(ChronoUnit.SECONDS))))));
            return new AttributeTable(v);
        };
        try {
            CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
            generator.addSignerInfoGenerator(new SignerInfoGeneratorBuilder(DIGESTS)
                    .setSignedAttributeGenerator(attributes)
                    .build(signer, signerCertificate));
            generator.addCertificate(signerCertificate);
            CMSSignedData signed = generator.generate(new CMSProcessableByteArray(contentType, content), true);
            SignerInformation info =
                    signed.getSignerInfos().getSigners().iterator().next();
            if (!verifies(info, signerKey)) {
                throw new IllegalStateException(
                        "the token's CMS signature does not verify with the signer's public key");
            }
            return signed.toASN1Structure();
        } catch (CMSException | OperatorCreationException e) {
            throw new IllegalStateException("CMS signing failed: " + e.getMessage(), e);
        }
    }

    /**
     * The signature over the DER signed attributes, checked with a plain JCA verifier (the SOD's
     * messageDigest was computed by Bouncy Castle over the content it encapsulated).
     */
    private static boolean verifies(SignerInformation info, PublicKey key) {
        try {
            return verifies(
                    jcaSignatureName(info.getEncryptionAlgOID(), info.getDigestAlgOID()),
                    key,
                    info.getEncodedSignedAttributes(),
                    info.getSignature());
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether {@code signature} over {@code signed} verifies with {@code key} ({@code algorithm} a JCA
     * name such as SHA256withECDSA): the check every SOD's signature gets before it is returned
     * (also the SOD benchmark's floor).
     */
    public static boolean verifies(String algorithm, PublicKey key, byte[] signed, byte[] signature) {
        try {
            // Bouncy Castle, not SunEC: SunEC's P-256 verification was 30% of an SOD's JVM CPU in the
            // benchmark's profile; BC keeps its precomputation on a key decoded once (publicKey()).
            Signature s = Signature.getInstance(algorithm, BC);
            s.initVerify(key);
            s.update(signed);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String jcaSignatureName(String signatureOid, String digestOid) {
        String digest = switch (digestOid) {
            case "2.16.840.1.101.3.4.2.1" -> "SHA256";
            case "2.16.840.1.101.3.4.2.2" -> "SHA384";
            case "2.16.840.1.101.3.4.2.3" -> "SHA512";
            default -> throw new IllegalStateException("unexpected CMS digest " + digestOid);
        };
        if (signatureOid.startsWith("1.2.840.10045.")) {
            return digest + "withECDSA";
        }
        return digest + "withRSA";
    }

    static byte[] der(ASN1Encodable o) {
        try {
            return o.toASN1Primitive().getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
