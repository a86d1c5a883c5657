package tw.eid.pki.ca.profile;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * What to certify: a profile, the subject (built by {@link PkiNames}, never copied from a CSR),
 * the subject's public key as it came from the token or the verified CSR, and, for the profiles
 * the RA API issues, the registration data the profile needs ({@link EndEntity}).
 *
 * <p>CA, OCSP signer and Document Signer requests use the three-argument constructor. Citizen,
 * operator and RA TLS server requests are made by {@link #citizen}, {@link #operator} and {@link
 * #raTlsServer}, which build the subject from the data so the two cannot disagree.
 *
 * @param endEntity the registration data of a citizen, operator or RA TLS server request; null
 *     for the other profiles
 */
public record CertificateRequest(
        CertificateProfile profile, X500Name subject, SubjectPublicKeyInfo subjectPublicKey, EndEntity endEntity) {

    public CertificateRequest {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(subjectPublicKey, "subjectPublicKey");
        PublicKeyType type = PublicKeyType.of(subjectPublicKey);
        if (!profile.keyTypes().contains(type)) {
            throw new IllegalArgumentException(
                    profile.id() + " does not certify " + type + " keys (allowed: " + profile.keyTypes() + ")");
        }
        if (subject.getRDNs().length == 0) {
            throw new IllegalArgumentException("empty subject");
        }
        boolean fits = switch (profile) {
            case CITIZEN_SIGNATURE, CITIZEN_ENCRYPTION -> endEntity instanceof Citizen;
            case OPERATOR -> endEntity instanceof Operator;
            case RA_TLS_SERVER -> endEntity instanceof RaTlsServer;
            default -> endEntity == null;
        };
        if (!fits) {
            throw new IllegalArgumentException(
                    endEntity == null
                            ? profile.id() + " needs its registration data"
                            : profile.id() + " does not take "
                                    + endEntity.getClass().getSimpleName() + " data");
        }
    }

    /** A request for a CA, OCSP signer or Document Signer certificate (the ceremony profiles). */
    public CertificateRequest(CertificateProfile profile, X500Name subject, SubjectPublicKeyInfo subjectPublicKey) {
        this(profile, subject, subjectPublicKey, null);
    }

    /**
     * A citizen signature or encryption certificate for the chip key {@code chipKey}; subject C=TW,
     * CN=holder's name, serialNumber=subscriber id ({@link PkiNames#citizen}).
     */
    public static CertificateRequest citizen(
            CertificateProfile profile, Citizen citizen, SubjectPublicKeyInfo chipKey) {
        Objects.requireNonNull(citizen, "citizen");
        return new CertificateRequest(
                profile, PkiNames.citizen(citizen.holderName(), citizen.subscriberId()), chipKey, citizen);
    }

    /** An operator certificate; subject C=TW, O, OU=office, CN=operator id ({@link PkiNames#operator}). */
    public static CertificateRequest operator(PkiNames names, Operator operator, SubjectPublicKeyInfo key) {
        Objects.requireNonNull(operator, "operator");
        return new CertificateRequest(
                CertificateProfile.OPERATOR, names.operator(operator.office(), operator.operatorId()), key, operator);
    }

    /** The RA API's TLS server certificate; subject C=TW, O, CN=the first host name. */
    public static CertificateRequest raTlsServer(PkiNames names, RaTlsServer server, SubjectPublicKeyInfo key) {
        Objects.requireNonNull(server, "server");
        return new CertificateRequest(
                CertificateProfile.RA_TLS_SERVER,
                names.raTlsServer(server.hostNames().get(0)),
                key,
                server);
    }

    /** The first issuance time of a citizen request's key, or null (not a renewal, or not a citizen request). */
    Instant firstIssuance() {
        return endEntity instanceof Citizen c ? c.firstIssuance() : null;
    }

    /** The registration data of the profiles the RA API issues. */
    public sealed interface EndEntity permits Citizen, Operator, RaTlsServer {}

    /**
     * A citizen certificate's data (docs/profiles.md, citizen signature and encryption columns).
     *
     * @param holderName the checked NFC name ({@link HolderName#of})
     * @param subscriberId the holder's random subscriber id ({@link SubscriberIds}), never the
     *     national ID
     * @param nationalIdLast4 the last four digits of the national ID number, for the
     *     subjectDirectoryAttributes (the only part of the number a certificate carries)
     * @param crlPartition the CRL partition of the certificate, from 1, fixed at issuance; its CRL
     *     DP is {@code {base}/crl/citizen-ca/{crlPartition}.crl}
     * @param firstIssuance for a renewal, when the first certificate of this key was issued: the
     *     new notAfter is at most 8 years after it (docs/profiles.md); null for a first issuance
     */
    public record Citizen(
            HolderName holderName, String subscriberId, String nationalIdLast4, int crlPartition, Instant firstIssuance)
            implements EndEntity {

        public Citizen {
            Objects.requireNonNull(holderName, "holderName");
            if (!SubscriberIds.isWellFormed(subscriberId)) {
                throw new IllegalArgumentException("not a subscriber id");
            }
            if (nationalIdLast4 == null || !nationalIdLast4.matches("[0-9]{4}")) {
                throw new IllegalArgumentException("nationalIdLast4 must be exactly four ASCII digits");
            }
            if (crlPartition < 1) {
                throw new IllegalArgumentException("CRL partitions are numbered from 1: " + crlPartition);
            }
        }

        /** Redacted: the name and digits are personal data. */
        @Override
        public String toString() {
            return "Citizen[partition=" + crlPartition + ", renewal=" + (firstIssuance != null) + "]";
        }
    }

    /**
     * An operator certificate's data (docs/profiles.md, operators table).
     *
     * @param operatorId the RA's account name for the operator: CN (1–64 of A-Z a-z 0-9 . _ @ -)
     * @param office the household registration office or system owner: OU
     * @param role the one role the certificate carries, as its policy OID
     */
    public record Operator(String operatorId, String office, OperatorRole role) implements EndEntity {

        public Operator {
            PkiNames.checkedOperatorId(operatorId);
            PkiNames.checked("office", office);
            Objects.requireNonNull(role, "role");
        }
    }

    /**
     * The RA API's TLS server certificate's data.
     *
     * @param hostNames DNS names (LDH, lower case, no wildcard, last label not all digits) and IPv4
     *     or IPv6 literals, at least one, no duplicates, in the order they go into subjectAltName;
     *     the first is also the CN
     */
    public record RaTlsServer(List<String> hostNames) implements EndEntity {

        private static final Pattern DNS_NAME = Pattern.compile(
                "(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
        private static final Pattern IPV4 = Pattern.compile(
                "((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])");

        public RaTlsServer {
            hostNames = List.copyOf(Objects.requireNonNull(hostNames, "hostNames"));
            if (hostNames.isEmpty()) {
                throw new IllegalArgumentException("an RA TLS server certificate needs at least one host name");
            }
            Set<String> seen = new HashSet<>();
            for (String h : hostNames) {
                // A DNS name whose last label is all digits (256.1.1.1) would read as an address.
                if (!isIpLiteral(h)
                        && (!DNS_NAME.matcher(h).matches()
                                || h.substring(h.lastIndexOf('.') + 1).matches("[0-9]+"))) {
                    throw new IllegalArgumentException("not a lower-case DNS name or IP literal: " + h);
                }
                if (!seen.add(h)) {
                    throw new IllegalArgumentException("host name given twice: " + h);
                }
            }
        }

        /** Whether {@code host} is an IPv4 dotted quad or an IPv6 literal (no zone, no brackets). */
        static boolean isIpLiteral(String host) {
            if (IPV4.matcher(host).matches()) {
                return true;
            }
            if (!host.contains(":") || !host.matches("[0-9A-Fa-f:.]+")) {
                return false;
            }
            try {
                // With a ':' and only hex digits, colons and dots, InetAddress parses a literal and never
                // asks DNS.
                InetAddress.getByName(host);
                return true;
            } catch (UnknownHostException e) {
                return false;
            }
        }

        /** The address bytes of an IP literal (4 or 16 octets), for the iPAddress GeneralName. */
        static byte[] address(String ipLiteral) {
            try {
                return InetAddress.getByName(ipLiteral).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IP literal: " + ipLiteral, e);
            }
        }
    }
}
