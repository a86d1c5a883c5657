package tw.eid.pki.ocsp;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * One online CA that this responder answers for, and its delegated signer (RFC 6960 §4.2.2.2: a
 * certificate issued directly by the CA, id-kp-OCSPSigning, ocsp-nocheck, key in the online token).
 * CertIDs are matched on issuerNameHash and issuerKeyHash, precomputed for SHA-1 and SHA-256.
 */
public record OcspAuthority(
        String caName,
        X509CertificateHolder caCertificate,
        String signerName,
        X509CertificateHolder signerCertificate,
        String signerKeyLabel,
        byte[] sha1NameHash,
        byte[] sha1KeyHash,
        byte[] sha256NameHash,
        byte[] sha256KeyHash) {

    public OcspAuthority {
        Objects.requireNonNull(caName, "caName");
        Objects.requireNonNull(caCertificate, "caCertificate");
        Objects.requireNonNull(signerName, "signerName");
        Objects.requireNonNull(signerCertificate, "signerCertificate");
        Objects.requireNonNull(signerKeyLabel, "signerKeyLabel");
    }

    public static OcspAuthority of(
            String caName,
            X509CertificateHolder ca,
            String signerName,
            X509CertificateHolder signer,
            String signerKeyLabel) {
        byte[] name = encoded(ca);
        byte[] key = ca.getSubjectPublicKeyInfo().getPublicKeyData().getBytes();
        return new OcspAuthority(
                caName,
                ca,
                signerName,
                signer,
                signerKeyLabel,
                digest("SHA-1", name),
                digest("SHA-1", key),
                digest("SHA-256", name),
                digest("SHA-256", key));
    }

    /** Whether a CertID's hashes (under {@code hashAlgorithm}) name this CA. */
    boolean matches(ASN1ObjectIdentifier hashAlgorithm, byte[] nameHash, byte[] keyHash) {
        if (OIWObjectIdentifiers.idSHA1.equals(hashAlgorithm)) {
            return MessageDigest.isEqual(sha1NameHash, nameHash) && MessageDigest.isEqual(sha1KeyHash, keyHash);
        }
        if (NISTObjectIdentifiers.id_sha256.equals(hashAlgorithm)) {
            return MessageDigest.isEqual(sha256NameHash, nameHash) && MessageDigest.isEqual(sha256KeyHash, keyHash);
        }
        return false;
    }

    Instant signerNotAfter() {
        return signerCertificate.getNotAfter().toInstant();
    }

    private static byte[] encoded(X509CertificateHolder ca) {
        try {
            // RFC 6960 §4.1.1: the hash of the issuer's DN, i.e. of the DER of the CA's subject.
            return ca.toASN1Structure().getSubject().getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
